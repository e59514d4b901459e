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
    is_default = models.BooleanField(default=False)
    # Per-queue scoring configuration: guardrail regexes/allow-lists, policy overrides.
    scoring_rules = models.JSONField(default=dict, blank=True)

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


class ReviewEvent(models.Model):
    """Append-only history of every transition; also the outbox for webhooks (`notified_at`)."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="events")
    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    client = models.ForeignKey(ServiceClient, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    type = models.CharField(max_length=64)
    from_state = models.CharField(max_length=16, blank=True, default="")
    to_state = models.CharField(max_length=16, blank=True, default="")
    created_at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["draft", "created_at"], name="event_draft_time"),
            # Used by the outbox sweep: events not yet delivered.
            models.Index(fields=["created_at"], condition=Q(notified_at__isnull=True), name="event_undelivered"),
            # Used by the ops figures: events of one type in an hour (breaches, lapses, releases,
            # scoring failures) and the breach history, newest first.
            models.Index(fields=["type", "created_at"], name="event_type_time"),
            # Used by the rollup beat task: the events since its last run, whose items and drafts
            # may change an hour already rolled up.
            models.Index(fields=["created_at"], name="event_time"),
        ]

    def __str__(self) -> str:
        return f"{self.type} @ {self.created_at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args: object, **kwargs: object) -> None:
        # Events are never edited: history an auditor reads must be exactly what happened.
        if self.pk is not None:
            raise ValueError("ReviewEvent rows are append-only")
        super().save(*args, **kwargs)
