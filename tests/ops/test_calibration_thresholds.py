"""The threshold recommendation on constructed labels with a known answer, and what it means per
day (replayed through the router); the policy simulation's changed decisions and workload."""

from __future__ import annotations

import json
import math
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reviewqueue.calibration.label_sets import calibration_labels
from reviewqueue.ops.simulation import policy_simulate
from reviewqueue.ops.thresholds import Target, threshold_recommend
from reviewqueue.review.models import Draft
from scoring.calibration import Calibrator
from scoring.policy import RoutingPolicy
from tests.policy.data import auto_sent, labelled

pytestmark = pytest.mark.django_db

GOOD = (0.35, 0.45, 0.65, 0.75, 0.85, 0.95)
BAD = (0.05, 0.15, 0.25, 0.55)


@pytest.fixture
def traffic(world):  # type: ignore[no-untyped-def]
    """Ten labelled drafts (live confidence = the numbers above), each handled in 4 minutes,
    and four auto-sent drafts, all routed within the last two days."""
    t = timezone.now() - timedelta(hours=3)
    world.queue.lease_seconds = 3600
    world.queue.save(update_fields=["lease_seconds"])
    for c in GOOD:
        labelled(world, raw=c, confidence=c, good=True, now=t, handled=timedelta(minutes=4))
    for c in BAD:
        labelled(world, raw=c, confidence=c, good=False, now=t, handled=timedelta(minutes=4))
    for c in (0.9, 0.9, 0.5, 0.5):
        auto_sent(world, raw=c, confidence=c, now=t)
    return world


@pytest.mark.parametrize(
    ("target", "threshold", "escape"),
    [
        (Target("escape", 14.0), 0.65, 0.0),  # 1 bad of 7 at 0.35 is 14.3 %: too many
        (Target("escape", 15.0), 0.35, 1 / 7),
        (Target("precision", 85.0), 0.35, 1 / 7),  # the same constraint, said the other way
        (Target("escape", 25.0), 0.25, 2 / 8),
    ],
)
def test_recommendation_on_constructed_labels(traffic, target, threshold, escape) -> None:  # type: ignore[no-untyped-def]
    world = traffic
    rec = threshold_recommend(
        tenant=world.tenant, now=timezone.now(), target=target, days=2, labels=calibration_labels(tenant=world.tenant)
    )
    assert rec.labels_n == 10
    assert rec.point is not None and rec.point.threshold == threshold and math.isclose(rec.point.escape, escape)
    assert rec.policy is not None and rec.policy.thresholds.auto_send == threshold
    # Today: the 4 auto-sent drafts, the 10 reviewed ones, over 2 days; 4 min each.
    assert (rec.live.live.auto_sent, rec.live.live.for_review, rec.live.live.blocked) == (2.0, 5.0, 0.0)
    assert rec.live.handling_seconds == 240
    assert math.isclose(rec.live.live.reviewer_hours, 5 * 240 / 3600)
    # Recommended: everything at or above the threshold is auto-sent (no rule holds these
    # drafts), everything under the default policy's block threshold is blocked.
    confidences = [*GOOD, *BAD, 0.9, 0.9, 0.5, 0.5]
    auto = sum(c >= threshold for c in confidences)
    block_below = RoutingPolicy.default().thresholds.queue_for_review
    blocked = sum(c < min(block_below, threshold) for c in confidences)
    w = rec.recommended.candidate
    assert (w.auto_sent, w.blocked, w.for_review) == (auto / 2, blocked / 2, (14 - auto - blocked) / 2)
    assert math.isclose(w.reviewer_hours, (14 - auto - blocked) * 240 / 3600 / 2)


def test_no_threshold_meets_an_impossible_target(traffic) -> None:  # type: ignore[no-untyped-def]
    labelled(traffic, raw=0.99, confidence=0.99, good=False)  # the most confident draft is bad
    rec = threshold_recommend(
        tenant=traffic.tenant,
        now=timezone.now(),
        target=Target("escape", 0.0),
        days=2,
        labels=calibration_labels(tenant=traffic.tenant),
    )
    assert rec.point is None and rec.policy is None and rec.recommended is None


