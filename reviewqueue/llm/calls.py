"""LLM calls charged to a tenant's daily token budget.

The budget is reserved (worst case) before the first byte is sent and settled to the endpoint's
reported usage afterwards; a failed call gives its reservation back. Database work happens here,
in the calling thread; the calls themselves may run on worker threads (`client.complete` never
touches the database).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from django.utils import timezone

from reviewqueue.llm import client, services
from reviewqueue.llm.client import ChatRequest, Completion
from reviewqueue.llm.errors import LlmError


def call(*, tenant_id: int, request: ChatRequest, deadline: float | None = None) -> Completion:
    result = call_many(tenant_id=tenant_id, requests=[request], deadline=deadline)[0]
    if isinstance(result, LlmError):
        raise result
    return result


def call_many(
    *, tenant_id: int, requests: Sequence[ChatRequest], deadline: float | None = None
) -> list[Completion | LlmError]:
    """All of `requests`, concurrently; each answer or the error it met, in order. Raises
    LlmBudgetExceeded / LlmNotConfigured before any call when they cannot all be paid for."""
    cfg = client.current()
    reserved = sum(r.estimated_tokens() for r in requests)
    day = services.token_budget_reserve(
        tenant_id=tenant_id, tokens=reserved, budget=cfg.daily_token_budget, now=timezone.now()
    )
    results: list[Completion | LlmError] = []
    try:
        if len(requests) == 1:
            results = [_one(requests[0], deadline)]
        else:
            with ThreadPoolExecutor(max_workers=min(8, len(requests)), thread_name_prefix="llm") as pool:
                results = list(pool.map(lambda r: _one(r, deadline), requests))
    finally:
        used = sum(
            (r.total_tokens if r.total_tokens is not None else q.estimated_tokens())
            for r, q in zip(results, requests, strict=False)
            if isinstance(r, Completion)
        )
        services.token_budget_settle(tenant_id=tenant_id, day=day, reserved=reserved, used=used)
    return results


def _one(request: ChatRequest, deadline: float | None) -> Completion | LlmError:
    try:
        return client.complete(request, deadline=deadline)
    except LlmError as exc:
        return exc
