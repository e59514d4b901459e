"""Queues, drafts, review items and their append-only event log.

The database enforces the invariants (valid states, claimed ⇔ lease set, one open item per
draft, idempotency key per client); the Python checks in `services.py` are a courtesy.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import F, Q

from reviewqueue.tenancy.models import ServiceClient, Tenant


class FallbackAction(models.TextChoices):
    BLOCK = "block", "Block and send the fallback answer"
    SEND_DRAFT = "send_draft", "Send the draft as written"
    ESCALATE = "escalate", "Escalate to the escalation queue"


class Queue(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="queues")
    name = models.SlugField(max_length=64)
    title = models.CharField(max_length=200, blank=True, default="")
    sla_minutes = models.PositiveIntegerField(default=60)
    lease_seconds = models.PositiveIntegerField(default=300)
    reviewer_group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="review_queues")
    fallback_action = models.CharField(max_length=16, choices=FallbackAction.choices, default=FallbackAction.BLOCK)
    fallback_text = models.TextField(
        default="Thanks for your patience. A member of our team will follow up with you shortly."
    )
    escalation_queue = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reject_reasons = models.JSONField(default=list, blank=True)
    business_value = models.FloatField(default=1.0)
    # The fallback answer promises the customer a follow-up ("a member of our team will follow up"):
    # a block then opens a follow-up review item, so the promise is kept by someone. An explicit
    # setting rather than reading the promise out of the text, which any rewording would break.
    follow_up_on_block = models.BooleanField(default=False)
    # What reviewers of this queue should know, in Markdown; rendered sanitised beside the draft.
    guidelines = models.TextField(blank=True, default="")
    is_default = models.BooleanField(default=False)
    # Per-queue scoring configuration: guardrail regexes/allow-lists, policy overrides.
    scoring_rules = models.JSONField(default=dict, blank=True)
    # Audit sampling (reviewqueue/review/audit_sampling.py): this share of the drafts routed here
    # that were sent as written without a full review (auto-sent, or drafted for a human who
    # approved it) is copied into a blind audit item, in `audit_queue` or, if empty, this queue.
    # 0 turns it off. The labels it yields are what the honest escape rate is estimated from.
    audit_share = models.FloatField(
        default=0.0, help_text="Share (0–1) of sent drafts routed here copied into a blind audit review."
    )
    audit_queue = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Where audit items go; empty: this queue.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="queue_unique_name_per_tenant"),
            models.UniqueConstraint(
                fields=["tenant"], condition=Q(is_default=True), name="queue_one_default_per_tenant"
            ),
            models.CheckConstraint(condition=Q(fallback_action__in=FallbackAction.values), name="queue_valid_fallback"),
            models.CheckConstraint(
                condition=Q(sla_minutes__gte=1) & Q(lease_seconds__gte=5), name="queue_positive_timers"
            ),
            models.CheckConstraint(
                condition=Q(audit_share__gte=0) & Q(audit_share__lte=1), name="queue_audit_share_is_a_share"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}/{self.name}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        target = self.escalation_queue
        if target is not None and (target.pk == self.pk or target.tenant_id != self.tenant_id):
            raise ValidationError({"escalation_queue": "Escalate to another queue of the same tenant."})
        if self.fallback_action == FallbackAction.ESCALATE and target is None:
            raise ValidationError({"escalation_queue": "The escalate fallback needs an escalation queue."})
        audit = self.audit_queue
        if audit is not None and audit.tenant_id != self.tenant_id:
            raise ValidationError({"audit_queue": "Audit into a queue of the same tenant."})

    def audit_target(self) -> Queue:
        """The queue this queue's audit items go to: its audit queue if usable, else itself."""
        target = self.audit_queue
        if target is None or target.tenant_id != self.tenant_id:
            return self
        return target

    def escalation_target(self) -> Queue | None:
        """The escalation queue if it is usable: same tenant and not this queue."""
        target = self.escalation_queue
        if target is None or target.pk == self.pk or target.tenant_id != self.tenant_id:
            return None
        return target

    @property
    def sla(self) -> timedelta:
        return timedelta(minutes=self.sla_minutes)

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.lease_seconds)


class DraftStatus(models.TextChoices):
    RECEIVED = "received"
    SCORED = "scored"
    SCORING_FAILED = "scoring_failed"
    ROUTED = "routed"
    DECIDED = "decided"


# Drafts not yet routed: the re-dispatch sweep sends these to the scoring queue again.
UNROUTED = (DraftStatus.RECEIVED, DraftStatus.SCORED, DraftStatus.SCORING_FAILED)


class Decision(models.TextChoices):
    AUTO_SEND = "auto_send"
    AUTO_DRAFT_HUMAN_SEND = "auto_draft_human_send"
    QUEUE_FOR_REVIEW = "queue_for_review"
    BLOCK = "block"


