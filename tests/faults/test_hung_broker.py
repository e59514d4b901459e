"""A hung broker (accepts, never answers) cannot hold a web thread: enqueue answers 201 within
the configured publish timeout, the draft is re-dispatched later, and /healthz says degraded."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from reviewqueue.intake import sweeps
from reviewqueue.review.models import Draft, DraftStatus
from tests.api.broker import broker, purge_scoring_messages, scoring_messages
from tests.api.conftest import service_client
from tests.factories import draft_body, make_world
from tests.faults.hung import silent_server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not str(settings.CELERY_BROKER_URL).startswith("redis://"), reason="needs a Redis broker (CELERY_BROKER_URL)"
    ),
]

ENQUEUES = 5
UNREACHABLE = "redis://127.0.0.1:1/0"


def test_publish_timeout_is_short_by_default():
    assert settings.REVIEWQUEUE_BROKER_TIMEOUT_SECONDS == 0.5
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["socket_timeout"] == 0.5


@pytest.mark.django_db(transaction=True)
def test_enqueue_on_a_hung_broker_is_accepted_fast_then_redispatched(caplog):
    import redis

    world = make_world()
    client = service_client(world.api_key)
    budget = settings.REVIEWQUEUE_BROKER_TIMEOUT_SECONDS
    timings, ids = [], []
    with silent_server() as hung, broker(hung):
        for n in range(ENQUEUES):
            started = time.monotonic()
            response = client.post("/api/v1/drafts", draft_body(), format="json", HTTP_IDEMPOTENCY_KEY=f"hung-{n}")
            timings.append(time.monotonic() - started)
            assert response.status_code == 201, response.content
            ids.append(response.json()["id"])
    print(f"hung broker: {ENQUEUES} enqueues, 201 each, slowest {max(timings):.2f}s (publish timeout {budget}s)")
    # Each publish waits at most the reply timeout (plus the request itself), not 5 s as before.
    assert max(timings) < budget + 1.0, timings
    assert Draft.objects.filter(pk__in=ids, status=DraftStatus.RECEIVED).count() == ENQUEUES
    failed = [r.draft_id for r in caplog.records if getattr(r, "action", None) == "draft.dispatch.failed"]
    assert sorted(failed) == sorted(ids)

    # The broker is back: the re-dispatch sweep sends each draft once.
    redis_client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    stale = set(redis_client.lrange("scoring", 0, -1))
    later = timezone.now() + timedelta(seconds=settings.REVIEWQUEUE_REDISPATCH_AFTER_SECONDS + 1)
    with broker(settings.CELERY_BROKER_URL):
        assert sweeps.redispatch_sweep(now=later).moved == ENQUEUES
    try:
        for draft_id in ids:
            assert len(scoring_messages(redis_client, draft_id, ignore=stale)) == 1
    finally:
        for draft_id in ids:
            purge_scoring_messages(redis_client, draft_id, ignore=stale)


@pytest.mark.django_db
def test_healthz_reports_database_and_broker_separately(client, monkeypatch):
    ok = client.get("/healthz")
    assert (ok.status_code, ok.json()) == (200, {"status": "ok", "database": "ok", "broker": "ok"})

    with broker(UNREACHABLE):
        dead = client.get("/healthz")
    assert (dead.status_code, dead.json()) == (200, {"status": "degraded", "database": "ok", "broker": "down"})

    with silent_server() as hung, broker(hung):
        started = time.monotonic()
        silent = client.get("/healthz")
        elapsed = time.monotonic() - started
    assert (silent.status_code, silent.json()["status"], silent.json()["broker"]) == (200, "degraded", "down")
    assert elapsed < 2 * settings.REVIEWQUEUE_BROKER_TIMEOUT_SECONDS + 1.0, elapsed


@pytest.mark.django_db
def test_healthz_is_down_with_503_when_the_database_is(client, monkeypatch):
    from django.db import OperationalError

    from reviewqueue import health

    class DeadCursor:
        def __enter__(self):
            raise OperationalError("connection refused")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(health.connection, "cursor", lambda: DeadCursor())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "down", "database": "down", "broker": "ok"}


def test_a_worker_gets_the_longer_reply_timeout():
    # celeryd_init: the consumer's long-lived connection is not cut after the web's 0.5 s.
    from types import SimpleNamespace

    from reviewqueue.celery import _worker_socket_timeout

    conf = SimpleNamespace(broker_transport_options={"socket_timeout": 0.5, "visibility_timeout": 3600})
    _worker_socket_timeout(conf=conf)
    assert conf.broker_transport_options == {
        "socket_timeout": settings.REVIEWQUEUE_BROKER_WORKER_SOCKET_TIMEOUT_SECONDS,
        "visibility_timeout": 3600,
    }
