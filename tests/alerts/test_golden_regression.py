"""The golden-set regression alert: a rule on the tenant's latest live golden run fires once when
a run falls beyond the tolerance, is delivered like every alert (signed webhook to a real local
HTTP server, Slack text, e-mail), and clears when a later live run is back within it. A gate's
candidate run is not live and never fires it (the gate refuses that candidate itself)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from reviewqueue.alerts import delivery
from reviewqueue.alerts.models import AlertEvent, AlertRule
from reviewqueue.alerts.services import alert_rule_create, alert_rules_evaluate
from reviewqueue.errors import InvalidInput
from reviewqueue.golden.models import GoldenRun
from tests.conftest import T0

pytestmark = pytest.mark.django_db

MIN = timedelta(minutes=1)
AUROC_DROP = [{"metric": "auroc", "baseline": 0.81, "candidate": 0.5, "change": -0.31, "tolerance": 0.02}]


def _run(world, *, at, regression=(), live=True, calibrator="cal-1") -> GoldenRun:  # type: ignore[no-untyped-def]
    """A stored golden run as `golden.services._store_run` writes it (only the flag matters here)."""
    return GoldenRun.objects.create(
        tenant=world.tenant,
        model="m1",
        fusion="f1",
        calibrator=calibrator,
        policy="default-3",
        live=live,
        trigger="version_change" if live else "gate",
        n=6,
        n_bad=3,
        auroc=0.5 if regression else 0.81,
        auto_sent=2,
        bad_auto_sent=0,
        escape_rate=0.0,
        auto_send_share=1 / 3,
        seconds=0.1,
        regression=list(regression),
        created_at=at,
    )


def _rule(world, receiver, **values) -> AlertRule:  # type: ignore[no-untyped-def]
    settings = {
        "name": "Golden-set regression",
        "kind": "golden_regression",
        "threshold": 1.0,
        "cooldown_minutes": 30,
        "webhook_url": receiver.url,
        "webhook_format": "json",
        "email_to": ["lead@example.com"],
    }
    settings.update(values)
    return alert_rule_create(acting_user=world.lead, tenant_id=world.tenant.pk, values=settings, now=timezone.now())


def _payloads(rule: AlertRule, receiver) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    rule.refresh_from_db()
    out = []
    for headers, body in receiver.requests:
        expected = "sha256=" + hmac.new(rule.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["X-Reviewqueue-Signature"], expected)
        out.append(json.loads(body))
    return out


def test_a_regressing_live_run_fires_once_and_a_clean_one_clears_it(world, receiver, clock) -> None:  # type: ignore[no-untyped-def]
    rule = _rule(world, receiver)
    assert alert_rules_evaluate(now=T0).moved == 0  # no golden run yet: nothing to judge
    rule.refresh_from_db()
    assert rule.last_value is None

    _run(world, at=T0 - 10 * MIN)  # the first run: no baseline, no regression
    assert alert_rules_evaluate(now=T0).moved == 0
    # A gate's candidate that regresses is not the live figure: no alert.
    _run(world, at=T0 - 5 * MIN, regression=AUROC_DROP, live=False, calibrator="flat-1")
    assert alert_rules_evaluate(now=T0 + MIN).moved == 0

    regressed = _run(world, at=T0 + 2 * MIN, regression=AUROC_DROP, calibrator="flat-1")
    assert alert_rules_evaluate(now=T0 + 3 * MIN).moved == 1
    assert alert_rules_evaluate(now=T0 + 4 * MIN).moved == 0  # the same episode: no second fire
    assert delivery.alert_outbox_sweep(now=T0 + 4 * MIN).moved == 1
    [fired] = _payloads(rule, receiver)
    assert fired["type"] == "alert.fired" and fired["value"] == 1 and fired["rule"]["kind"] == "golden_regression"
    assert f"run {regressed.pk}" in fired["detail"] and "auroc 0.810 → 0.500 (tolerance 0.020)" in fired["detail"]
    assert "FIRING" in mail.outbox[0].subject
    assert "Golden-set figures beyond tolerance in the latest live run is 1" in mail.outbox[0].body

    clean = _run(world, at=T0 + 20 * MIN, calibrator="cal-2")  # rolled back / refitted: within tolerance again
    assert alert_rules_evaluate(now=T0 + 21 * MIN).moved == 1
    assert delivery.alert_outbox_sweep(now=T0 + 21 * MIN).moved == 1
    cleared = _payloads(rule, receiver)[1]
    assert cleared["type"] == "alert.cleared" and cleared["value"] == 0 and f"run {clean.pk}" in cleared["detail"]
    assert "CLEARED" in mail.outbox[1].subject
    assert list(AlertEvent.objects.filter(rule=rule).values_list("type", flat=True)) == [
        "alert.rule.created",
        "alert.fired",
        "alert.cleared",
    ]


def test_the_slack_text_names_the_figures(world, receiver, clock) -> None:  # type: ignore[no-untyped-def]
    rule = _rule(world, receiver, webhook_format="slack", email_to=[])
    _run(world, at=T0 - MIN, regression=AUROC_DROP)
    alert_rules_evaluate(now=T0)
    delivery.alert_outbox_sweep(now=T0)
    [payload] = _payloads(rule, receiver)
    assert set(payload) == {"text"}
    assert payload["text"].startswith(f"[reviewqueue FIRING] Golden-set regression ({world.tenant.slug})")
    assert "auroc 0.810 → 0.500" in payload["text"]


def test_another_tenants_regression_is_not_ours(world, receiver, clock) -> None:  # type: ignore[no-untyped-def]
    _rule(world, receiver)
    other = _run(world, at=T0 - MIN, regression=AUROC_DROP)
    GoldenRun.objects.filter(pk=other.pk).update(tenant=world.other_tenant)
    assert alert_rules_evaluate(now=T0).moved == 0


@pytest.mark.parametrize(
    ("values", "field"),
    [({"queue": "queue"}, "queue"), ({"threshold": 3.0}, "threshold"), ({"threshold": 0.5}, "threshold")],
)
def test_the_rule_is_the_tenants_and_counts_figures(world, values, field) -> None:  # type: ignore[no-untyped-def]
    if values.get("queue") == "queue":
        values = {"queue": world.queue}
    with pytest.raises(InvalidInput) as refused:
        alert_rule_create(
            acting_user=world.lead,
            tenant_id=world.tenant.pk,
            values={"name": "g", "kind": "golden_regression", "threshold": 1.0, **values},
            now=timezone.now(),
        )
    assert field in refused.value.details["fields"]