class Outcome(models.TextChoices):
    """What finally went to the user."""

    SENT_DRAFT = "sent_draft"
    SENT_EDITED = "sent_edited"
    SENT_FALLBACK = "sent_fallback"


class Draft(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="drafts")
    client = models.ForeignKey(ServiceClient, on_delete=models.PROTECT, related_name="drafts")
    idempotency_key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    question = models.TextField(blank=True, default="")
    text = models.TextField()
    passages = models.JSONField(default=list)
    logprobs = models.JSONField(null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    generator_model = models.CharField(max_length=200, blank=True, default="")
    prompt_version = models.CharField(max_length=200, blank=True, default="")
    prompt_hash = models.CharField(max_length=128, blank=True, default="")
    intent = models.CharField(max_length=100, blank=True, default="")
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    customer_tier = models.CharField(max_length=50, blank=True, default="")
    requested_queue = models.ForeignKey(Queue, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    status = models.CharField(max_length=16, choices=DraftStatus.choices, default=DraftStatus.RECEIVED)
    score = models.JSONField(null=True, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    decision = models.CharField(max_length=32, choices=Decision.choices, blank=True, default="")
    decision_reasons = models.JSONField(default=list, blank=True)
    versions = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True, default="")
    final_text = models.TextField(blank=True, default="")

    created_at = models.DateTimeField()
    scored_at = models.DateTimeField(null=True, blank=True)
    routed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    dispatch_attempts = models.PositiveIntegerField(default=0)
    last_dispatch_at = models.DateTimeField(null=True, blank=True)
    # Until this instant a scoring message for the draft may still wait in the broker: the message
    # carries it as its Celery `expires`, so a worker discards it afterwards. NULL: no message can
    # be pending (never published, the publish failed, or a worker took it). The re-dispatch
    # sweep sends a draft again only then, so an outage leaves one live message per draft.
    dispatch_expires_at = models.DateTimeField(null=True, blank=True)
    # When the retention sweep purged the draft's content (text, question, passages, log-probs,
    # the score's quoted text); the hashes, scores, decision and events stay.
    content_purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "idempotency_key"], name="draft_unique_idempotency_key"),
            models.CheckConstraint(condition=Q(status__in=DraftStatus.values), name="draft_valid_status"),
            models.CheckConstraint(
                condition=Q(decision="") | Q(decision__in=Decision.values), name="draft_valid_decision"
            ),
            models.CheckConstraint(
                condition=Q(status=DraftStatus.DECIDED, outcome__in=Outcome.values)
                | (~Q(status=DraftStatus.DECIDED) & Q(outcome="")),
                name="draft_decided_iff_outcome",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "-created_at"], name="draft_tenant_recent"),
            # Used by the re-dispatch sweep: drafts stuck before routing.
            models.Index(
                fields=["created_at"],
                condition=Q(status__in=["received", "scored", "scoring_failed"]),
                name="draft_unrouted_created",
            ),
            # Used by the retention sweep: decided drafts whose content is still stored.
            models.Index(
                fields=["tenant", "decided_at"],
                condition=Q(status="decided", content_purged_at__isnull=True),
                name="draft_decided_unpurged",
            ),
            # Used by the ops figures (`ops.tallies`): drafts routed or scored in an hour, read when
            # an hour is rolled up and for the hours of a window not rolled yet.
            models.Index(fields=["routed_at"], condition=Q(routed_at__isnull=False), name="draft_routed_at"),
            models.Index(fields=["scored_at"], condition=Q(scored_at__isnull=False), name="draft_scored_at"),
            # /metrics' enqueue → decision histogram (`ops.tallies`), counted by the decision time.
            models.Index(fields=["decided_at"], condition=Q(decided_at__isnull=False), name="draft_decided_at"),
        ]

    def __str__(self) -> str:
        return f"draft {self.pk} ({self.status})"


class ItemState(models.TextChoices):
    PENDING = "pending"
    CLAIMED = "claimed"
    RESOLVED = "resolved"
    EXPIRED = "expired"


OPEN_STATES = (ItemState.PENDING, ItemState.CLAIMED)

# Allowed transitions, as data. Services check against this before they write.
TRANSITIONS: dict[str, frozenset[str]] = {
    ItemState.PENDING: frozenset({ItemState.CLAIMED, ItemState.EXPIRED}),
    ItemState.CLAIMED: frozenset({ItemState.PENDING, ItemState.CLAIMED, ItemState.RESOLVED, ItemState.EXPIRED}),
    ItemState.RESOLVED: frozenset(),
    ItemState.EXPIRED: frozenset(),
}


class Disposition(models.TextChoices):
    APPROVED = "approved"
    EDITED = "edited"
    REJECTED = "rejected"
    ESCALATED = "escalated"


