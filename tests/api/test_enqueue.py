"""POST /api/v1/drafts: idempotent intake."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.urls import reverse

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.review.models import Draft, DraftStatus
from tests.api.broker import purge_scoring_messages
from tests.api.conftest import assert_error, service_client
from tests.factories import draft_body, make_world
from tests.review.helpers import row_counts

URL = "/api/v1/drafts"


def _redis():  # type: ignore[no-untyped-def]
    from django.conf import settings

    if not str(settings.CELERY_BROKER_URL).startswith("redis://"):
        return None
    import redis

    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


def post(client, body, key="key-1", **extra):
    return client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key, **extra)


def test_url_is_stable():
    assert reverse("api:draft-create") == URL


def test_first_call_creates_the_draft(world, as_service, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post(
            as_service, draft_body(queue="billing-l2", logprobs={"tokens": ["The", " X200"], "logprobs": [-0.01, -0.2]})
        )
    assert response.status_code == 201, response.content
    body = response.json()
    draft = Draft.objects.get(pk=body["id"])
    assert body["status"] == "received"
    assert draft.client == world.client and draft.tenant == world.tenant
    assert draft.requested_queue == world.l2_queue
    assert draft.intent == "warranty" and draft.prompt_version == "faq-v3"
    assert draft.generator_model == "gpt-4o-mini" and draft.customer_tier == "standard"
    assert draft.passages == [{"id": "kb-17", "text": draft_body()["passages"][0]["text"]}]
    assert draft.logprobs["tokens"] == ["The", " X200"]
    event = ReviewEvent.objects.get(draft=draft)
    assert (event.type, event.client, event.to_state) == ("draft.received", world.client, "received")
    # Scoring is dispatched after commit, never inside the request's transaction.
    assert len(callbacks) == 1


def test_same_key_and_body_returns_the_same_draft(world, as_service):
    first = post(as_service, draft_body())
    counts = row_counts()
    again = post(as_service, draft_body())
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["status"] == "received" and again.json()["idempotency_key"] == "key-1"
    assert row_counts() == counts


def test_the_201_has_the_same_body_as_the_200_replay(world, as_service):
    created = post(as_service, draft_body())
    replay = post(as_service, draft_body())
    assert (created.status_code, replay.status_code) == (201, 200)
    assert created.json() == replay.json()
    assert set(created.json()) == {
        "id",
        "status",
        "idempotency_key",
        "created_at",
        "routing",
        "score",
        "review",
        "outcome",
    }


def test_replaying_with_0_0_and_decomposed_text_returns_the_same_draft(world, as_service):
    nfc, nfd = "caf\u00e9", "cafe\u0301"
    first = post(as_service, draft_body(draft=f"{nfc} costs 0", metadata={"amount": 0}))
    again = post(as_service, draft_body(draft=f"{nfd} costs 0", metadata={"amount": 0.0}))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]


def test_key_order_does_not_change_the_fingerprint(world, as_service):
    first = post(as_service, draft_body())
    reordered = dict(reversed(list(draft_body().items())))
    assert post(as_service, reordered).json()["id"] == first.json()["id"]


def test_same_key_with_a_different_body_is_a_conflict(world, as_service):
    first = post(as_service, draft_body())
    counts = row_counts()
    response = post(as_service, draft_body(draft="Something else entirely."))
    error = assert_error(response, 409, "idempotency_conflict")
    assert error["details"] == {"draft_id": first.json()["id"]}
    assert row_counts() == counts


def test_keys_are_per_client(world, as_service):
    mine = post(as_service, draft_body(), key="shared")
    theirs = post(service_client(world.other_api_key), draft_body(), key="shared")
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert Draft.objects.get(pk=theirs.json()["id"]).tenant == world.other_tenant


def test_different_keys_make_different_drafts(world, as_service):
    assert post(as_service, draft_body(), key="a").json()["id"] != post(as_service, draft_body(), key="b").json()["id"]


def test_queue_of_another_tenant_is_not_found(world, as_service):
    counts = row_counts()
    response = post(as_service, draft_body(queue="support"))  # the other tenant's queue
    assert_error(response, 404, "not_found")
    assert row_counts() == counts


def test_api_key_last_used_is_recorded(world, as_service):
    assert world.client.last_used_at is None
    post(as_service, draft_body())
    world.client.refresh_from_db()
    assert world.client.last_used_at is not None


# --- concurrency -------------------------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_identical_enqueues_make_one_draft():
    world = make_world()
    redis_client = _redis()
    stale = set(redis_client.lrange("scoring", 0, -1)) if redis_client else set()
    body = draft_body()
    barrier = threading.Barrier(50)
    results: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def enqueue() -> None:
        try:
            client = service_client(world.api_key)
            barrier.wait(timeout=30)
            response = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="same-key")
            with lock:
                results.append((response.status_code, response.json().get("id")))
        except BaseException as exc:  # surfaced below; a thread must not swallow it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=enqueue) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * 49 + [201]
    assert len({draft_id for _, draft_id in results}) == 1
    assert Draft.objects.filter(client=world.client).count() == 1
    draft = Draft.objects.get(client=world.client)
    assert draft.status in (DraftStatus.RECEIVED, DraftStatus.SCORED, DraftStatus.ROUTED)
    assert ReviewEvent.objects.filter(draft=draft, type="draft.received").count() == 1
    if redis_client is not None:  # dispatched once, on the winner's commit
        assert purge_scoring_messages(redis_client, draft.pk, ignore=stale) == 1

    conflict = service_client(world.api_key).post(
        URL, draft_body(draft="Other text."), format="json", HTTP_IDEMPOTENCY_KEY="same-key"
    )
    assert_error(conflict, 409, "idempotency_conflict")
    assert Draft.objects.filter(client=world.client).count() == 1


def test_enqueue_query_count_and_no_queue_read(world, as_service, django_assert_num_queries):
    """The key's client; then in one transaction (a savepoint pair here) the draft, written by one
    statement that also asks for the tenant's default queue (queries.DRAFT_INSERT), and its event."""
    post(as_service, draft_body(), key="warm-up")  # the key's last-used write happens once
    with django_assert_num_queries(5) as captured:
        response = post(as_service, draft_body(), key="counted")
    assert response.status_code == 201, response.content
    assert not any("FROM review_queue" in q["sql"] and "INSERT" not in q["sql"] for q in captured.captured_queries)