def test_recommendation_with_a_fitted_calibrator_uses_its_probabilities(traffic) -> None:  # type: ignore[no-untyped-def]
    # A calibrator that maps every raw score s to s / 2: nothing reaches 0.65 any more.
    halve = Calibrator("platt", {"a": 0.0, "b": 0.0}, "half", 0)
    rec = threshold_recommend(
        tenant=traffic.tenant,
        now=timezone.now(),
        target=Target("escape", 14.0),
        days=2,
        labels=calibration_labels(tenant=traffic.tenant),
        calibrator=halve,
    )
    # Platt with a = 0 gives 0.5 for every draft: one threshold, auto-send all, 40 % bad.
    assert rec.point is None
    rec = threshold_recommend(
        tenant=traffic.tenant,
        now=timezone.now(),
        target=Target("escape", 40.0),
        days=2,
        labels=calibration_labels(tenant=traffic.tenant),
        calibrator=halve,
    )
    assert rec.point is not None and rec.point.threshold == 0.5 and rec.point.auto_share == 1.0


def test_simulation_reports_changed_decisions_and_labels(traffic) -> None:  # type: ignore[no-untyped-def]
    strict = RoutingPolicy.from_dict(
        {"version": "strict", "thresholds": {"auto_send": 0.92, "auto_draft_human_send": 0.6, "queue_for_review": 0.0}}
    )
    before = list(Draft.objects.order_by("pk").values_list("pk", "decision", "status", "versions"))
    sim = policy_simulate(
        tenant=traffic.tenant,
        now=timezone.now(),
        days=2,
        labels=calibration_labels(tenant=traffic.tenant),
        policy=strict,
    )
    assert sim.replayed == 14 and sim.skipped == 0
    # Auto-sent 0.9 ×2 → auto_draft_human_send; auto-sent 0.5 ×2 → review; the labelled 0.95
    # (reviewed live) → auto-send; 0.65–0.85 → auto_draft_human_send.
    changed = {(a, b): n for a, b, n in sim.transitions}
    assert changed == {
        ("auto_send", "auto_draft_human_send"): 2,
        ("auto_send", "queue_for_review"): 2,
        ("queue_for_review", "auto_send"): 1,
        ("queue_for_review", "auto_draft_human_send"): 3,
    }
    assert sim.changed == 8 and sim.changed_labels == {"unlabelled": 4, "good": 4}
    assert sim.candidate.auto_sent == 0.5 and sim.labelled_auto_n == 1 and sim.labelled_escape == 0.0
    assert math.isclose(sim.predicted_escape, 0.05)  # 1 − 0.95
    # The simulation wrote nothing: every draft keeps its stored decision.
    assert list(Draft.objects.order_by("pk").values_list("pk", "decision", "status", "versions")) == before
    assert sorted(Draft.objects.filter(tenant=traffic.tenant).values_list("decision", flat=True)) == sorted(
        ["auto_send"] * 4 + ["queue_for_review"] * 10
    )


def test_simulation_from_the_page(traffic, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(traffic.lead)
    config = json.dumps(
        {"version": "strict", "thresholds": {"auto_send": 0.92, "auto_draft_human_send": 0.6, "queue_for_review": 0.0}}
    )
    html = client.post(
        reverse("ops:calibration_simulate"), {"tenant": traffic.tenant.slug, "days": "2", "config": config}
    ).content.decode()
    assert '<strong id="simulation-changed">8</strong> of 14' in html
    bad = client.post(
        reverse("ops:calibration_simulate"),
        {"tenant": traffic.tenant.slug, "days": "2", "config": '{"version": "x", "thresholds": {"auto_send": 2}}'},
        HTTP_ACCEPT="application/json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"
    rec = client.get(
        reverse("ops:calibration_recommend"),
        {"tenant": traffic.tenant.slug, "target": "escape", "percent": "15", "days": "2"},
    ).content.decode()
    assert '<strong id="recommended-threshold">0.3500</strong>' in rec
