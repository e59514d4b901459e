"""The worker records the shadow candidate's decision beside the live one, and the shadow never
changes live routing: the same draft is routed, decided and recorded exactly as without it."""

from __future__ import annotations

import math
from typing import Any

import pytest
from django.utils import timezone

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.calibration import shadow
from reviewqueue.intake import worker
from reviewqueue.policy.models import CalibratorVersion, ShadowDecision
from reviewqueue.review.models import Draft, ReviewItem
from tests.factories import make_draft

pytestmark = pytest.mark.django_db

# Blocks every draft, and lets a low uncalibrated confidence block too: as far from the live
# default as a policy gets, so any leak into live routing would show.
TIMES_AND_KEYS = ("idempotency_key", "due_at")
BLOCK_ALL = {
    "version": "block-all",
    "thresholds": {"auto_send": 1.0, "auto_draft_human_send": 1.0, "queue_for_review": 1.0},
    "uncalibrated_confidence_cap": "block",
}


def _live(draft: Draft) -> dict[str, Any]:
    """Everything live routing decided and recorded for a draft (its own key and the times, which
    differ between two drafts whatever routes them, left out)."""
    draft.refresh_from_db()
    events = [
        (e.type, e.from_state, e.to_state, {k: v for k, v in e.data.items() if k not in TIMES_AND_KEYS})
        for e in ReviewEvent.objects.filter(draft=draft).order_by("id")
    ]
    items = list(ReviewItem.objects.filter(draft=draft).values_list("queue_id", "state"))
    return {
        "status": draft.status,
        "decision": draft.decision,
        "reasons": draft.decision_reasons,
        "versions": draft.versions,
        "confidence": draft.confidence,
        "outcome": draft.outcome,
        "final_text": draft.final_text,
        "events": events,
        "items": items,
    }


@pytest.mark.parametrize("metadata", [{"intent": "warranty"}, {"intent": "refund", "amount": 5000}])
def test_a_shadow_policy_never_changes_live_routing(world, tiny_scorer, metadata) -> None:  # type: ignore[no-untyped-def]
    without = make_draft(world, metadata=metadata)
    live_action = worker.score_and_route(without.pk)
    shadow.candidate_stage_policy(acting_user=world.lead, tenant=world.tenant, config=BLOCK_ALL, now=timezone.now())
    with_shadow = make_draft(world, metadata=metadata)
    assert worker.score_and_route(with_shadow.pk) == live_action
    assert _live(with_shadow) == _live(without)
    recorded = ShadowDecision.objects.get(draft=with_shadow)
    assert recorded.live_action == live_action != "block"
    assert recorded.shadow_action == "block"
    assert recorded.live_confidence == with_shadow.confidence == recorded.shadow_confidence
    assert not ShadowDecision.objects.filter(draft=without).exists()
    # A re-delivered task records nothing twice (and routes nothing twice).
    assert worker.score_and_route(with_shadow.pk) == "already_routed"
    assert ShadowDecision.objects.filter(draft=with_shadow).count() == 1


def test_a_shadow_calibrator_is_recorded_with_its_confidence(world, tiny_scorer) -> None:  # type: ignore[no-untyped-def]
    artefact = {
        "format": "reviewqueue.calibrator/1",
        "method": "platt",
        "version": "sure",
        "params": {"a": 0.0, "b": 5.0},
    }
    row = CalibratorVersion.objects.create(
        tenant=world.tenant, version="sure", artefact=artefact, created_at=timezone.now()
    )
    without = make_draft(world)
    worker.score_and_route(without.pk)
    shadow.candidate_stage_calibrator(acting_user=world.lead, calibrator_id=row.pk, now=timezone.now())
    draft = make_draft(world)
    worker.score_and_route(draft.pk)
    assert _live(draft) == _live(without)
    assert draft.versions["calibrator"] != "sure"
    recorded = ShadowDecision.objects.get(draft=draft)
    assert math.isclose(recorded.shadow_confidence, 1 / (1 + math.exp(-5.0)))
    assert recorded.live_confidence == draft.confidence


def test_a_failing_shadow_costs_the_comparison_not_the_draft(world, tiny_scorer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    without = make_draft(world)
    live_action = worker.score_and_route(without.pk)
    shadow.candidate_stage_policy(acting_user=world.lead, tenant=world.tenant, config=BLOCK_ALL, now=timezone.now())

    def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("shadow bug")

    monkeypatch.setattr(shadow, "decide_again", explode)
    draft = make_draft(world)
    assert worker.score_and_route(draft.pk) == live_action
    assert _live(draft) == _live(without)
    assert not ShadowDecision.objects.exists()
