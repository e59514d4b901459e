"""Reviewer labels that feed calibration.

Draft-level labels are the review items' dispositions themselves (approved = good, edited or
rejected = bad), so they are not stored twice. Claim-level overrides are stored here: a reviewer
marking one claim of a scored draft as supported or unsupported, whatever the verifier said.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from reviewqueue.review.models import Draft, ReviewItem


class ClaimVerdict(models.TextChoices):
    SUPPORTED = "supported", "Supported"
    UNSUPPORTED = "unsupported", "Unsupported"


class ClaimLabel(models.Model):
    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="claim_labels")
    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="claim_labels")
    claim_index = models.PositiveIntegerField()
    # The claim as the reviewer saw it: the score can be recomputed later with other offsets,
    # and a label must still say which words it was about.
    claim_text = models.TextField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    model_verdict = models.CharField(max_length=16, blank=True, default="")
    label = models.CharField(max_length=16, choices=ClaimVerdict.choices)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            # One current label per reviewer and claim; changing one's mind updates it (the
            # event log keeps every change).
            models.UniqueConstraint(fields=["item", "claim_index", "reviewer"], name="claimlabel_one_per_reviewer"),
            models.CheckConstraint(condition=Q(label__in=ClaimVerdict.values), name="claimlabel_valid_label"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="claimlabel_span_ordered"),
        ]
        indexes = [
            # Used by the calibration fit: labels newest first.
            models.Index(fields=["-created_at"], name="claimlabel_recent"),
        ]

    def __str__(self) -> str:
        return f"claim {self.claim_index} of draft {self.draft_id}: {self.label}"


class FeedbackKind(models.TextChoices):
    """What a service learnt from its customer after the answer went out. Each says the answer
    sent was not good enough; a customer's silence is not a label."""

    REOPENED = "reopened", "The customer reopened the conversation"
    COMPLAINED = "complained", "The customer complained about the answer"
    CORRECTED = "corrected", "The answer had to be corrected"


class DraftFeedback(models.Model):
    """Outcome feedback from a service (`POST /api/v1/drafts/{id}/feedback`), one row per draft
    and kind: a repeat of the same kind is the same fact and changes nothing (idempotent)."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="feedback")
    kind = models.CharField(max_length=16, choices=FeedbackKind.choices)
    note = models.TextField(blank=True, default="")
    # What the answer should have said, when the service knows (kind "corrected").
    corrected_text = models.TextField(blank=True, default="")
    client = models.ForeignKey("tenancy.ServiceClient", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["draft", "kind"], name="feedback_one_per_draft_and_kind"),
            models.CheckConstraint(condition=Q(kind__in=FeedbackKind.values), name="feedback_valid_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on draft {self.draft_id}"
