"""Writes of the alerts: a lead's rule changes, and the two transitions of an episode.

Each writes its `AlertEvent` (typed through the registry, `audit.events`) in the same
transaction. Fired and cleared events are delivered after commit by the outbox sweep
(`alerts.delivery.alert_outbox_sweep`): no network call here.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from reviewqueue.alerts.figures import Figures, Reading
from reviewqueue.alerts.models import AlertEvent, AlertRule
from reviewqueue.audit.events import EventType, event_type_check
from reviewqueue.errors import InvalidInput, NotFound
from reviewqueue.sweeping import SweepResult
from reviewqueue.tenancy.selectors import is_lead

logger = logging.getLogger(__name__)

# What a lead may set on a rule (/ops/alerts/…); the episode columns are the evaluator's.
RULE_FIELDS = (
    "name",
    "kind",
    "queue",
    "threshold",
    "window_minutes",
    "cooldown_minutes",
    "enabled",
    "webhook_url",
    "webhook_format",
    "email_to",
)
_ATTNAME = {"queue": "queue_id"}


def alert_event_record(
    *,
    rule: AlertRule,
    type: EventType,
    now: datetime,
    actor: User | None = None,
    data: dict[str, Any] | None = None,
) -> AlertEvent:
    """Write the event now, in the caller's transaction."""
    event = AlertEvent(
        rule=rule, tenant_id=rule.tenant_id, actor=actor, type=event_type_check(type), created_at=now, data=data or {}
    )
    event.save(force_insert=True)
    return event


def _settings_of(rule: AlertRule) -> dict[str, Any]:
    return {name: getattr(rule, _ATTNAME.get(name, name)) for name in RULE_FIELDS}


def _check(rule: AlertRule) -> None:
    try:
        rule.full_clean(exclude=["tenant", "webhook_secret", "created_at"])
    except ValidationError as exc:
        raise InvalidInput("Invalid alert rule.", details={"fields": exc.message_dict}) from None


def _set_webhook(rule: AlertRule, url: str) -> None:
    # A new URL gets a new secret (as for a service's webhook): nothing is ever sent unsigned,
    # and a secret is never carried over to a receiver it was not made for.
    url = url.strip()
    if url != rule.webhook_url or bool(rule.webhook_secret) != bool(url):
        rule.webhook_url, rule.webhook_secret = url, secrets.token_hex(32) if url else ""


def alert_rule_create(*, acting_user: User, tenant_id: int, values: dict[str, Any], now: datetime) -> AlertRule:
    """A new rule of a tenant the user leads, with its `alert.rule.created` event."""
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise InvalidInput(f"Not an alert rule setting: {sorted(unknown)}.")
    if not is_lead(user=acting_user, tenant_id=tenant_id):
        raise NotFound(f"Tenant {tenant_id} does not exist.")
    rule = AlertRule(tenant_id=tenant_id, created_at=now)
    for name, value in values.items():
        if name != "webhook_url":
            setattr(rule, name, value)
    _set_webhook(rule, values.get("webhook_url", ""))
    _check(rule)
    with transaction.atomic():
        rule.save(force_insert=True)
        alert_event_record(
            rule=rule, type=EventType.ALERT_RULE_CREATED, now=now, actor=acting_user, data={"after": _settings_of(rule)}
        )
    logger.info(
        "alert rule created", extra={"action": "alert.rule.created", "rule_id": rule.pk, "actor": acting_user.pk}
    )
    return rule


def alert_rule_update(*, acting_user: User, rule_id: int, changes: dict[str, Any], now: datetime) -> AlertRule:
    """Change a rule of a tenant the user leads (lock → guard → write the changed fields →
    event). A firing rule keeps its episode: the next evaluation judges it by the new settings."""
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise InvalidInput(f"Not an alert rule setting: {sorted(unknown)}.")
    with transaction.atomic():
        rule = AlertRule.objects.select_for_update().filter(pk=rule_id).first()
        if rule is None or not is_lead(user=acting_user, tenant_id=rule.tenant_id):
            raise NotFound(f"Alert rule {rule_id} does not exist.")
        before = _settings_of(rule)
        secret_before = rule.webhook_secret
        for name, value in changes.items():
            if name != "webhook_url":
                setattr(rule, name, value)
        if "webhook_url" in changes:
            _set_webhook(rule, changes["webhook_url"])
        _check(rule)
        after = _settings_of(rule)
        changed = [name for name in RULE_FIELDS if before[name] != after[name]]
        if not changed:
            return rule
        fields = [_ATTNAME.get(n, n) for n in changed]
        if rule.webhook_secret != secret_before:
            fields.append("webhook_secret")
        rule.save(update_fields=fields)
        alert_event_record(
            rule=rule,
            type=EventType.ALERT_RULE_UPDATED,
            now=now,
            actor=acting_user,
            data={"before": {n: before[n] for n in changed}, "after": {n: after[n] for n in changed}},
        )
    logger.info(
        "alert rule changed",
        extra={"action": "alert.rule.updated", "rule_id": rule.pk, "fields": changed, "actor": acting_user.pk},
    )
    return rule


