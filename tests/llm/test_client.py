"""The client against a local Chat Completions server: the log-prob shape, retries on 429 and
5xx, timeouts, the circuit breaker, and the per-tenant token budget."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine

from reviewqueue.llm import calls, client
from reviewqueue.llm.client import ChatRequest
from reviewqueue.llm.errors import (
    LlmBreakerOpen,
    LlmBudgetExceeded,
    LlmNotConfigured,
    LlmRateLimited,
    LlmTimeout,
    LlmUnavailable,
)
from reviewqueue.llm.models import TokenUsage
from tests.llm import fake_llm as fake

REQ = ChatRequest(
    messages=({"role": "user", "content": "How long is the warranty?"},),
    model="fake-model",
    max_tokens=64,
    logprobs=True,
    top_logprobs=3,
)


def test_reads_tokens_logprobs_and_alternatives(llm_on, fake_llm) -> None:
    out = client.complete(REQ)
    assert out.text == fake.ANSWER
    assert "".join(out.tokens) == fake.ANSWER
    assert len(out.logprobs) == len(out.tokens) and all(lp <= 0 for lp in out.logprobs)
    assert len(out.top_logprobs[0]) == 3 and out.top_logprobs[0][0]["token"] == out.tokens[0]
    assert out.total_tokens and out.total_tokens > 0
    sent = fake_llm.requests[0]
    assert sent["logprobs"] is True and sent["top_logprobs"] == 3 and sent.get("stream") is False
    body = out.logprobs_body()
    assert body is not None and body["tokens"] == list(out.tokens) and len(body["top_logprobs"]) == len(out.tokens)


def test_not_configured_is_refused(settings) -> None:
    from reviewqueue.llm.config import LlmSettings

    settings.REVIEWQUEUE_LLM = LlmSettings()
    with pytest.raises(LlmNotConfigured):
        client.complete(REQ)


def test_429_honours_retry_after_then_succeeds(llm_on, fake_llm) -> None:
    fake_llm.script = [fake.status(429, retry_after="0.4")]
    t0 = time.monotonic()
    assert client.complete(REQ).text == fake.ANSWER
    assert time.monotonic() - t0 >= 0.4  # waited what the server asked, not our shorter backoff
    assert len(fake_llm.requests) == 2


def test_429_that_never_ends_is_rate_limited(llm_on, fake_llm) -> None:
    llm_on(max_retries=1)
    fake_llm.default = fake.status(429, retry_after="0")
    with pytest.raises(LlmRateLimited):
        client.complete(REQ)
    assert len(fake_llm.requests) == 2


def test_a_long_retry_after_fails_at_once(llm_on, fake_llm) -> None:
    fake_llm.script = [fake.status(429, retry_after="3600")]
    with pytest.raises(LlmRateLimited):
        client.complete(REQ)
    assert len(fake_llm.requests) == 1


def test_500_is_retried_with_backoff(llm_on, fake_llm) -> None:
    fake_llm.script = [fake.status(500), fake.status(503)]
    assert client.complete(REQ).text == fake.ANSWER
    assert len(fake_llm.requests) == 3


def test_400_is_not_retried_and_does_not_open_the_breaker(llm_on, fake_llm) -> None:
    llm_on(breaker_failures=1)
    fake_llm.default = fake.status(400)
    with pytest.raises(LlmUnavailable) as exc:
        client.complete(REQ)
    assert exc.value.code == "llm_refused" and exc.value.details == {"status": 400}
    assert len(fake_llm.requests) == 1
    # A parameter the server does not take (the judge's response_format, say) is not an outage.
    assert client.breaker_for(client.current()).state() == "closed"


def test_a_hang_past_the_timeout_is_a_timeout(llm_on, fake_llm) -> None:
    llm_on(timeout_seconds=0.3, max_retries=1)
    fake_llm.default = fake.hang(2.0)
    t0 = time.monotonic()
    with pytest.raises(LlmTimeout):
        client.complete(REQ)
    assert time.monotonic() - t0 < 1.8  # two attempts of 0.3 s and a short backoff, not the hang


def test_the_deadline_caps_every_attempt(llm_on, fake_llm) -> None:
    fake_llm.default = fake.hang(2.0)
    t0 = time.monotonic()
    with pytest.raises(LlmTimeout):
        client.complete(REQ, deadline=time.monotonic() + 0.3)
    assert time.monotonic() - t0 < 1.0


def test_breaker_opens_after_consecutive_failures_and_closes_after_a_probe(llm_on, fake_llm) -> None:
    llm_on(max_retries=0, breaker_failures=3, breaker_reset_seconds=30)
    fake_llm.default = fake.status(500)
    with time_machine.travel("2026-03-02 09:00:00+00:00", tick=False) as clock:
        for _ in range(3):
            with pytest.raises(LlmUnavailable):
                client.complete(REQ)
        assert client.breaker_for(client.current()).state() == "open"
        with pytest.raises(LlmBreakerOpen) as exc:
            client.complete(REQ)
        assert exc.value.status == 503 and len(fake_llm.requests) == 3  # refused without a call

        clock.shift(timedelta(seconds=31))  # half-open: one probe; it fails, so open again
        with pytest.raises(LlmUnavailable):
            client.complete(REQ)
        assert len(fake_llm.requests) == 4
        with pytest.raises(LlmBreakerOpen):
            client.complete(REQ)

        clock.shift(timedelta(seconds=31))  # the next probe succeeds: closed
        fake_llm.default = fake_llm.route
        assert client.complete(REQ).text == fake.ANSWER
        assert client.breaker_for(client.current()).state() == "closed"
        assert client.complete(REQ).text == fake.ANSWER


def test_a_success_resets_the_failure_count(llm_on, fake_llm) -> None:
    llm_on(max_retries=0, breaker_failures=2)
    fake_llm.script = [fake.status(500), fake.ok("fine"), fake.status(500)]
    for expect_ok in (False, True, False):
        if expect_ok:
            client.complete(REQ)
        else:
            with pytest.raises(LlmUnavailable):
                client.complete(REQ)
    assert client.breaker_for(client.current()).state() == "closed"


@pytest.mark.django_db
def test_budget_is_reserved_then_settled_to_reported_usage(world, llm_on, fake_llm) -> None:
    out = calls.call(tenant_id=world.tenant.pk, request=REQ)
    usage = TokenUsage.objects.get(tenant=world.tenant)
    assert usage.tokens == out.total_tokens and usage.calls == 1


@pytest.mark.django_db
def test_budget_exhaustion_refuses_before_calling(world, llm_on, fake_llm) -> None:
    llm_on(daily_token_budget=REQ.estimated_tokens() + 5)
    calls.call(tenant_id=world.tenant.pk, request=REQ)  # reserves the worst case, settles to ~20
    used = TokenUsage.objects.get(tenant=world.tenant).tokens
    assert used < REQ.estimated_tokens()
    llm_on(daily_token_budget=used + REQ.estimated_tokens() - 1)
    with pytest.raises(LlmBudgetExceeded) as exc:
        calls.call(tenant_id=world.tenant.pk, request=REQ)
    assert exc.value.status == 429 and len(fake_llm.requests) == 1
    assert TokenUsage.objects.get(tenant=world.tenant).tokens == used  # nothing reserved
    # Another tenant's budget is its own.
    calls.call(tenant_id=world.other_tenant.pk, request=REQ)


@pytest.mark.django_db
def test_a_failed_call_gives_its_reservation_back(world, llm_on, fake_llm) -> None:
    llm_on(max_retries=0)
    fake_llm.default = fake.status(500)
    with pytest.raises(LlmUnavailable):
        calls.call(tenant_id=world.tenant.pk, request=REQ)
    assert TokenUsage.objects.get(tenant=world.tenant).tokens == 0


JUDGE_REQ = ChatRequest(
    messages=({"role": "user", "content": "Is it supported? Answer in JSON."},),
    model="fake-judge",
    max_tokens=64,
    json_output=True,
)


def test_a_server_without_json_mode_is_asked_again_without_it(llm_on, fake_llm) -> None:
    llm_on(breaker_failures=1)
    fake_llm.json_mode = False
    assert client.complete(JUDGE_REQ).text == fake.ANSWER
    first, second = fake_llm.requests
    assert first["response_format"] == {"type": "json_object"} and "response_format" not in second
    assert client.breaker_for(client.current()).state() == "closed"
    # Remembered for this endpoint and model: the next call goes without it at once.
    client.complete(JUDGE_REQ)
    assert len(fake_llm.requests) == 3 and "response_format" not in fake_llm.requests[2]


def test_another_400_in_json_mode_is_not_asked_again(llm_on, fake_llm) -> None:
    fake_llm.default = fake.status(400)  # says nothing of response_format
    with pytest.raises(LlmUnavailable) as exc:
        client.complete(JUDGE_REQ)
    assert exc.value.code == "llm_refused" and len(fake_llm.requests) == 1
