"""The judge before routing: its verdicts in the fusion, the decision's record of the signals it
used and lacked, failing closed without it, and the audit trigger."""

from __future__ import annotations

import json
import math

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.intake import worker
from reviewqueue.intake.scorer import get_scorer
from reviewqueue.llm import hooks
from reviewqueue.llm.models import JudgeRun, JudgeVerdict
from reviewqueue.policy.services import policy_publish
from reviewqueue.review import services
from reviewqueue.review.models import Decision, Draft, Queue, ReviewItem
from scoring.fusion import EXTERNAL_WEIGHTS, judge_features
from scoring.guardrails import GuardrailRules
from tests.calibration.helpers import routed
from tests.factories import make_draft, make_queue
from tests.llm import fake_llm as fake

pytestmark = pytest.mark.django_db

REFUND = {"intent": "refund", "prompt_version": "faq-v3"}  # a high-risk intent of the default policy


def baseline(draft: Draft):  # type: ignore[no-untyped-def]
    return get_scorer().score(worker.draft_input(draft), rules=GuardrailRules.from_dict({}))


def logit(p: float) -> float:
    return math.log(p / (1 - p))


def routed_event(draft: Draft) -> ReviewEvent:
    return ReviewEvent.objects.get(draft=draft, type="draft.routed")


def permissive_policy(world) -> None:  # type: ignore[no-untyped-def]
    """A policy that auto-sends whatever the score, for refunds too: only failing closed holds."""
    policy_publish(
        tenant=world.tenant,
        config={
            "version": "send-everything-1",
            "thresholds": {"auto_send": 0.0, "auto_draft_human_send": 0.0, "queue_for_review": 0.0},
            "high_risk_intents": ["refund"],
            "uncalibrated_confidence_cap": "block",
            "refuted_action": "queue_for_review",
        },
        now=timezone.now(),
    )


def test_judge_features_count_only_readable_verdicts() -> None:
    assert judge_features(["supported", "supported", "contradicted", "not_in_evidence"]) == {
        "judge_support": 0.5,
        "judge_contradicted": 0.25,
    }
    assert judge_features(["supported", "invalid"]) == {"judge_support": 1.0, "judge_contradicted": 0.0}
    assert judge_features(["invalid"]) == {} and judge_features([]) == {}


@pytest.mark.parametrize(("verdict", "support", "contradicted"), [("supported", 1.0, 0.0), ("contradicted", 0.0, 1.0)])
def test_the_judge_runs_before_routing_and_changes_the_fused_score(
    world, tiny_scorer, llm_on, fake_llm, eager_celery, verdict, support, contradicted
) -> None:
    llm_on(consistency_samples=0)
    fake_llm.judge = fake.judge_says(verdict)
    draft = make_draft(world, metadata=REFUND)
    expected = baseline(draft)
    worker.score_and_route(draft.pk)
    draft.refresh_from_db()

    features = draft.score["features"]
    assert (features["judge_support"], features["judge_contradicted"]) == (support, contradicted)
    # The scorer's own fusion with the two features added at their hand-set weights, nothing else.
    z = logit(expected.raw_score)
    z += EXTERNAL_WEIGHTS["judge_support"] * (support - 0.5) + EXTERNAL_WEIGHTS["judge_contradicted"] * contradicted
    assert draft.score["raw_score"] == pytest.approx(1 / (1 + math.exp(-z)))
    assert (draft.score["raw_score"] > expected.raw_score) is (verdict == "supported")
    assert draft.confidence != pytest.approx(expected.confidence)
    assert "judge" in draft.score["timings_ms"]

    # Stored once, before routing, and not judged again after it.
    run = JudgeRun.objects.get(draft=draft)
    assert (run.status, run.reason) == ("done", "high_risk_intent")
    assert {v.verdict for v in JudgeVerdict.objects.filter(draft=draft)} == {verdict}
    judge_calls = [r for r in fake_llm.requests if fake.is_judge(r)]
    assert len(judge_calls) == 2 == len(fake_llm.requests)  # two checkable claims, one call each
    assert not any(r.startswith("llm_signal_missing") for r in draft.decision_reasons)

    signals = routed_event(draft).data["signals"]
    assert {"nli", "guardrails", "judge"} <= set(signals["used"]) and "self_consistency" not in signals["used"]
    assert {"signal": "logprobs", "reason": "not_sent"} in signals["missing"]
    assert not [m for m in signals["missing"] if m["signal"] in ("judge", "self_consistency")]