def _judged(rule: AlertRule, reading: Reading) -> dict[str, Any]:
    return {
        "kind": rule.kind,
        "queue": (rule.queue.title or rule.queue.name) if rule.queue is not None else None,
        "threshold": rule.threshold,
        "value": reading.value,
        "detail": reading.detail,
    }


def alert_fire(*, rule: AlertRule, reading: Reading, now: datetime) -> AlertEvent | None:
    """ok → firing: an episode begins. A compare-and-swap on the episode columns, so two
    overlapping evaluations fire it once; None when the rule had already moved."""
    with transaction.atomic():
        last = Q(last_fired_at__isnull=True) if rule.last_fired_at is None else Q(last_fired_at=rule.last_fired_at)
        moved = AlertRule.objects.filter(last, pk=rule.pk, firing_since__isnull=True).update(
            firing_since=now, last_fired_at=now, last_value=reading.value, last_evaluated_at=now
        )
        if not moved:
            return None
        rule.firing_since = rule.last_fired_at = now
        event = alert_event_record(rule=rule, type=EventType.ALERT_FIRED, now=now, data=_judged(rule, reading))
    logger.warning(
        "alert fired",
        extra={"action": "alert.fired", "rule_id": rule.pk, "value": reading.value, "tenant_id": rule.tenant_id},
    )
    return event


def alert_clear(*, rule: AlertRule, reading: Reading, now: datetime) -> AlertEvent | None:
    """firing → ok: the episode ends, and the event says since when it fired and for how long."""
    fired_at = rule.firing_since
    if fired_at is None:
        return None
    with transaction.atomic():
        moved = AlertRule.objects.filter(pk=rule.pk, firing_since=fired_at).update(
            firing_since=None, last_value=reading.value, last_evaluated_at=now
        )
        if not moved:
            return None
        rule.firing_since = None
        data = _judged(rule, reading) | {
            "fired_at": fired_at.isoformat(),
            "duration_seconds": (now - fired_at).total_seconds(),
        }
        event = alert_event_record(rule=rule, type=EventType.ALERT_CLEARED, now=now, data=data)
    logger.info("alert cleared", extra={"action": "alert.cleared", "rule_id": rule.pk, "tenant_id": rule.tenant_id})
    return event


def alert_rules_evaluate(*, now: datetime) -> SweepResult:
    """Judge every enabled rule (and every firing one, so a rule disabled while firing says it
    cleared) at `now`: fire on reaching the threshold outside the cool-down, clear on going back
    under it, otherwise only note the value. Safe to overlap: each flip is a compare-and-swap."""
    rules = list(
        AlertRule.objects.filter(Q(enabled=True) | Q(firing_since__isnull=False))
        .select_related("queue", "tenant")
        .order_by("id")
    )
    figures = Figures(now=now)
    moved = 0
    for rule in rules:
        try:
            reading = figures.read(rule) if rule.enabled else Reading(None, "the rule was disabled")
            over = reading.value is not None and reading.value >= rule.threshold
            if over and rule.firing_since is None:
                if rule.cooling_down(now):
                    # A new episode inside the cool-down is not announced; it fires at the first
                    # evaluation after the cool-down if the figure is still there.
                    _note(rule, reading, now)
                    continue
                moved += alert_fire(rule=rule, reading=reading, now=now) is not None
            elif not over and rule.firing_since is not None:
                moved += alert_clear(rule=rule, reading=reading, now=now) is not None
            else:
                _note(rule, reading, now)
        except Exception:
            # One broken rule must not stop the others' alerts.
            logger.exception("alert rule could not be evaluated", extra={"action": "alert.failed", "rule_id": rule.pk})
    if rules:
        logger.info(
            "alert rules: %d judged, %d flipped",
            len(rules),
            moved,
            extra={"action": "alert.evaluate", "examined": len(rules), "moved": moved},
        )
    return SweepResult(len(rules), moved)


def _note(rule: AlertRule, reading: Reading, now: datetime) -> None:
    AlertRule.objects.filter(pk=rule.pk).update(last_value=reading.value, last_evaluated_at=now)
