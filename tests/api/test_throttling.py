"""API throttles per key and per tenant (429 + Retry-After), and failed authentications per key
prefix and per client address, with the clock moved by time_machine."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from reviewqueue.tenancy.services import service_client_create
from tests.api.conftest import assert_error, service_client
from tests.factories import make_draft


@pytest.fixture
def draft_url(world) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/drafts/{make_draft(world).pk}"


def test_a_key_over_its_rate_gets_429_with_retry_after(world, draft_url, settings, clock) -> None:  # type: ignore[no-untyped-def]
    settings.REVIEWQUEUE_API_RATE_PER_CLIENT = "3/min"
    client = service_client(world.api_key)
    for _ in range(3):
        assert client.get(draft_url).status_code == 200
    response = client.get(draft_url)
    assert_error(response, 429, "throttled")
    assert 1 <= int(response["Retry-After"]) <= 60
    # Another tenant's key is not affected.
    assert service_client(world.other_api_key).get("/api/v1/drafts/1").status_code in {404, 200}
    clock.shift(timedelta(seconds=61))
    assert client.get(draft_url).status_code == 200


def test_a_tenants_keys_share_the_tenant_rate(world, draft_url, settings, clock) -> None:  # type: ignore[no-untyped-def]
    settings.REVIEWQUEUE_API_RATE_PER_TENANT = "4/min"
    _, second_key = service_client_create(tenant=world.tenant, name="second")
    first, second = service_client(world.api_key), service_client(second_key)
    for client in (first, first, second, second):
        assert client.get(draft_url).status_code in {200, 404}
    assert_error(second.get(draft_url), 429, "throttled")
    assert_error(first.get(draft_url), 429, "throttled")


def _prefix_of(key: str) -> str:
    return key.split("_")[1]


def test_wrong_secrets_on_a_known_prefix_are_throttled(world, draft_url, settings, clock) -> None:  # type: ignore[no-untyped-def]
    settings.REVIEWQUEUE_API_AUTH_FAILURES = 3
    settings.REVIEWQUEUE_API_AUTH_FAILURE_WINDOW_SECONDS = 300
    guess = f"rq_{_prefix_of(world.api_key)}_{'0' * 40}"
    for i in range(3):
        client = service_client(guess)
        client.defaults["REMOTE_ADDR"] = f"198.51.100.{i}"  # spread over addresses: the prefix counts
        assert_error(client.get(draft_url), 401, "authentication_failed")
    refused = service_client(guess)
    refused.defaults["REMOTE_ADDR"] = "198.51.100.200"
    response = refused.get(draft_url)
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) == 300
    clock.shift(timedelta(seconds=300))
    assert_error(refused.get(draft_url), 401, "authentication_failed")


def test_failed_authentications_from_one_address_are_throttled(world, draft_url, settings, clock) -> None:  # type: ignore[no-untyped-def]
    settings.REVIEWQUEUE_API_AUTH_FAILURES = 3
    for i in range(3):
        client = service_client(f"rq_nope{i}_secret")
        assert_error(client.get(draft_url), 401, "authentication_failed")
    # Locked address: refused before the key is even looked up, whoever it claims to be.
    assert_error(service_client(world.api_key).get(draft_url), 429, "throttled")
    other = service_client(world.api_key)
    other.defaults["REMOTE_ADDR"] = "192.0.2.55"
    assert other.get(draft_url).status_code == 200


def test_an_unreachable_cache_fails_open(world, draft_url, settings) -> None:  # type: ignore[no-untyped-def]
    # Redis down (with the broker): the API stays up, as it did before throttling existed.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    assert service_client(world.api_key).get(draft_url).status_code == 200
    assert_error(service_client("rq_nope_secret").get(draft_url), 401, "authentication_failed")


def test_the_counters_work_on_the_shared_redis_cache(world, draft_url, settings) -> None:  # type: ignore[no-untyped-def]
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.skip("needs Redis (the PostgreSQL + Redis run)")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.CELERY_BROKER_URL,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",  # expires on its own; nothing else is touched
        }
    }
    settings.REVIEWQUEUE_API_RATE_PER_CLIENT = "2/min"
    settings.REVIEWQUEUE_API_AUTH_FAILURES = 2
    client = service_client(world.api_key)
    assert [client.get(draft_url).status_code for _ in range(3)] == [200, 200, 429]
    bad = service_client("rq_nope_secret")
    bad.defaults["REMOTE_ADDR"] = "192.0.2.77"
    assert [bad.get(draft_url).status_code for _ in range(3)] == [401, 401, 429]
