"""Every write of the LLM app: token budget, assist idempotency rows, judge results.

Same recipe as the review app's services: short transactions, compare-and-swap updates with a
row-count check, never a network call inside a transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest

from reviewqueue.errors import IdempotencyConflict
from reviewqueue.llm.errors import AssistInProgress, LlmBudgetExceeded
from reviewqueue.llm.models import AssistRequest, AssistState, JudgeRun, JudgeVerdict, TokenUsage
from reviewqueue.review.models import Draft
from reviewqueue.tenancy.models import ServiceClient

logger = logging.getLogger(__name__)


# --- token budget ---------------------------------------------------------------------------


def budget_day(now: datetime) -> date:
    return now.astimezone(UTC).date()


def token_budget_reserve(*, tenant_id: int, tokens: int, budget: int, now: datetime) -> date:
    """Reserve `tokens` of the tenant's budget for `now`'s UTC day, or raise LlmBudgetExceeded.

    The bound is in the UPDATE's WHERE clause: two processes reserving at once cannot both pass
    a check made on a stale read. Returns the day, for `token_budget_settle`.
    """
    day = budget_day(now)
    TokenUsage.objects.get_or_create(tenant_id=tenant_id, day=day)
    reserved = TokenUsage.objects.filter(tenant_id=tenant_id, day=day, tokens__lte=budget - tokens).update(
        tokens=F("tokens") + tokens, calls=F("calls") + 1
    )
    if not reserved:
        logger.info("LLM token budget exhausted", extra={"action": "llm.budget.exceeded", "tenant_id": tenant_id})
        raise LlmBudgetExceeded(
            "This tenant's daily LLM token budget is spent; try again tomorrow (UTC) or raise "
            "REVIEWQUEUE_LLM_DAILY_TOKEN_BUDGET.",
            details={"budget": budget, "day": day.isoformat()},
        )
    return day


def token_budget_settle(*, tenant_id: int, day: date, reserved: int, used: int) -> None:
    """Replace a reservation by what the endpoint reported (0 when the call failed)."""
    if used == reserved:
        return
    TokenUsage.objects.filter(tenant_id=tenant_id, day=day).update(tokens=Greatest(F("tokens") + (used - reserved), 0))


# --- assist idempotency ---------------------------------------------------------------------


def assist_request_begin(
    *,
    client: ServiceClient,
    idempotency_key: str,
    fingerprint: str,
    prompt_version: str,
    prompt_hash: str,
    now: datetime,
    stale_before: datetime,
) -> tuple[AssistRequest, bool]:
    """Insert the pending row before any LLM call: (row, True) for the caller who must call the
    LLM, else the existing row. Committed at once (its own transaction), so a concurrent
    duplicate's INSERT meets the unique constraint instead of calling the LLM a second time."""
    row = AssistRequest(
        client=client,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        prompt_version=prompt_version,
        prompt_hash=prompt_hash,
        created_at=now,
    )
    try:
        with transaction.atomic():
            row.save(force_insert=True)
        return row, True
    except IntegrityError:
        pass
    existing = AssistRequest.objects.filter(client=client, idempotency_key=idempotency_key).first()
    if existing is None:  # the winner failed and removed its row in between: the key is free again
        raise AssistInProgress("A request with this Idempotency-Key just failed; retry it.")
    if existing.fingerprint != fingerprint:
        raise IdempotencyConflict(
            "This Idempotency-Key was already used with a different request body.",
            details={"draft_id": existing.draft_id},
        )
    if existing.state == AssistState.PENDING and existing.created_at < stale_before:
        # Its process died mid-call (it would have finished or removed the row by now): take
        # it over with a compare-and-swap, so of several retries exactly one calls the LLM.
        taken = AssistRequest.objects.filter(
            pk=existing.pk, state=AssistState.PENDING, created_at=existing.created_at
        ).update(created_at=now)
        if taken:
            existing.created_at = now
            return existing, True
    return existing, False


def assist_request_complete(*, request_id: int, draft: Draft, llm_ms: float) -> None:
    updated = AssistRequest.objects.filter(pk=request_id, state=AssistState.PENDING).update(
        state=AssistState.DONE, draft=draft, llm_ms=llm_ms
    )
    if not updated:  # only its own caller completes a pending row; anything else is a bug
        raise RuntimeError(f"assist request {request_id} was not pending")


def assist_request_abandon(*, request_id: int) -> None:
    """The LLM call failed: remove the pending row so nothing half-written remains and the
    client may retry with the same key."""
    AssistRequest.objects.filter(pk=request_id, state=AssistState.PENDING).delete()


# --- judge ----------------------------------------------------------------------------------


def judge_run_record(
    *, draft_id: int, status: str, reason: str, verdicts: Sequence[dict[str, Any]], now: datetime
) -> bool:
    """Store the judge's outcome for a draft once: False when a run is already stored (a
    re-delivered task), in which case nothing is written."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                JudgeRun.objects.create(draft_id=draft_id, status=status, reason=reason[:64], created_at=now)
        except IntegrityError:
            return False
        JudgeVerdict.objects.bulk_create([JudgeVerdict(draft_id=draft_id, created_at=now, **v) for v in verdicts])
    return True
