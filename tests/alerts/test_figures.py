"""What each rule kind reads, on constructed data with hand-computed figures (tests/ops/data.py
for the floor and the SLA, tests/ops/test_drift.py for PSI), at the window edges."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from reviewqueue.alerts.figures import Figures
from reviewqueue.alerts.models import AlertEvent
from reviewqueue.alerts.services import alert_rule_create, alert_rules_evaluate
from tests.conftest import T0
from tests.ops.data import build_day
from tests.ops.test_drift import EXPECTED, build_drift

pytestmark = pytest.mark.django_db

US = timedelta(microseconds=1)


def _rule(world, kind, threshold, *, queue=None, window=60):  # type: ignore[no-untyped-def]
    return alert_rule_create(
        acting_user=world.lead,
        tenant_id=world.tenant.pk,
        values={
            "name": kind,
            "kind": kind,
            "queue": queue,
            "threshold": threshold,
            "window_minutes": window,
            "cooldown_minutes": 30,
        },
        now=timezone.now(),
    )


def test_floor_and_sla_figures(world, clock) -> None:  # type: ignore[no-untyped-def]
    build_day(world)
    figures = Figures(now=T0)
    # Open: e (enqueued T0 − 60 min, due T0: past due) and f (due T0 + 1 min: at risk).
    assert figures.read(_rule(world, "backlog_depth", 2, queue=world.queue)).value == 2
    assert figures.read(_rule(world, "backlog_depth", 2)).value == 2  # the tenant: l2 is empty
    assert figures.read(_rule(world, "backlog_depth", 2, queue=world.l2_queue)).value == 0
    assert figures.read(_rule(world, "at_risk", 1)).value == 1
    oldest = figures.read(_rule(world, "oldest_age", 60))
    assert oldest.value == 60 and oldest.detail == "oldest in billing"
    # Breaches: b's at T0 − 24 h + 1 µs is inside a 24 h window; a's, exactly at T0 − 24 h, is not.
    assert figures.read(_rule(world, "sla_breaches", 1, window=24 * 60)).value == 1
    assert figures.read(_rule(world, "sla_breaches", 1, window=25 * 60)).value == 2
    # Scoring: in the last 24 h c, d, e, f and the failed draft were scored, one failed: 20 %.
    rate = figures.read(_rule(world, "scoring_failure_rate", 10, window=24 * 60))
    assert rate.value == pytest.approx(20) and rate.detail == "1 of 5 drafts in the last 24 h"
    # In the last hour: f and the failed draft (e, at exactly T0 − 60 min, is outside): 50 %.
    assert figures.read(_rule(world, "scoring_failure_rate", 10, window=60)).value == pytest.approx(50)


def test_no_data_never_fires(world, clock) -> None:  # type: ignore[no-untyped-def]
    figures = Figures(now=T0)
    assert figures.read(_rule(world, "oldest_age", 1)).value is None
    assert figures.read(_rule(world, "scoring_failure_rate", 1)).value is None
    assert figures.read(_rule(world, "drift_psi", 0.2)).value is None
    assert alert_rules_evaluate(now=T0).moved == 0


def test_drift_rule_fires_on_the_shifted_pair(world, clock) -> None:  # type: ignore[no-untyped-def]
    build_drift(world)
    rule = _rule(world, "drift_psi", 0.2, window=24 * 60)
    reading = Figures(now=T0).read(rule)
    assert reading.value == pytest.approx(EXPECTED) and "prompt p1, model gen-a" in reading.detail
    assert alert_rules_evaluate(now=T0).moved == 1
    fired = AlertEvent.objects.get(rule=rule, type="alert.fired")
    assert fired.data["value"] == pytest.approx(EXPECTED) and fired.data["threshold"] == 0.2


def test_threshold_is_reached_at_equality(world, clock) -> None:  # type: ignore[no-untyped-def]
    build_day(world)
    exactly = _rule(world, "oldest_age", 60)  # the oldest is exactly 60 min old
    above = _rule(world, "oldest_age", 60 + 1e-9)
    assert alert_rules_evaluate(now=T0).moved == 1
    assert AlertEvent.objects.filter(type="alert.fired").get().rule_id == exactly.pk
    assert above.pk


def test_one_read_per_figure_however_many_rules(world, clock, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    build_day(world)
    for n in range(5):
        _rule(world, "backlog_depth", 100 + n)
        _rule(world, "at_risk", 100 + n, queue=world.queue)
    # The rules (1), the queue stats (queues + one aggregate: 2), then one note per rule (10).
    with django_assert_num_queries(13):
        alert_rules_evaluate(now=T0)
