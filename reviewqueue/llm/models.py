"""What the LLM app stores: assist idempotency, token use per tenant and day, judge verdicts.

Drafts themselves are the review app's; this app only points at them.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from reviewqueue.review.models import Draft
from reviewqueue.tenancy.models import ServiceClient, Tenant


class AssistState(models.TextChoices):
    PENDING = "pending", "Waiting for the LLM"
    DONE = "done", "Draft stored"


class AssistRequest(models.Model):
    """One row per (client, Idempotency-Key), inserted *before* the LLM call: concurrent
    duplicates race on the unique constraint, so only the winner calls the LLM. A failed call
    deletes its pending row (nothing half-written; the client may retry with the same key)."""

    client = models.ForeignKey(ServiceClient, on_delete=models.CASCADE, related_name="+")
    idempotency_key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=16, choices=AssistState.choices, default=AssistState.PENDING)
    draft = models.OneToOneField(Draft, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    prompt_version = models.CharField(max_length=200)
    prompt_hash = models.CharField(max_length=64)
    llm_ms = models.FloatField(null=True, blank=True)  # the bare LLM call, for the overhead figure
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "idempotency_key"], name="assist_unique_idempotency_key"),
            models.CheckConstraint(condition=Q(state__in=AssistState.values), name="assist_valid_state"),
            # done ⇔ a draft: a finished request always answers with its draft.
            models.CheckConstraint(
                condition=Q(state=AssistState.DONE, draft__isnull=False)
                | Q(state=AssistState.PENDING, draft__isnull=True),
                name="assist_done_has_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"assist {self.idempotency_key} ({self.state})"


class TokenUsage(models.Model):
    """Tokens a tenant spent on the LLM on one UTC day. Calls reserve their worst case with a
    compare-and-swap update bounded by the budget, then settle to what the endpoint reported, so
    concurrent calls in many processes cannot overrun the budget together."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    tokens = models.BigIntegerField(default=0)
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "day"], name="tokenusage_one_per_tenant_day"),
            models.CheckConstraint(condition=Q(tokens__gte=0), name="tokenusage_tokens_non_negative"),
        ]
        verbose_name_plural = "token usage"

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.day}: {self.tokens} tokens"


class JudgeVerdictKind(models.TextChoices):
    SUPPORTED = "supported", "Supported"
    CONTRADICTED = "contradicted", "Contradicted"
    NOT_IN_EVIDENCE = "not_in_evidence", "Not in evidence"
    INVALID = "invalid", "Judge answer failed the schema"


class JudgeVerdict(models.Model):
    """The LLM judge's verdict on one claim of a draft, beside the NLI verdict in the score."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="judge_verdicts")
    claim_index = models.PositiveIntegerField()  # index into draft.score["claims"]
    claim_text = models.TextField()
    verdict = models.CharField(max_length=16, choices=JudgeVerdictKind.choices)
    quote = models.TextField(blank=True, default="")  # verbatim from the evidence
    explanation = models.TextField(blank=True, default="")
    model = models.CharField(max_length=200)
    prompt_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            # A re-delivered judge task changes nothing: one verdict per claim.
            models.UniqueConstraint(fields=["draft", "claim_index"], name="judgeverdict_one_per_claim"),
            models.CheckConstraint(condition=Q(verdict__in=JudgeVerdictKind.values), name="judgeverdict_valid"),
        ]

    def __str__(self) -> str:
        return f"claim {self.claim_index} of draft {self.draft_id}: {self.verdict}"


class JudgeRunStatus(models.TextChoices):
    DONE = "done", "Judged"
    SKIPPED = "skipped", "Not judged"


class JudgeRun(models.Model):
    """Whether the judge ran on a draft, and if not why (down, slow, over budget): the review
    page says which signal is missing instead of showing nothing."""

    draft = models.OneToOneField(Draft, on_delete=models.CASCADE, related_name="judge_run")
    status = models.CharField(max_length=16, choices=JudgeRunStatus.choices)
    reason = models.CharField(max_length=64, blank=True, default="")  # why it was sampled, or why skipped
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(status__in=JudgeRunStatus.values), name="judgerun_valid_status"),
        ]

    def __str__(self) -> str:
        return f"judge on draft {self.draft_id}: {self.status}"
