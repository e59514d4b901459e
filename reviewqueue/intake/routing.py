"""Routing a scored draft: the decision, the priority, and the writes the scoring worker makes.

`draft_record_score` and `draft_route` are the worker's transitions (received → scored →
routed or decided); their compare-and-swap makes a re-delivered task change nothing the second
time. The decision itself only reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from reviewqueue.audit.events import EventType, event_record
from reviewqueue.errors import InvalidInput
from reviewqueue.intake import hooks
from reviewqueue.intake.drafts import draft_input
from reviewqueue.intake.scores import stored_score
from reviewqueue.policy.selectors import active_policy
from reviewqueue.review.models import Decision, Draft, DraftStatus, Outcome, Queue
from reviewqueue.review.selectors import routing_queue
from reviewqueue.review.services import draft_decide, review_item_open
from scoring.inputs import DraftInput
from scoring.policy import RoutingPolicy
from scoring.results import ScoreResult


def target_queue(draft: Draft) -> Queue | None:
    return routing_queue(draft)


def priority_for(*, risk: float, confidence: float | None, business_value: float) -> float:
    """risk × (1 − confidence) × business value; an unscored draft counts as a coin flip."""
    conf = 0.5 if confidence is None else confidence
    return round(risk * (1.0 - conf) * business_value, 6)


@dataclass(frozen=True)
class Routing:
    """What `route_decision` decided, for `draft_route`."""

    action: str
    reasons: list[str]
    priority: float
    versions: dict[str, str] | None  # None keeps the versions recorded at scoring
    signals: dict[str, Any]  # signals_record: the signals the decision used and those it lacked


def signals_record(result: ScoreResult | None) -> dict[str, Any]:
    """Which signals the decision was made with and which it lacked (with why), for the routed
    event: the verifier (NLI), the guardrails, the token log-probs the service sent, and the LLM
    signals (`reviewqueue/llm/hooks.py`) that ran or were due and could not be had."""
    if result is None:
        return {"used": [], "missing": [{"signal": "score", "reason": "scoring_failed"}]}
    used = ["guardrails"]
    missing: list[dict[str, str]] = []
    if result.verification_status in ("complete", "partial_timeout"):
        used.append("nli")
    if result.verification_status != "complete":
        missing.append({"signal": "nli", "reason": result.verification_status})
    if result.logprob_signals is not None:
        used.append("logprobs")
    else:
        missing.append({"signal": "logprobs", "reason": "not_sent"})
    used += hooks.signals_used(result)
    missing += [{"signal": signal, "reason": reason} for signal, reason in hooks.signals_missing(result)]
    return {"used": used, "missing": missing}


def route_decision(
    draft: Draft,
    queue: Queue | None,
    *,
    scored: tuple[ScoreResult, DraftInput] | None = None,
    policy: RoutingPolicy | None = None,
) -> Routing:
    """The routing decision, its reason codes, the review priority, the versions and the
    signals that made it. Reads only. `policy` replaces the tenant's active policy (the shadow
    candidate and the simulation decide through here too).

    `scored` is the result the worker just computed with the input it scored; without it (a
    re-delivered task finding the draft already scored) both are read back from the draft.
    `policy` is the tenant's active policy unless given: the shadow candidate and the policy
    simulation on /ops/calibration/ decide through this same function with a candidate policy.
    """
    business_value = queue.business_value if queue else 1.0
    if scored is not None:
        result, inputs = scored
    elif draft.status == DraftStatus.SCORED and (stored := stored_score(draft.score)) is not None:
        result, inputs = stored, draft_input(draft)
    else:
        return Routing(
            Decision.QUEUE_FOR_REVIEW,
            ["scoring_failed"],
            priority_for(risk=1.0, confidence=None, business_value=business_value),
            None,
            signals_record(None),
        )
    policy = policy or active_policy(tenant_id=draft.tenant_id)
    decision = policy.decide(result, inputs, queue=queue.name if queue else None)
    action, reasons = hooks.adjust_decision(draft, result, policy, decision.action, list(decision.reason_codes))
    priority = priority_for(risk=max(result.risk, 0.05), confidence=result.confidence, business_value=business_value)
    return Routing(action, reasons, priority, dict(decision.versions), signals_record(result))


def draft_record_score(
    *,
    draft_id: int,
    score: dict[str, Any] | None,
    confidence: float | None,
    versions: dict[str, str],
    now: datetime,
    failed: bool = False,
    error: str = "",
) -> Draft | None:
    """received → scored (or scoring_failed). Returns None when the draft had already moved on,
    which makes a re-delivered task a no-op."""
    to_state = DraftStatus.SCORING_FAILED if failed else DraftStatus.SCORED
    with transaction.atomic():
        moved = Draft.objects.filter(pk=draft_id, status=DraftStatus.RECEIVED).update(
            status=to_state, score=score, confidence=confidence, versions=versions, scored_at=now
        )
        if not moved:
            return None
        draft = Draft.objects.select_related("client").get(pk=draft_id)
        event_record(
            draft=draft,
            type=EventType.DRAFT_SCORING_FAILED if failed else EventType.DRAFT_SCORED,
            now=now,
            from_state=DraftStatus.RECEIVED,
            to_state=to_state,
            data={"confidence": confidence, "error": error} if failed else {"confidence": confidence},
        )
    return draft


def draft_route(
    *,
    draft_id: int,
    decision: str,
    reasons: list[str],
    queue: Queue | None,
    priority: float,
    now: datetime,
    versions: dict[str, str] | None = None,
    signals: dict[str, Any] | None = None,
) -> Draft | None:
    """scored → routed (a review item in `queue`) or → decided (auto-send / block).

    `versions` (model, calibrator, policy, …) that made the decision are stored with it, in the
    same transaction, so the routed event names them; so does `signals` (`signals_record`).
    Idempotent: only a draft still `scored`/`scoring_failed` moves, so a repeated task changes
    nothing.
    """
    if decision not in Decision.values:
        raise InvalidInput(f"Unknown routing decision {decision!r}.")
    needs_review = decision in (Decision.QUEUE_FOR_REVIEW, Decision.AUTO_DRAFT_HUMAN_SEND)
    if needs_review and queue is None:
        raise InvalidInput("A draft routed to review needs a queue.")
    with transaction.atomic():
        draft = (
            Draft.objects.select_for_update()
            .filter(pk=draft_id, status__in=[DraftStatus.SCORED, DraftStatus.SCORING_FAILED])
            .first()
        )
        if draft is None:
            return None
        from_status = draft.status
        draft.decision = decision
        draft.decision_reasons = list(reasons)
        draft.routed_at = now
        changed = ["decision", "decision_reasons", "routed_at"]
        if versions is not None:
            draft.versions = dict(versions)
            changed.append("versions")
        if needs_review:
            assert queue is not None
            draft.status = DraftStatus.ROUTED
            draft.save(update_fields=[*changed, "status"])
            item = review_item_open(draft=draft, queue=queue, priority=priority, now=now)
            event_record(
                draft=draft,
                type=EventType.DRAFT_ROUTED,
                now=now,
                item=item,
                from_state=from_status,
                to_state=DraftStatus.ROUTED,
                data={
                    "decision": decision,
                    "reasons": list(reasons),
                    "queue": queue.name,
                    "priority": priority,
                    **({"signals": signals} if signals is not None else {}),
                },
            )
        else:
            outcome = Outcome.SENT_DRAFT if decision == Decision.AUTO_SEND else Outcome.SENT_FALLBACK
            # The queue whose fallback answers a block: the draft's, else the tenant's default.
            fallback_queue = queue if queue is not None else routing_queue(draft)
            fallback = (
                fallback_queue.fallback_text
                if fallback_queue is not None
                else Queue._meta.get_field("fallback_text").get_default()
            )
            # A fallback that promises a follow-up gets one: a review item for the blocked draft.
            follow_up = decision == Decision.BLOCK and fallback_queue is not None and fallback_queue.follow_up_on_block
            draft.save(update_fields=changed)
            data: dict[str, Any] = {"decision": decision, "reasons": list(reasons)}
            if signals is not None:
                data["signals"] = signals
            if decision == Decision.BLOCK:
                data["follow_up"] = follow_up
            event_record(
                draft=draft,
                type=EventType.DRAFT_ROUTED,
                now=now,
                from_state=from_status,
                to_state=DraftStatus.DECIDED,
                data=data,
            )
            draft_decide(
                draft=draft,
                outcome=outcome,
                final_text=draft.text if outcome == Outcome.SENT_DRAFT else fallback,
                now=now,
            )
            if follow_up:
                assert fallback_queue is not None
                review_item_open(draft=draft, queue=fallback_queue, priority=priority, now=now, follow_up=True)
    return draft
