"""Double review: a sampled share of resolved review items gets a second, blind review by
another reviewer; where the two labels differ, a lead adjudicates and their label wins.

A second review never changes what was sent (the draft was decided by the first review); it
only says how far two reviewers agree, and gives the draft a better label where they do not.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from reviewqueue.review.models import Draft, Queue, ReviewItem


class DoubleReviewShare(models.Model):
    """The share of a queue's resolved items that get a second review (0 = none). A queue with
    no row uses REVIEWQUEUE_SECOND_REVIEW_SHARE."""

    queue = models.OneToOneField(Queue, on_delete=models.CASCADE, related_name="double_review")
    share = models.FloatField()
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(share__gte=0) & Q(share__lte=1), name="double_review_share_range"),
        ]

    def __str__(self) -> str:
        return f"queue {self.queue_id}: {self.share:.0%} second reviews"


class SecondReviewState(models.TextChoices):
    PENDING = "pending"
    CLAIMED = "claimed"
    RESOLVED = "resolved"


# Allowed transitions, as data (the review item's machine without SLA expiry: a second review
# has no user waiting on it, so it never expires; a lapsed lease is simply claimable again).
SECOND_TRANSITIONS: dict[str, frozenset[str]] = {
    SecondReviewState.PENDING: frozenset({SecondReviewState.CLAIMED}),
    SecondReviewState.CLAIMED: frozenset({SecondReviewState.PENDING, SecondReviewState.RESOLVED}),
    SecondReviewState.RESOLVED: frozenset(),
}


class Label(models.TextChoices):
    """The draft-level label a disposition means (approved unchanged = good; edited or rejected = bad)."""

    GOOD = "good"
    BAD = "bad"


class SecondReview(models.Model):
    first_item = models.OneToOneField(ReviewItem, on_delete=models.CASCADE, related_name="second_review")
    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="second_reviews")
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="second_reviews")
    # A copy of first_item.reviewer, kept here so the database itself refuses a second review by
    # the same person (a CheckConstraint cannot look into another table).
    first_reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The share the queue sampled at when this review was opened (what the agreement figures
    # were drawn from).
    sampled_share = models.FloatField()
    state = models.CharField(max_length=16, choices=SecondReviewState.choices, default=SecondReviewState.PENDING)
    created_at = models.DateTimeField()
    lease_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    disposition = models.CharField(max_length=16, blank=True, default="")
    reason_code = models.CharField(max_length=64, blank=True, default="")
    final_text = models.TextField(blank=True, default="")
    note = models.TextField(blank=True, default="")
    resolved_at = models.DateTimeField(null=True, blank=True)
    # A lead's ruling where the two labels differ: this label wins for the draft.
    adjudicated_label = models.CharField(max_length=8, choices=Label.choices, blank=True, default="")
    adjudicated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    adjudicated_at = models.DateTimeField(null=True, blank=True)
    adjudication_note = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(state__in=SecondReviewState.values), name="second_valid_state"),
            models.CheckConstraint(
                condition=Q(state="claimed", lease_owner__isnull=False, lease_expires_at__isnull=False)
                | (~Q(state="claimed") & Q(lease_owner__isnull=True, lease_expires_at__isnull=True)),
                name="second_claimed_iff_lease",
            ),
            models.CheckConstraint(
                condition=Q(
                    state="resolved",
                    disposition__in=["approved", "edited", "rejected"],
                    reviewer__isnull=False,
                    resolved_at__isnull=False,
                )
                | (~Q(state="resolved") & Q(disposition="", reviewer__isnull=True)),
                name="second_resolved_iff_disposition",
            ),
            # Never the same person twice: neither holding the lease nor resolving.
            models.CheckConstraint(condition=~Q(lease_owner=F("first_reviewer")), name="second_not_first_owner"),
            models.CheckConstraint(condition=~Q(reviewer=F("first_reviewer")), name="second_not_first_reviewer"),
            models.CheckConstraint(
                condition=Q(adjudicated_label="", adjudicated_by__isnull=True, adjudicated_at__isnull=True)
                | Q(
                    state="resolved",
                    adjudicated_label__in=Label.values,
                    adjudicated_by__isnull=False,
                    adjudicated_at__isnull=False,
                ),
                name="second_adjudicated_when_resolved",
            ),
        ]
        indexes = [
            # Used by second-review claim-next: open reviews per queue, oldest first.
            models.Index(
                fields=["queue", "created_at"], condition=Q(state__in=["pending", "claimed"]), name="second_open_queue"
            ),
            # Used by the agreement page: resolved reviews of a queue over a window.
            models.Index(fields=["queue", "-resolved_at"], condition=Q(state="resolved"), name="second_resolved"),
        ]

    def __str__(self) -> str:
        return f"second review {self.pk} of item {self.first_item_id} ({self.state})"

    def lease_is_live(self, now: datetime) -> bool:
        return (
            self.state == SecondReviewState.CLAIMED
            and self.lease_expires_at is not None
            and self.lease_expires_at > now
        )