# Dispositions as labels of "the draft was good enough to send as written": the one mapping the
# labels (calibration), the agreement figures and the judge-vs-reviewer figures all read.
# An escalation is no label: the item it was escalated to gives the outcome.
GOOD_DISPOSITIONS = frozenset({Disposition.APPROVED})
BAD_DISPOSITIONS = frozenset({Disposition.EDITED, Disposition.REJECTED})


class ReviewItem(models.Model):
    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="review_items")
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="items")
    state = models.CharField(max_length=16, choices=ItemState.choices, default=ItemState.PENDING)
    priority = models.FloatField(default=0.0)
    created_at = models.DateTimeField()
    due_at = models.DateTimeField()
    sla_warned_at = models.DateTimeField(null=True, blank=True)
    lease_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    disposition = models.CharField(max_length=16, choices=Disposition.choices, blank=True, default="")
    reason_code = models.CharField(max_length=64, blank=True, default="")
    note = models.TextField(blank=True, default="")
    final_text = models.TextField(blank=True, default="")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    escalated_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="escalated_to"
    )
    # Set on a blind audit item only (reviewqueue/review/audit_sampling.py): the probability with
    # which its draft was drawn into the audit sample, so an estimate can weigh its label by
    # 1 / probability. NULL: an ordinary review of a held draft. An escalated audit item's
    # successor keeps it.
    audit_probability = models.FloatField(null=True, blank=True)
    # A follow-up: the draft was blocked and its fallback promised the customer a follow-up. The
    # draft is already decided (the fallback went out); resolving the item sends the follow-up.
    follow_up = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ItemState.values), name="item_valid_state"),
            models.CheckConstraint(
                condition=Q(state=ItemState.CLAIMED, lease_owner__isnull=False, lease_expires_at__isnull=False)
                | (~Q(state=ItemState.CLAIMED) & Q(lease_owner__isnull=True, lease_expires_at__isnull=True)),
                name="item_claimed_iff_lease",
            ),
            models.CheckConstraint(
                condition=Q(state=ItemState.RESOLVED, disposition__in=Disposition.values, resolved_at__isnull=False)
                | (~Q(state=ItemState.RESOLVED) & Q(disposition="")),
                name="item_resolved_iff_disposition",
            ),
            models.CheckConstraint(condition=Q(due_at__gte=F("created_at")), name="item_due_after_created"),
            models.CheckConstraint(
                condition=Q(audit_probability__isnull=True) | Q(audit_probability__gt=0, audit_probability__lte=1),
                name="item_audit_probability_is_a_probability",
            ),
            models.UniqueConstraint(
                fields=["draft"], condition=Q(state__in=["pending", "claimed"]), name="item_one_open_per_draft"
            ),
        ]
        indexes = [
            # Used by claim-next: highest priority, then earliest due, among pending items — per
            # queue, and across queues for reviewers in several (the planner picks).
            models.Index(
                F("queue"),
                F("priority").desc(),
                F("due_at"),
                condition=Q(state="pending"),
                name="item_pending_queue_order",
            ),
            models.Index(F("priority").desc(), F("due_at"), condition=Q(state="pending"), name="item_pending_order"),
            # Used by the SLA sweep (warnings and breaches).
            models.Index(fields=["due_at"], condition=Q(state__in=["pending", "claimed"]), name="item_open_due"),
            # Used by the lease sweep.
            models.Index(fields=["lease_expires_at"], condition=Q(state="claimed"), name="item_claimed_lease"),
            models.Index(
                fields=["reviewer", "-resolved_at"], condition=Q(state="resolved"), name="item_reviewer_recent"
            ),
            # Used by the ops figures (`ops.tallies`): items enqueued, due or resolved in an hour.
            models.Index(fields=["created_at"], name="item_created_at"),
            models.Index(fields=["due_at"], name="item_due_at"),
            models.Index(fields=["resolved_at"], condition=Q(state="resolved"), name="item_resolved_at"),
        ]

    def __str__(self) -> str:
        return f"item {self.pk} ({self.state})"

    # Pure predicates: derived state is computed from columns, never stored twice.
    @property
    def is_audit(self) -> bool:
        """A blind audit of a draft already sent: its outcome labels the draft, it decides nothing."""
        return self.audit_probability is not None

    def lease_is_live(self, now: datetime) -> bool:
        return self.state == ItemState.CLAIMED and self.lease_expires_at is not None and self.lease_expires_at > now

    def sla_state(self, now: datetime, *, warning_fraction: float) -> str:
        if self.state not in OPEN_STATES:
            return "closed"
        if now >= self.due_at:
            return "breached"
        if now >= self.warning_at(warning_fraction):
            return "warning"
        return "ok"

    def warning_at(self, fraction: float) -> datetime:
        return self.created_at + (self.due_at - self.created_at) * fraction
