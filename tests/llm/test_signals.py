"""Self-consistency in the fusion, missing signals in the decision, the judge's scheduling, and
the default path with no endpoint."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reviewqueue.intake import worker
from reviewqueue.llm import hooks
from reviewqueue.llm.models import AssistRequest, JudgeRun, TokenUsage
from reviewqueue.review import services
from reviewqueue.review.models import Draft
from scoring.engine import default_model_path
from scoring.fusion import EXTERNAL_WEIGHTS, FUSION_FILE, FusionModel
from scoring.guardrails import GuardrailRules
from tests.factories import make_draft, make_queue
from tests.llm import fake_llm as fake
from tests.web.factories import make_scored_item

pytestmark = pytest.mark.django_db

REFUND = {"intent": "refund", "prompt_version": "faq-v3"}  # a high-risk intent of the default policy


def baseline(draft: Draft):  # type: ignore[no-untyped-def]
    """What the scorer alone makes of the draft: the score as it was before this app."""
    return worker.get_scorer().score(worker.draft_input(draft), rules=GuardrailRules.from_dict({}))


def test_fusion_adds_self_consistency_only_when_present() -> None:
    features = {"support_min": 0.7, "support_hmean": 0.7, "lexical_min": 0.8}
    for fusion in (FusionModel(), FusionModel.load(Path(default_model_path()) / FUSION_FILE)):  # hand-set, shipped
        base = fusion.raw_score(features)
        high = fusion.raw_score({**features, "self_consistency": 1.0})
        low = fusion.raw_score({**features, "self_consistency": 0.0})
        assert fusion.raw_score({**features, "self_consistency": 0.5}) == pytest.approx(base)
        assert low < base < high
        logit = math.log(high / (1 - high)) - math.log(base / (1 - base))
        assert logit == pytest.approx(EXTERNAL_WEIGHTS["self_consistency"] * 0.5)
    assert FusionModel().version == FusionModel().version  # no weight added: versions unchanged


def test_no_endpoint_leaves_the_default_path_as_it_was(world, tiny_scorer) -> None:
    draft = make_draft(world, metadata=REFUND)
    expected = baseline(draft)
    worker.score_and_route(draft.pk)
    draft.refresh_from_db()
    assert draft.confidence == pytest.approx(expected.confidence)
    assert draft.score["features"] == pytest.approx(expected.features)
    assert "self_consistency" not in draft.score["features"]
    assert not any(r.startswith("llm_") for r in draft.decision_reasons)
    assert not (JudgeRun.objects.exists() or TokenUsage.objects.exists() or AssistRequest.objects.exists())


def test_no_endpoint_review_page_makes_no_llm_query(world) -> None:
    item = make_scored_item(world)
    client = Client()
    client.force_login(world.reviewer)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("web:item", args=[item.pk])).content.decode()
    assert "llm-signals" not in html
    assert not [q for q in queries.captured_queries if '"llm_' in q["sql"]]


def test_self_consistency_enters_the_fusion_for_a_high_risk_intent(world, tiny_scorer, llm_on, fake_llm) -> None:
    llm_on(judge_high_risk=False)  # self-consistency alone (the judge's part: test_judge_fusion.py)
    draft = make_draft(world, metadata=REFUND)
    fake_llm.answer = draft.text  # the resamples repeat the draft
    expected = baseline(draft)
    worker.score_and_route(draft.pk)
    draft.refresh_from_db()
    value = draft.score["features"]["self_consistency"]
    assert 0.0 <= value <= 1.0
    assert len(fake_llm.requests) == 3
    assert all(r["temperature"] == 0.7 and not r.get("logprobs") for r in fake_llm.requests)
    z = math.log(expected.raw_score / (1 - expected.raw_score)) + EXTERNAL_WEIGHTS["self_consistency"] * (value - 0.5)
    assert draft.score["raw_score"] == pytest.approx(1 / (1 + math.exp(-z)))
    assert not any(r.startswith("llm_signal_missing") for r in draft.decision_reasons)
    assert TokenUsage.objects.get(tenant=world.tenant).calls == 1  # one reservation for the N samples


def test_a_down_llm_routes_without_the_signal_and_a_high_risk_intent_fails_closed(
    world, tiny_scorer, llm_on, fake_llm
) -> None:
    llm_on(max_retries=0)
    fake_llm.default = fake.status(500)
    draft = make_draft(world, metadata=REFUND)
    worker.score_and_route(draft.pk)
    draft.refresh_from_db()
    assert draft.status in ("routed", "decided")
    assert "self_consistency" not in draft.score["features"]
    assert "llm_signal_missing:self_consistency:unavailable" in draft.decision_reasons
    # Three failed samples opened the breaker (breaker_failures=3): the judge is not even tried.
    assert "llm_signal_missing:judge:breaker_open" in draft.decision_reasons
    assert not any(fake.is_judge(r) for r in fake_llm.requests)
    assert "llm_signal_missing:high_risk_intent" in draft.decision_reasons
    assert draft.decision in ("queue_for_review", "block")


def test_a_slow_llm_is_cut_off_by_the_signal_budget(world, tiny_scorer, llm_on, fake_llm) -> None:
    llm_on(signal_budget_seconds=0.3, max_retries=0)
    fake_llm.default = fake.hang(2.0)
    draft = make_draft(world, metadata=REFUND)
    worker.score_and_route(draft.pk)
    draft.refresh_from_db()
    assert "llm_signal_missing:self_consistency:timeout" in draft.decision_reasons
    # Self-consistency spent the draft's budget: the judge does not start at all.
    assert "llm_signal_missing:judge:no_time" in draft.decision_reasons
    assert not any(fake.is_judge(r) for r in fake_llm.requests)


def test_over_budget_is_a_missing_signal(world, tiny_scorer, llm_on, fake_llm) -> None:
    llm_on(daily_token_budget=10)
    draft = make_draft(world, metadata=REFUND)
    worker.score_and_route(draft.pk)
    draft.refresh_from_db()
    assert "llm_signal_missing:self_consistency:over_budget" in draft.decision_reasons
    assert "llm_signal_missing:judge:over_budget" in draft.decision_reasons
    assert fake_llm.requests == []


def test_other_intents_and_switched_off_queues_call_nothing(world, tiny_scorer, llm_on, fake_llm) -> None:
    worker.score_and_route(make_draft(world).pk)  # warranty: not high-risk
    quiet = make_queue(world.tenant, "quiet", scoring_rules={"llm": {"self_consistency": False, "judge": False}})
    worker.score_and_route(make_draft(world, metadata=REFUND, queue=quiet).pk)
    assert fake_llm.requests == [] and not JudgeRun.objects.exists()


def test_a_high_risk_judge_that_missed_routing_runs_after_it(
    world, tiny_scorer, llm_on, fake_llm, eager_celery
) -> None:
    """Out of time before routing (the budget spent), the judge still runs afterwards for the
    reviewer; its verdicts then are not in the score, and the decision said so."""
    llm_on(consistency_samples=0, signal_budget_seconds=0.3, max_retries=0)
    fake_llm.script = [fake.hang(1.0)] * 2  # the judge's calls before routing hang past the budget
    draft = make_draft(world, metadata=REFUND)
    worker.score_and_route(draft.pk)
    draft.refresh_from_db()
    assert "llm_signal_missing:judge:timeout" in draft.decision_reasons
    assert "judge_support" not in draft.score["features"]
    run = JudgeRun.objects.get(draft=draft)
    assert run.reason == "high_risk_intent" and run.status == "done"


def test_routing_alone_schedules_no_audit_judge(world, llm_on) -> None:
    """After routing the judge runs only for a high-risk draft it missed; the audit sample is
    judged through its own trigger (test_judge_fusion), not by a sample of the judge's own."""
    draft = make_draft(world)
    llm_on()
    assert hooks.judge_reason(draft, "auto_send") is None
    assert hooks.judge_reason(draft, "queue_for_review") is None


def test_a_broker_outage_does_not_fail_routing(world, tiny_scorer, llm_on, fake_llm, monkeypatch) -> None:
    from reviewqueue.llm import tasks

    def down(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.judge_draft, "apply_async", down)
    llm_on(consistency_samples=0)
    draft = make_draft(world, metadata=REFUND)
    assert worker.score_and_route(draft.pk) in ("queue_for_review", "block", "auto_draft_human_send", "auto_send")


def test_review_page_shows_self_consistency_and_missing_signals(world, llm_on) -> None:
    item = make_scored_item(world)
    draft = item.draft
    draft.score = {
        **draft.score,
        "features": {"self_consistency": 0.6667},
        "errors": ["llm_signal_missing:self_consistency:timeout"],
    }
    draft.save(update_fields=["score"])
    services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    client = Client()
    client.force_login(world.reviewer)
    html = client.get(reverse("web:item", args=[item.pk])).content.decode()
    assert "Self-consistency" in html and "67%" in html
    assert "Missing signal" in html and "self_consistency" in html
    assert "not run on this draft" in html
