"""Score a draft and route it: the one adapter between Django and the `scoring` library.

Model inference happens here, outside any transaction; results are then written through the
transition services (`draft_record_score`, `draft_route`), whose compare-and-swap makes a
re-delivered task (acks_late, worker lost mid-task) change nothing the second time.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from reviewqueue.llm import hooks as llm_hooks
from reviewqueue.policy.selectors import active_calibrator, active_policy
from reviewqueue.review import services
from reviewqueue.review.models import Decision, Draft, DraftStatus, Queue
from scoring import engine
from scoring.engine import Scorer, ScorerConfig
from scoring.guardrails import GuardrailRules
from scoring.inputs import DraftInput
from scoring.results import ScoreResult

logger = logging.getLogger(__name__)


def get_scorer() -> Scorer:
    """The process's scorer (the library's singleton), configured from Django settings on first use."""
    overrides: dict[str, Any] = {
        "time_budget_ms": float(settings.REVIEWQUEUE_SCORING_TIME_BUDGET_MS),
        "int8": settings.REVIEWQUEUE_SCORING_INT8,
    }
    if settings.REVIEWQUEUE_SCORING_MODEL:
        overrides["model_path"] = settings.REVIEWQUEUE_SCORING_MODEL
    return engine.get_scorer(ScorerConfig.of(**overrides))


def target_queue(draft: Draft) -> Queue | None:
    if draft.requested_queue_id is not None:
        return draft.requested_queue
    return Queue.objects.filter(tenant_id=draft.tenant_id, is_default=True).first()


def priority_for(*, risk: float, confidence: float | None, business_value: float) -> float:
    """risk × (1 − confidence) × business value; an unscored draft counts as a coin flip."""
    conf = 0.5 if confidence is None else confidence
    return round(risk * (1.0 - conf) * business_value, 6)


def draft_input(draft: Draft) -> DraftInput:
    metadata = dict(draft.metadata)
    metadata.update(
        intent=draft.intent,
        prompt_version=draft.prompt_version,
        customer_tier=draft.customer_tier,
        amount=None if draft.amount is None else float(draft.amount),
    )
    return DraftInput.from_request(
        {
            "question": draft.question,
            "draft": draft.text,
            "passages": draft.passages,
            "logprobs": draft.logprobs,
            "metadata": metadata,
        }
    )


def _score(draft: Draft, queue: Queue | None) -> None:
    """received → scored, or → scoring_failed for a poison draft (it is still routed to review)."""
    # Database reads stay outside the guard below: a database error (a cancelled statement, a
    # dropped connection) says nothing about the draft, so it goes up to the task, which retries.
    calibrator = active_calibrator(tenant_id=draft.tenant_id)
    try:
        rules = GuardrailRules.from_dict((queue.scoring_rules if queue else {}).get("guardrails", {}))
        result = get_scorer().score(draft_input(draft), rules=rules, calibrator=calibrator)
        result = llm_hooks.enrich_score(draft, result, scorer=get_scorer(), calibrator=calibrator)
    except DatabaseError:
        raise
    except Exception as exc:  # a bug on one odd draft must not lose it or wedge the queue
        logger.exception("scoring failed", extra={"action": "draft.scoring_failed", "draft_id": draft.pk})
        services.draft_record_score(
            draft_id=draft.pk,
            score=None,
            confidence=None,
            versions={"model": get_scorer().model_version},
            now=timezone.now(),
            failed=True,
            error=f"{type(exc).__name__}: {exc}"[:500],
        )
        return
    services.draft_record_score(
        draft_id=draft.pk,
        score=result.to_dict(),
        confidence=result.confidence,
        versions=dict(result.versions),
        now=timezone.now(),
    )


def _decide(draft: Draft, queue: Queue | None) -> tuple[str, list[str], float, dict[str, str] | None]:
    """The routing decision, its reason codes, the review priority and the versions that made it
    (None keeps the versions recorded at scoring), from the stored score. Reads only."""
    business_value = queue.business_value if queue else 1.0
    if draft.status == DraftStatus.SCORING_FAILED or not draft.score:
        return (
            Decision.QUEUE_FOR_REVIEW,
            ["scoring_failed"],
            priority_for(risk=1.0, confidence=None, business_value=business_value),
            None,
        )
    result = ScoreResult.from_dict(draft.score)
    policy = active_policy(tenant_id=draft.tenant_id)
    decision = policy.decide(result, draft_input(draft), queue=queue.name if queue else None)
    action, reasons = llm_hooks.adjust_decision(draft, result, policy, decision.action, list(decision.reason_codes))
    priority = priority_for(risk=max(result.risk, 0.05), confidence=result.confidence, business_value=business_value)
    return action, reasons, priority, dict(decision.versions)


def score_and_route(draft_id: int) -> str:
    """Returns what happened, for the task log. Safe to run twice for the same draft."""
    draft = Draft.objects.select_related("requested_queue").filter(pk=draft_id).first()
    if draft is None:
        return "missing"
    queue = target_queue(draft)
    if draft.status == DraftStatus.RECEIVED:
        _score(draft, queue)
        draft.refresh_from_db()
    if draft.status not in (DraftStatus.SCORED, DraftStatus.SCORING_FAILED):
        return "already_routed"
    action, reasons, priority, versions = _decide(draft, queue)
    routed = services.draft_route(
        draft_id=draft.pk,
        decision=action,
        reasons=reasons,
        queue=queue,
        priority=priority,
        now=timezone.now(),
        versions=versions,
    )
    if routed:
        llm_hooks.after_route(draft_id=draft.pk, action=action)
    return action if routed else "already_routed"
