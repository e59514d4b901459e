"""Score a draft and route it: the one adapter between Django and the `scoring` library, and the
Celery task the scoring worker runs it in.

Model inference happens here, outside any transaction; results are then written through the
transition services (`routing.draft_record_score`, `routing.draft_route`), whose compare-and-swap
makes a re-delivered task (acks_late, worker lost mid-task) change nothing the second time.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from celery import Task, shared_task
from celery.signals import worker_process_init
from celery.utils.time import get_exponential_backoff_interval
from django.db import DatabaseError, connection
from django.utils import timezone

from reviewqueue.intake import hooks, routing
from reviewqueue.intake.drafts import draft_input
from reviewqueue.intake.expiry import draft_dispatch_taken
from reviewqueue.intake.scorer import get_scorer
from reviewqueue.policy.selectors import active_calibrator
from reviewqueue.review.models import Draft, DraftStatus, Queue
from scoring.guardrails import GuardrailRules
from scoring.inputs import DraftInput
from scoring.results import ScoreResult

logger = logging.getLogger(__name__)


def _score(draft: Draft, queue: Queue | None) -> tuple[ScoreResult, DraftInput] | None:
    """received → scored, or → scoring_failed for a poison draft (it is still routed to review).
    Returns the result with the input it was computed from, or None when scoring failed."""
    # Database reads stay outside the guard below: a database error (a cancelled statement, a
    # dropped connection) says nothing about the draft, so it goes up to the task, which retries.
    calibrator = active_calibrator(
        tenant_id=draft.tenant_id, queue_id=queue.pk if queue else None, prompt_version=draft.prompt_version
    )
    try:
        rules = GuardrailRules.from_dict((queue.scoring_rules if queue else {}).get("guardrails", {}))
        inputs = draft_input(draft)
        result = get_scorer().score(inputs, rules=rules, calibrator=calibrator)
        # The add-ons' signals (the LLM app: self-consistency, the judge, for a high-risk intent)
        # join the fusion here, before routing, within their own time budget; none: a no-op.
        result = hooks.enrich_score(draft, result, scorer=get_scorer(), calibrator=calibrator)
    except DatabaseError:
        raise
    except Exception as exc:  # a bug on one odd draft must not lose it or wedge the queue
        logger.exception("scoring failed", extra={"action": "draft.scoring_failed", "draft_id": draft.pk})
        routing.draft_record_score(
            draft_id=draft.pk,
            score=None,
            confidence=None,
            versions={"model": get_scorer().model_version},
            now=timezone.now(),
            failed=True,
            error=f"{type(exc).__name__}: {exc}"[:500],
        )
        return None
    recorded = routing.draft_record_score(
        draft_id=draft.pk,
        score=result.to_dict(),
        confidence=result.confidence,
        versions=dict(result.versions),
        now=timezone.now(),
    )
    # None: another delivery of this task scored the draft first, and its result is the one stored.
    return None if recorded is None else (result, inputs)


def score_and_route(draft_id: int) -> str:
    """Returns what happened, for the task log. Safe to run twice for the same draft."""
    draft = Draft.objects.select_related("requested_queue").filter(pk=draft_id).first()
    if draft is None:
        return "missing"
    queue = routing.target_queue(draft)
    scored = None
    if draft.status == DraftStatus.RECEIVED:
        scored = _score(draft, queue)
        # Another delivery of this task may have scored it first: route what was stored.
        draft.refresh_from_db()
    if draft.status not in (DraftStatus.SCORED, DraftStatus.SCORING_FAILED):
        return "already_routed"
    if draft.status != DraftStatus.SCORED:
        scored = None
    decided = routing.route_decision(draft, queue, scored=scored)
    routed = routing.draft_route(
        draft_id=draft.pk,
        decision=decided.action,
        reasons=decided.reasons,
        queue=queue,
        priority=decided.priority,
        now=timezone.now(),
        versions=decided.versions,
        signals=decided.signals,
    )
    if routed:
        hooks.after_route(draft_id=draft.pk, action=decided.action)
        if scored is not None:
            result, inputs = scored
            hooks.after_scored_route(draft=routed, queue=queue, result=result, inputs=inputs, action=decided.action)
    return decided.action if routed else "already_routed"


@worker_process_init.connect
def _load_scorer(**_: Any) -> None:
    # Load the model once per worker process, before the first task, not inside it.
    get_scorer()


@shared_task(bind=True, name="reviewqueue.review.tasks.score_draft", acks_late=True, max_retries=6)
def score_draft(self: Task, draft_id: int) -> str:
    """A database error (a cancelled statement, a lock or statement timeout, a dropped
    connection) is a blip, not a verdict: the task is retried with exponential backoff (2 s,
    4 s, … at most 120 s, jittered) and the draft stays `received`. Only the scorer's own failure
    marks a draft `scoring_failed` (_score). After the last retry the task fails and the
    redispatch sweep sends the draft again later. Safe because score_and_route is idempotent.
    """
    try:
        draft_dispatch_taken(draft_id=draft_id)
        return score_and_route(draft_id)
    except DatabaseError as exc:
        # The connection may be dead or left in a failed state: drop it, so the retry (in this
        # process, later) opens a fresh one instead of failing on the same broken socket.
        with contextlib.suppress(DatabaseError):
            connection.close()
        logger.warning(
            "scoring hit a database error; retrying",
            extra={"action": "draft.scoring_retry", "draft_id": draft_id, "retries": self.request.retries},
        )
        countdown = get_exponential_backoff_interval(
            factor=2, retries=self.request.retries, maximum=120, full_jitter=True
        )
        raise self.retry(exc=exc, countdown=countdown) from exc