def test_both_llm_signals_share_one_fusion(world, tiny_scorer, llm_on, fake_llm) -> None:
    draft = make_draft(world, metadata=REFUND)
    fake_llm.answer = draft.text
    fake_llm.judge = fake.judge_says("not_in_evidence")
    expected = baseline(draft)
    worker.score_and_route(draft.pk)
    draft.refresh_from_db()
    f = draft.score["features"]
    z = logit(expected.raw_score) + EXTERNAL_WEIGHTS["self_consistency"] * (f["self_consistency"] - 0.5)
    z += EXTERNAL_WEIGHTS["judge_support"] * (0.0 - 0.5)
    assert draft.score["raw_score"] == pytest.approx(1 / (1 + math.exp(-z)))
    assert routed_event(draft).data["signals"]["used"][-2:] == ["self_consistency", "judge"]


@pytest.mark.parametrize(
    ("setup", "reason"),
    [("down", "unavailable"), ("slow", "timeout"), ("budget", "over_budget"), ("invalid", "invalid_answers")],
)
def test_without_the_judge_a_high_risk_intent_fails_closed(world, tiny_scorer, llm_on, fake_llm, setup, reason) -> None:
    """The same draft under a policy that sends everything: auto-sent with the judge, held
    without it, and the decision says which signal was missing and why."""
    permissive_policy(world)
    llm_on(consistency_samples=0, max_retries=0)
    judged = make_draft(world, metadata=REFUND)
    assert worker.score_and_route(judged.pk) == "auto_send"

    if setup == "down":
        fake_llm.default = fake.status(500)
    elif setup == "slow":
        llm_on(consistency_samples=0, max_retries=0, signal_budget_seconds=0.5)
        fake_llm.default = fake.hang(3.0)
    elif setup == "budget":
        llm_on(consistency_samples=0, daily_token_budget=10)
    else:
        fake_llm.judge = fake.ok('{"verdict": "probably", "quote": ""}')
    draft = make_draft(world, metadata=REFUND)
    assert worker.score_and_route(draft.pk) == "queue_for_review"
    draft.refresh_from_db()
    assert draft.decision == "queue_for_review" and draft.outcome == ""
    assert f"llm_signal_missing:judge:{reason}" in draft.decision_reasons
    assert "llm_signal_missing:high_risk_intent" in draft.decision_reasons
    assert not {"judge_support", "judge_contradicted"} & set(draft.score["features"])
    assert ReviewItem.objects.filter(draft=draft, state="pending").exists()
    signals = routed_event(draft).data["signals"]
    assert {"signal": "judge", "reason": reason} in signals["missing"]
    assert "judge" not in signals["used"]


def test_a_missing_judge_on_another_intent_does_not_hold_it(world, tiny_scorer, llm_on, fake_llm) -> None:
    """Only high-risk intents are judged before routing; the others route as before."""
    permissive_policy(world)
    fake_llm.default = fake.status(500)
    draft = make_draft(world)  # warranty
    assert worker.score_and_route(draft.pk) == "auto_send"
    assert fake_llm.requests == []


def test_a_redelivered_scoring_task_reuses_the_stored_verdicts(world, tiny_scorer, llm_on, fake_llm) -> None:
    """The first delivery judged, stored the verdicts and died before storing the score: the
    second uses those verdicts and pays for no call."""
    llm_on(consistency_samples=0)
    fake_llm.judge = fake.judge_says("contradicted")
    draft = make_draft(world, metadata=REFUND)
    result = baseline(draft)
    first = hooks.enrich_score(draft, result, scorer=get_scorer(), calibrator=None)
    assert len(fake_llm.requests) == 2
    again = hooks.enrich_score(draft, result, scorer=get_scorer(), calibrator=None)
    assert len(fake_llm.requests) == 2
    assert again.features["judge_contradicted"] == first.features["judge_contradicted"] == 1.0
    assert again.raw_score == pytest.approx(first.raw_score)


