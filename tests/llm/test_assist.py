"""POST /api/v1/assist: generate with log-probs, store through intake, answer with the decision."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from reviewqueue.llm.models import AssistRequest, TokenUsage
from reviewqueue.llm.prompts import ASSIST_V1
from reviewqueue.review.models import Draft
from tests.api.conftest import assert_error, service_client, session_client
from tests.llm import fake_llm as fake

URL = "/api/v1/assist"

pytestmark = pytest.mark.django_db


def body(**overrides):  # type: ignore[no-untyped-def]
    b = {
        "question": "How long is the warranty on the X200 blender?",
        "passages": [{"id": "kb-17", "text": "All X200 blenders come with a two-year limited warranty."}],
        "metadata": {"intent": "warranty", "customer_tier": "standard"},
    }
    b.update(overrides)
    return b


def post(api_key, data, key="assist-1"):  # type: ignore[no-untyped-def]
    return service_client(api_key).post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_stores_the_answer_with_its_logprobs_and_prompt_hash(world, llm_on, fake_llm) -> None:
    response = post(world.api_key, body())
    assert response.status_code == 202, response.content  # no worker in this test: not decided yet
    draft = Draft.objects.get(pk=response.json()["id"])
    assert draft.text == fake.ANSWER and draft.client == world.client
    assert draft.logprobs["tokens"] == fake.tokens_of(fake.ANSWER)
    assert len(draft.logprobs["top_logprobs"][0]) == 5
    assert draft.prompt_version == "assist-v1" and draft.prompt_hash == ASSIST_V1.hash
    assert draft.metadata["prompt_hash"] == ASSIST_V1.hash and draft.generator_model == "fake-model"
    assert draft.intent == "warranty" and draft.idempotency_key == "assist:assist-1"
    sent = fake_llm.requests[0]
    assert sent["model"] == "fake-model" and sent["logprobs"] is True and sent["top_logprobs"] == 5
    assert "two-year limited warranty" in sent["messages"][1]["content"]
    assert TokenUsage.objects.get(tenant=world.tenant).calls == 1


def test_same_key_and_body_is_the_same_draft_with_one_llm_call(world, llm_on, fake_llm) -> None:
    first = post(world.api_key, body())
    second = post(world.api_key, body())
    assert second.json()["id"] == first.json()["id"]
    assert len(fake_llm.requests) == 1 and Draft.objects.count() == 1


def test_same_key_other_body_is_409(world, llm_on, fake_llm) -> None:
    post(world.api_key, body())
    response = post(world.api_key, body(question="Is it dishwasher safe?"))
    assert_error(response, 409, "idempotency_conflict")
    assert len(fake_llm.requests) == 1


def test_keys_are_per_client(world, llm_on, fake_llm) -> None:
    a = post(world.api_key, body()).json()["id"]
    b = post(world.other_api_key, body()).json()["id"]
    assert a != b and len(fake_llm.requests) == 2


def test_bad_input_costs_no_tokens(world, llm_on, fake_llm) -> None:
    assert_error(post(world.api_key, body(question="")), 400, "invalid")
    assert_error(post(world.api_key, body(draft="mine")), 400, "invalid")
    assert_error(post(world.api_key, body(prompt_version="nope")), 400, "invalid")
    assert_error(post(world.api_key, body(queue="no-such-queue")), 404, "not_found")
    assert_error(service_client(world.api_key).post(URL, body(), format="json"), 400, "invalid")  # no key
    assert fake_llm.requests == [] and not AssistRequest.objects.exists()


def test_needs_a_service_key(world, llm_on, fake_llm) -> None:
    response = session_client(world.reviewer).post(URL, body(), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code in (401, 403) and fake_llm.requests == []


@pytest.mark.parametrize(
    ("script", "status", "code"),
    [
        ([fake.status(500)] * 3, 503, "llm_unavailable"),
        ([fake.status(429, retry_after="0")] * 3, 429, "llm_rate_limited"),
        ([fake.hang(1.0)] * 3, 504, "llm_timeout"),
    ],
)
def test_llm_failure_is_a_clear_error_and_nothing_is_written(world, llm_on, fake_llm, script, status, code) -> None:
    llm_on(timeout_seconds=0.2)
    fake_llm.script = list(script)
    assert_error(post(world.api_key, body()), status, code)
    assert not Draft.objects.exists() and not AssistRequest.objects.exists()
    assert TokenUsage.objects.get(tenant=world.tenant).tokens == 0
    # The key is free again: the same request now succeeds.
    assert post(world.api_key, body()).status_code == 202


def test_over_budget_is_429_and_no_call(world, llm_on, fake_llm) -> None:
    llm_on(daily_token_budget=10)
    assert_error(post(world.api_key, body()), 429, "llm_budget_exceeded")
    assert fake_llm.requests == [] and not Draft.objects.exists() and not AssistRequest.objects.exists()


def test_open_breaker_is_503(world, llm_on, fake_llm) -> None:
    llm_on(max_retries=0, breaker_failures=1)
    fake_llm.script = [fake.status(500)]
    assert_error(post(world.api_key, body(), key="a"), 503, "llm_unavailable")
    assert_error(post(world.api_key, body(), key="b"), 503, "llm_circuit_open")
    assert len(fake_llm.requests) == 1


def test_no_endpoint_is_503_not_configured(world) -> None:
    assert_error(post(world.api_key, body()), 503, "llm_not_configured")


@pytest.mark.django_db(transaction=True)
def test_answers_with_the_decision_when_routed_in_time(world, llm_on, fake_llm, tiny_scorer, eager_celery) -> None:
    llm_on(assist_wait_seconds=5.0)
    response = post(world.api_key, body())
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] in ("routed", "decided") and data["routing"]["decision"]
    assert data["score"]["logprob_signals"]["seq_logprob"] < 0  # the generated log-probs were scored
    replay = post(world.api_key, body())
    assert replay.status_code == 200 and replay.json()["id"] == data["id"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_make_one_llm_call_and_one_draft(world, llm_on, fake_llm) -> None:
    llm_on(assist_wait_seconds=5.0)
    fake_llm.delay = 0.5  # the first request is still at the LLM when the others arrive
    results: list[tuple[int, dict]] = []
    barrier = threading.Barrier(4)

    def go() -> None:
        try:
            barrier.wait()
            response = post(world.api_key, body(), key="same")
            results.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(fake_llm.requests) == 1
    assert Draft.objects.count() == 1 and AssistRequest.objects.count() == 1
    assert {r[1]["id"] for r in results} == {Draft.objects.get().pk}
    assert sorted(r[0] for r in results) in ([200, 200, 200, 202], [202, 202, 202, 202])


def test_a_request_whose_process_died_is_taken_over(world, llm_on, fake_llm) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from reviewqueue.intake.drafts import fingerprint
    from reviewqueue.llm.assist import stale_after

    AssistRequest.objects.create(
        client=world.client,
        idempotency_key="crashed",
        fingerprint=fingerprint(body()),
        prompt_version=ASSIST_V1.version,
        prompt_hash=ASSIST_V1.hash,
        created_at=timezone.now() - timedelta(seconds=1),
    )
    assert_error(post(world.api_key, body(), key="crashed"), 409, "assist_in_progress")  # still in flight
    assert fake_llm.requests == []
    AssistRequest.objects.filter(idempotency_key="crashed").update(
        created_at=timezone.now() - stale_after(llm_on()) - timedelta(seconds=1)
    )
    response = post(world.api_key, body(), key="crashed")
    assert response.status_code == 202 and len(fake_llm.requests) == 1
    assert AssistRequest.objects.get(idempotency_key="crashed").draft_id == response.json()["id"]
