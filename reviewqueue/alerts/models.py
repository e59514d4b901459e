"""Alert rules a lead sets per tenant, and the alert events: the rules' history and outbox.

A rule watches one figure of the ops pages (`alerts.figures`) against a threshold. An episode
begins when the figure reaches the threshold (`alert.fired`) and ends when it goes back under it
(`alert.cleared`); a rule fires at most once per episode, and not again within its cool-down
after the last fire, so a figure hovering at the threshold does not page anyone every minute.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from reviewqueue.review.models import Queue
from reviewqueue.tenancy.models import Tenant
from reviewqueue.tenancy.webhook_targets import webhook_url_problem


class AlertKind(models.TextChoices):
    """What a rule watches, with the unit its threshold is in."""

    SLA_BREACHES = "sla_breaches", "SLA breaches in the window"
    AT_RISK = "at_risk", "Open items at risk (past the SLA warning fraction)"
    BACKLOG_DEPTH = "backlog_depth", "Backlog depth (open items)"
    OLDEST_AGE = "oldest_age", "Age of the oldest open item (minutes)"
    DRIFT_PSI = "drift_psi", "Confidence drift: highest PSI against the window before"
    SCORING_FAILURE_RATE = "scoring_failure_rate", "Scoring failure rate in the window (%)"
    GOLDEN_REGRESSION = "golden_regression", "Golden-set figures beyond tolerance in the latest live run"


# Kinds read per queue (a rule may name one queue; without one, the tenant's queues together).
QUEUE_KINDS = frozenset({AlertKind.SLA_BREACHES, AlertKind.AT_RISK, AlertKind.BACKLOG_DEPTH, AlertKind.OLDEST_AGE})
# Kinds counted over a window ending now (the others are the floor at this instant).
WINDOW_KINDS = frozenset({AlertKind.SLA_BREACHES, AlertKind.DRIFT_PSI, AlertKind.SCORING_FAILURE_RATE})


THRESHOLD_MAX = 1e9
# The threshold's range per kind: counts start at one item; a rate is a percentage.
THRESHOLD_RANGE: dict[str, tuple[float, float]] = {
    AlertKind.SLA_BREACHES: (1, 1e6),
    AlertKind.AT_RISK: (1, 1e6),
    AlertKind.BACKLOG_DEPTH: (1, 1e9),
    AlertKind.OLDEST_AGE: (1, 365 * 24 * 60),
    AlertKind.DRIFT_PSI: (0.01, 100),
    AlertKind.SCORING_FAILURE_RATE: (0.01, 100),
    # How many golden figures (AUROC, escape rate) fell beyond the tenant's tolerance: 1 = any.
    AlertKind.GOLDEN_REGRESSION: (1, 2),
}
WINDOW_MAX_MINUTES = 30 * 24 * 60
COOLDOWN_MAX_MINUTES = 7 * 24 * 60
EMAILS_MAX = 20


class WebhookFormat(models.TextChoices):
    JSON = "json", "reviewqueue JSON"
    SLACK = "slack", 'Slack-compatible ({"text": …})'


class AlertRule(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="alert_rules")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=AlertKind.choices)
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, null=True, blank=True, related_name="alert_rules")
    threshold = models.FloatField()
    window_minutes = models.PositiveIntegerField(
        default=60, validators=[MinValueValidator(1), MaxValueValidator(WINDOW_MAX_MINUTES)]
    )
    cooldown_minutes = models.PositiveIntegerField(default=30, validators=[MaxValueValidator(COOLDOWN_MAX_MINUTES)])
    enabled = models.BooleanField(default=True)
    webhook_url = models.URLField(blank=True, default="")
    # Signs webhook bodies (HMAC-SHA256, as for service webhooks); set with the URL, never empty with one.
    webhook_secret = models.CharField(max_length=64, blank=True, default="")
    webhook_format = models.CharField(max_length=8, choices=WebhookFormat.choices, default=WebhookFormat.JSON)
    email_to = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    # The episode: set by `alert.fired`, cleared by `alert.cleared` (alerts.services).
    firing_since = models.DateTimeField(null=True, blank=True)
    last_fired_at = models.DateTimeField(null=True, blank=True)
    last_value = models.FloatField(null=True, blank=True)
    last_evaluated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["tenant_id", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AlertKind.values), name="alert_rule_kind_valid"),
            # Finite and positive (PostgreSQL sorts NaN above every number, so the upper bound refuses it).
            models.CheckConstraint(
                condition=Q(threshold__gt=0) & Q(threshold__lte=THRESHOLD_MAX), name="alert_rule_threshold_finite"
            ),
            models.CheckConstraint(condition=Q(window_minutes__gte=1), name="alert_rule_window_positive"),
            models.CheckConstraint(
                condition=Q(webhook_url="") | ~Q(webhook_secret=""), name="alert_rule_webhook_signed"
            ),
            # A firing rule has fired: the cool-down is counted from last_fired_at.
            models.CheckConstraint(
                condition=Q(firing_since__isnull=True) | Q(last_fired_at__isnull=False),
                name="alert_rule_firing_has_fired",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind} ≥ {self.threshold:g})"

    @property
    def cooldown(self) -> timedelta:
        return timedelta(minutes=self.cooldown_minutes)

    @property
    def window(self) -> timedelta:
        return timedelta(minutes=self.window_minutes)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind in THRESHOLD_RANGE and self.threshold is not None:
            low, high = THRESHOLD_RANGE[self.kind]
            if not low <= self.threshold <= high:  # NaN fails both comparisons: refused too
                errors["threshold"] = f"For this figure the threshold is between {low:g} and {high:g}."
        if self.queue_id is not None:
            if self.kind not in QUEUE_KINDS:
                errors["queue"] = "This figure is the tenant's as a whole; leave the queue empty."
            elif self.queue is None or self.queue.tenant_id != self.tenant_id:
                errors["queue"] = "Choose a queue of the rule's tenant."
        if self.webhook_url:
            problem = webhook_url_problem(self.webhook_url)
            if problem:
                errors["webhook_url"] = problem
        if not isinstance(self.email_to, list) or len(self.email_to) > EMAILS_MAX:
            errors["email_to"] = f"At most {EMAILS_MAX} addresses."
        else:
            bad = [a for a in self.email_to if not _valid_email(a)]
            if bad:
                errors["email_to"] = f"Not an e-mail address: {', '.join(map(str, bad))}."
        if errors:
            raise ValidationError(errors)

    def cooling_down(self, now: datetime) -> bool:
        """True while a new episode may not fire: less than the cool-down since the last fire."""
        return self.last_fired_at is not None and now < self.last_fired_at + self.cooldown

    @property
    def cooldown_until(self) -> datetime | None:
        return self.last_fired_at + self.cooldown if self.last_fired_at is not None else None

    def state(self, now: datetime) -> str:
        """firing, cooling down (no new fire before `cooldown_until`), ok or disabled."""
        if self.firing_since is not None:
            return "firing"
        if not self.enabled:
            return "disabled"
        return "cooling down" if self.cooling_down(now) else "ok"


def _valid_email(address: object) -> bool:
    if not isinstance(address, str):
        return False
    try:
        EmailValidator()(address)
    except ValidationError:
        return False
    return True


class AlertEvent(models.Model):
    """Append-only history of a rule (created, changed, fired, cleared), typed through the event
    registry (`audit.events.EventType`). Fired and cleared events are also the alerts' outbox:
    written in the transaction that flips the rule, delivered after by the outbox sweep
    (`alerts.delivery.alert_outbox_sweep`) one channel at a time: `webhook_done_at` and
    `email_done_at` are set when the channel delivered it (or the rule has no such channel), so
    a crash loses no alert and a failed channel never makes the other send twice."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="events")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    type = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)
    webhook_done_at = models.DateTimeField(null=True, blank=True)
    email_done_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # The history page: a tenant's events, newest first.
            models.Index(fields=["tenant", "-created_at"], name="alert_event_tenant_recent"),
            # The alert outbox sweep: events not yet delivered.
            models.Index(fields=["created_at"], condition=Q(notified_at__isnull=True), name="alert_event_undelivered"),
        ]

    def __str__(self) -> str:
        return f"{self.type} @ {self.created_at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("AlertEvent rows are append-only")
        super().save(*args, **kwargs)