def test_the_review_page_shows_the_judge_in_the_score_and_the_signals_record(
    world, tiny_scorer, llm_on, fake_llm
) -> None:
    llm_on(consistency_samples=0)
    fake_llm.judge = fake.judge_says("contradicted")
    draft = make_draft(world, metadata=REFUND, queue=world.queue)
    worker.score_and_route(draft.pk)
    item = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    assert item is not None and item.draft_id == draft.pk
    client = Client()
    client.force_login(world.reviewer)
    html = client.get(reverse("web:item", args=[item.pk])).content.decode()
    assert "Judge in the score" in html and "100% contradicted" in html
    assert html.count('class="judge-row"') == 2 and "Contradicted" in html
    assert "Signals used:" in html and '<code class="code-chip">judge</code>' in html


# --- the audit trigger ------------------------------------------------------------------------


def test_judge_audit_sampled_schedules_the_judge(world, tiny_scorer, llm_on, fake_llm, eager_celery) -> None:
    draft = make_draft(world)  # warranty: not judged before routing
    assert worker.score_and_route(draft.pk) in ("auto_send", "auto_draft_human_send", "queue_for_review", "block")
    assert not JudgeRun.objects.filter(draft=draft).exists()
    assert hooks.judge_audit_sampled(draft_id=draft.pk) is True
    run = JudgeRun.objects.get(draft=draft)
    assert (run.status, run.reason) == ("done", "audit_sample")
    assert JudgeVerdict.objects.filter(draft=draft).count() == 2


def test_judge_audit_sampled_respects_the_queue_switch_and_no_endpoint(world, settings, llm_on, fake_llm) -> None:
    quiet = make_queue(world.tenant, "quiet", scoring_rules={"llm": {"judge": False}})
    assert hooks.judge_audit_sampled(draft_id=make_draft(world, queue=quiet).pk) is False
    draft = make_draft(world)
    assert hooks.judge_audit_sampled(draft_id=draft.pk + 10_000) is False  # unknown draft: logged, not raised
    llm_on(base_url="")
    assert hooks.judge_audit_sampled(draft_id=draft.pk) is False
    assert fake_llm.requests == [] and not JudgeRun.objects.exists()


def test_a_draft_drawn_into_the_audit_sample_is_judged(
    world, llm_on, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    """The audit sample (the queue's audit share) is the judge's audit trigger, after the commit
    that drew it; a draft the sample did not draw is not judged."""
    sampled: list[int] = []
    monkeypatch.setattr(hooks, "judge_audit_sampled", lambda *, draft_id: sampled.append(draft_id) or True)
    llm_on()
    Queue.objects.filter(pk=world.queue.pk).update(audit_share=1.0)
    with django_capture_on_commit_callbacks(execute=True):
        drawn = routed(world, Decision.AUTO_SEND)
    Queue.objects.filter(pk=world.queue.pk).update(audit_share=0.0)
    with django_capture_on_commit_callbacks(execute=True):
        routed(world, Decision.AUTO_SEND)
    assert sampled == [drawn.pk]


# --- JSON mode --------------------------------------------------------------------------------


def test_a_server_without_json_mode_still_judges(world, tiny_scorer, llm_on, fake_llm) -> None:
    """400 naming response_format: asked again without it; the answer is checked as ever."""
    llm_on(consistency_samples=0)
    fake_llm.json_mode = False
    fake_llm.judge = fake.judge_says("supported")
    draft = make_draft(world, metadata=REFUND)
    worker.score_and_route(draft.pk)
    draft.refresh_from_db()
    assert draft.score["features"]["judge_support"] == 1.0
    assert not any(r.startswith("llm_signal_missing") for r in draft.decision_reasons)
    with_format = [r for r in fake_llm.requests if "response_format" in r]
    without = [r for r in fake_llm.requests if "response_format" not in r]
    assert 1 <= len(with_format) <= 2 and len(without) == 2  # later calls skip it at once
    fake_llm.judge = fake.ok(json.dumps({"verdict": "supported", "quote": "nowhere in the evidence"}))
    other = make_draft(world, metadata=REFUND)
    before = len(fake_llm.requests)
    worker.score_and_route(other.pk)
    assert all("response_format" not in r for r in fake_llm.requests[before:])
    other.refresh_from_db()
    assert "llm_signal_missing:judge:invalid_answers" in other.decision_reasons  # the schema still rules
