"""Alert episodes end to end: a rule fires once when its figure reaches the threshold, says when
it clears, stays quiet within its cool-down, and is delivered from the outbox to a real local
HTTP server (signature checked) and by e-mail through Django's locmem backend."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from reviewqueue.alerts import delivery
from reviewqueue.alerts.figures import Reading
from reviewqueue.alerts.models import AlertEvent, AlertRule
from reviewqueue.alerts.services import alert_fire, alert_rule_create, alert_rule_update, alert_rules_evaluate
from reviewqueue.review import services
from tests.conftest import T0
from tests.factories import make_pending_item

pytestmark = pytest.mark.django_db

MIN = timedelta(minutes=1)
US = timedelta(microseconds=1)


def _rule(world, receiver=None, **values):  # type: ignore[no-untyped-def]
    settings = {
        "name": "Billing backlog",
        "kind": "backlog_depth",
        "queue": world.queue,
        "threshold": 2.0,
        "window_minutes": 60,
        "cooldown_minutes": 30,
        "enabled": True,
        "webhook_url": receiver.url if receiver else "",
        "webhook_format": "json",
        "email_to": ["lead@example.com"],
    }
    settings.update(values)
    return alert_rule_create(acting_user=world.lead, tenant_id=world.tenant.pk, values=settings, now=timezone.now())


def _signed(rule: AlertRule, headers: dict[str, str], body: bytes) -> dict:  # type: ignore[type-arg]
    rule.refresh_from_db()
    expected = "sha256=" + hmac.new(rule.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Reviewqueue-Signature"], expected)
    payload: dict = json.loads(body)  # type: ignore[type-arg]
    assert headers["X-Reviewqueue-Event-Id"] == payload.get("event_id", headers["X-Reviewqueue-Event-Id"])
    return payload


def _types(rule: AlertRule) -> list[str]:
    return list(AlertEvent.objects.filter(rule=rule).order_by("id").values_list("type", flat=True))


def test_fires_once_per_episode_and_says_when_it_clears(world, receiver, clock) -> None:  # type: ignore[no-untyped-def]
    rule = _rule(world, receiver)
    first = make_pending_item(world, now=T0 - 10 * MIN)
    assert alert_rules_evaluate(now=T0).moved == 0  # depth 1 < 2
    make_pending_item(world, now=T0 - 5 * MIN)
    assert alert_rules_evaluate(now=T0).moved == 1  # depth 2: reaches the threshold
    # Still at the threshold, and above it: the same episode, no second fire.
    make_pending_item(world, now=T0)
    assert alert_rules_evaluate(now=T0 + MIN).moved == 0
    assert alert_rules_evaluate(now=T0 + 2 * MIN).moved == 0
    assert _types(rule) == ["alert.rule.created", "alert.fired"]

    assert delivery.alert_outbox_sweep(now=T0 + 2 * MIN).moved == 1
    assert len(receiver.requests) == 1 and len(mail.outbox) == 1
    fired = _signed(rule, *receiver.requests[0])
    assert fired["type"] == "alert.fired" and fired["value"] == 2 and fired["rule"]["threshold"] == 2
    assert fired["rule"]["queue"] == world.queue.name and fired["cleared_at"] is None
    assert fired["fired_at"] == T0.isoformat()
    assert mail.outbox[0].to == ["lead@example.com"] and "FIRING" in mail.outbox[0].subject
    assert "is 2, at or above the threshold 2" in mail.outbox[0].body
    assert delivery.alert_outbox_sweep(now=T0 + 3 * MIN).examined == 0  # nothing left to deliver

    # Two of three resolved: depth 1, under the threshold: the episode ends.
    for _ in range(2):
        item = services.review_item_claim_next(user=world.reviewer, now=T0 + 4 * MIN)
        assert item is not None
        services.review_item_submit(user=world.reviewer, item_id=item.pk, disposition="approved", now=T0 + 5 * MIN)
    assert alert_rules_evaluate(now=T0 + 40 * MIN).moved == 1
    assert alert_rules_evaluate(now=T0 + 41 * MIN).moved == 0  # cleared once
    assert delivery.alert_outbox_sweep(now=T0 + 41 * MIN).moved == 1
    cleared = _signed(rule, *receiver.requests[1])
    assert cleared["type"] == "alert.cleared" and cleared["value"] == 1
    assert cleared["fired_at"] == T0.isoformat() and cleared["cleared_at"] == (T0 + 40 * MIN).isoformat()
    assert "CLEARED" in mail.outbox[1].subject and "after 40 min" in mail.outbox[1].body
    rule.refresh_from_db()
    assert rule.firing_since is None and rule.last_fired_at == T0 and rule.last_value == 1
    assert first.pk  # the oldest item is still open


def test_cooldown_edges(world, clock) -> None:  # type: ignore[no-untyped-def]
    rule = _rule(world, threshold=1.0, cooldown_minutes=30, email_to=[])
    item = make_pending_item(world, now=T0)
    assert alert_rules_evaluate(now=T0).moved == 1  # fired at T0
    services.review_item_claim_next(user=world.reviewer, now=T0 + MIN)
    services.review_item_submit(user=world.reviewer, item_id=item.pk, disposition="approved", now=T0 + MIN)
    assert alert_rules_evaluate(now=T0 + 2 * MIN).moved == 1  # cleared
    make_pending_item(world, now=T0 + 3 * MIN)  # a new episode begins within the cool-down
    assert alert_rules_evaluate(now=T0 + 30 * MIN - US).moved == 0  # just before: not announced
    rule.refresh_from_db()
    assert rule.state(T0 + 30 * MIN - US) == "cooling down" and rule.last_value == 1
    assert alert_rules_evaluate(now=T0 + 30 * MIN).moved == 1  # exactly at the end: fires
    assert alert_rules_evaluate(now=T0 + 30 * MIN + US).moved == 0  # just after: same episode
    assert _types(rule) == ["alert.rule.created", "alert.fired", "alert.cleared", "alert.fired"]
    fired = AlertEvent.objects.filter(rule=rule, type="alert.fired").order_by("id")
    assert [e.created_at for e in fired] == [T0, T0 + 30 * MIN]


def test_a_zero_cooldown_fires_each_new_episode(world, clock) -> None:  # type: ignore[no-untyped-def]
    rule = _rule(world, threshold=1.0, cooldown_minutes=0, email_to=[])
    item = make_pending_item(world, now=T0)
    assert alert_rules_evaluate(now=T0).moved == 1
    services.review_item_claim_next(user=world.reviewer, now=T0)
    services.review_item_submit(user=world.reviewer, item_id=item.pk, disposition="approved", now=T0)
    assert alert_rules_evaluate(now=T0 + US).moved == 1
    make_pending_item(world, now=T0 + US)
    assert alert_rules_evaluate(now=T0 + 2 * US).moved == 1
    assert _types(rule).count("alert.fired") == 2


def test_the_fire_is_a_compare_and_swap(world, clock) -> None:  # type: ignore[no-untyped-def]
    rule = _rule(world, threshold=1.0, email_to=[])
    stale = AlertRule.objects.get(pk=rule.pk)  # what a second, overlapping evaluation read
    reading = Reading(3.0, "billing: 3")
    assert alert_fire(rule=rule, reading=reading, now=T0) is not None
    assert alert_fire(rule=stale, reading=reading, now=T0 + US) is None
    assert _types(rule).count("alert.fired") == 1


def test_slack_payload_is_signed_text(world, receiver, clock) -> None:  # type: ignore[no-untyped-def]
    rule = _rule(world, receiver, webhook_format="slack", email_to=[], threshold=1.0)
    make_pending_item(world, now=T0 - 61 * MIN)
    alert_rules_evaluate(now=T0)
    delivery.alert_outbox_sweep(now=T0)
    payload = _signed(rule, *receiver.requests[0])
    assert set(payload) == {"text"}
    assert payload["text"].startswith(f"[reviewqueue FIRING] Billing backlog ({world.tenant.slug})")
    assert "Backlog depth (open items) in billing is 1" in payload["text"]


def test_a_failed_channel_is_retried_without_repeating_the_other(world, receiver, clock) -> None:  # type: ignore[no-untyped-def]
    rule = _rule(world, receiver, threshold=1.0)
    make_pending_item(world, now=T0)
    alert_rules_evaluate(now=T0)
    receiver.status = 503
    assert delivery.alert_outbox_sweep(now=T0).moved == 0
    assert len(receiver.requests) == 1 and len(mail.outbox) == 1  # the mail went; the webhook did not
    receiver.status = 200
    assert delivery.alert_outbox_sweep(now=T0 + MIN).moved == 1
    assert len(receiver.requests) == 2 and len(mail.outbox) == 1  # no second mail
    event = AlertEvent.objects.get(rule=rule, type="alert.fired")
    assert event.email_done_at == T0 and event.webhook_done_at == T0 + MIN and event.notified_at == T0 + MIN


def test_a_cleared_never_overtakes_its_fired(world, receiver, clock) -> None:  # type: ignore[no-untyped-def]
    rule = _rule(world, receiver, threshold=1.0, email_to=[])
    item = make_pending_item(world, now=T0)
    alert_rules_evaluate(now=T0)
    services.review_item_claim_next(user=world.reviewer, now=T0)
    services.review_item_submit(user=world.reviewer, item_id=item.pk, disposition="approved", now=T0)
    alert_rules_evaluate(now=T0 + MIN)
    receiver.status = 500
    delivery.alert_outbox_sweep(now=T0 + MIN)
    assert len(receiver.requests) == 1  # the fired one failed; the cleared one waited
    receiver.status = 200
    assert delivery.alert_outbox_sweep(now=T0 + 2 * MIN).moved == 2
    types = [json.loads(body)["type"] for _, body in receiver.requests]
    assert types == ["alert.fired", "alert.fired", "alert.cleared"]
    assert rule.pk


def test_a_private_receiver_is_refused_at_delivery(world, receiver, clock, settings) -> None:  # type: ignore[no-untyped-def]
    rule = _rule(world, receiver, threshold=1.0, email_to=[])
    settings.REVIEWQUEUE_WEBHOOK_ALLOW_PRIVATE = False  # the SSRF guard, on every connect
    make_pending_item(world, now=T0)
    alert_rules_evaluate(now=T0)
    assert delivery.alert_outbox_sweep(now=T0).moved == 0
    assert receiver.requests == []
    assert AlertEvent.objects.filter(rule=rule, notified_at__isnull=True).count() == 1  # kept, not lost


def test_disabling_a_firing_rule_clears_it(world, clock) -> None:  # type: ignore[no-untyped-def]
    rule = _rule(world, threshold=1.0, email_to=[])
    make_pending_item(world, now=T0)
    alert_rules_evaluate(now=T0)
    alert_rule_update(acting_user=world.lead, rule_id=rule.pk, changes={"enabled": False}, now=T0 + MIN)
    assert alert_rules_evaluate(now=T0 + 2 * MIN).moved == 1
    cleared = AlertEvent.objects.get(rule=rule, type="alert.cleared")
    assert cleared.data["detail"] == "the rule was disabled" and cleared.data["duration_seconds"] == 120
    assert alert_rules_evaluate(now=T0 + 3 * MIN).examined == 0  # disabled and ok: not read at all


def test_rule_edits_are_history_not_alerts(world, receiver, clock) -> None:  # type: ignore[no-untyped-def]
    rule = _rule(world, receiver)
    alert_rule_update(acting_user=world.lead, rule_id=rule.pk, changes={"threshold": 5.0}, now=T0)
    assert delivery.alert_outbox_sweep(now=T0).examined == 0
    assert receiver.requests == [] and mail.outbox == []
    assert AlertEvent.objects.filter(rule=rule, notified_at__isnull=True).count() == 0


def test_seed_demo_gives_the_lead_three_rules_that_evaluate(db) -> None:  # type: ignore[no-untyped-def]
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())
    rules = AlertRule.objects.filter(tenant__slug="acme").order_by("name")
    assert [(r.name, r.kind, r.threshold) for r in rules] == [
        ("Any SLA breach", "sla_breaches", 1.0),
        ("Billing backlog", "backlog_depth", 10.0),
        ("Golden-set regression", "golden_regression", 1.0),
    ]
    assert alert_rules_evaluate(now=timezone.now()).examined == 3
    assert AlertEvent.objects.filter(type="alert.rule.created", actor__username="lead").count() == 3
