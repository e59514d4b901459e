"""Service API keys: the lookup that runs on every service request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from reviewqueue.tenancy.models import ServiceClient
from reviewqueue.tenancy.services import (
    service_client_authenticate,
    service_client_create,
    service_client_revoke,
    tenant_create,
)

pytestmark = pytest.mark.django_db
WINDOW = timedelta(seconds=60)


@pytest.fixture
def keyed():
    tenant = tenant_create(slug="acme", name="Acme")
    return service_client_create(tenant=tenant, name="bot")


def test_a_good_key_gives_its_client(keyed):
    client, key = keyed
    found = service_client_authenticate(key=key, now=timezone.now(), touch_every=WINDOW)
    assert found is not None and found.pk == client.pk and found.tenant_id == client.tenant_id
    assert found.revoked_at is None and found.is_active


@pytest.mark.parametrize(
    "mangle",
    [
        lambda k: k[:-1] + ("A" if k[-1] != "A" else "B"),  # right prefix, wrong secret
        lambda k: "rq_nosuchprefix_" + k.rsplit("_", 1)[1],  # unknown prefix
        lambda k: k.removeprefix("rq_"),  # not a key at all
        lambda k: "rq_",
    ],
)
def test_a_wrong_key_gives_nothing(keyed, mangle):
    _, key = keyed
    assert service_client_authenticate(key=mangle(key), now=timezone.now(), touch_every=WINDOW) is None


def test_a_revoked_key_gives_nothing(keyed):
    client, key = keyed
    service_client_revoke(client=client, now=timezone.now())
    assert service_client_authenticate(key=key, now=timezone.now(), touch_every=WINDOW) is None


def test_last_used_is_written_at_most_once_per_window(keyed):
    client, key = keyed
    start = timezone.now()

    def last_used():
        return ServiceClient.objects.values_list("last_used_at", flat=True).get(pk=client.pk)

    assert service_client_authenticate(key=key, now=start, touch_every=WINDOW).last_used_at == start
    assert last_used() == start
    # Within the window: no write.
    service_client_authenticate(key=key, now=start + WINDOW - timedelta(seconds=1), touch_every=WINDOW)
    assert last_used() == start
    # At the window's end: written again.
    service_client_authenticate(key=key, now=start + WINDOW, touch_every=WINDOW)
    assert last_used() == start + WINDOW


# --- the per-process cache of verified keys --------------------------------------------------
CACHE = 5.0


@pytest.fixture
def clock(monkeypatch):
    """keycache's clock, moved by hand; the cache starts empty and is left empty."""
    from reviewqueue.tenancy import keycache

    now = [1000.0]
    monkeypatch.setattr(keycache, "_clock", lambda: now[0])
    keycache.forget_all()
    yield now
    keycache.forget_all()


def _auth(key, **kw):
    return service_client_authenticate(key=key, now=timezone.now(), touch_every=WINDOW, **kw)


def test_a_cached_key_is_not_looked_up_again(keyed, clock, django_assert_num_queries):
    client, key = keyed
    _auth(key, cache_seconds=CACHE)
    with django_assert_num_queries(0):
        found = _auth(key, cache_seconds=CACHE)
    assert found.pk == client.pk and found.tenant_id == client.tenant_id
    # Each hit is its own instance: nothing set on one request's client reaches the next.
    found.name = "changed"
    assert _auth(key, cache_seconds=CACHE).name == "bot"


def test_the_cache_does_not_vouch_for_another_secret(keyed, clock):
    _, key = keyed
    assert _auth(key, cache_seconds=CACHE) is not None
    assert _auth(key[:-1] + ("A" if key[-1] != "A" else "B"), cache_seconds=CACHE) is None


def test_an_entry_lapses_after_its_seconds(keyed, clock, django_assert_num_queries):
    client, key = keyed
    _auth(key, cache_seconds=CACHE)
    # Revoked by another process: this one still trusts the key until the entry lapses...
    ServiceClient.objects.filter(pk=client.pk).update(revoked_at=timezone.now())
    clock[0] += CACHE - 0.01
    assert _auth(key, cache_seconds=CACHE) is not None
    # ...and not a moment after.
    clock[0] += 0.01
    assert _auth(key, cache_seconds=CACHE) is None


def test_revoking_in_this_process_takes_effect_at_once(keyed, clock):
    client, key = keyed
    assert _auth(key, cache_seconds=CACHE) is not None
    service_client_revoke(client=client, now=timezone.now())
    assert _auth(key, cache_seconds=CACHE) is None


def test_zero_seconds_looks_every_key_up(keyed, clock, django_assert_num_queries):
    _, key = keyed
    _auth(key)
    with django_assert_num_queries(1):
        assert _auth(key) is not None


def test_the_admin_revoke_action_revokes_and_says_when_it_reaches_other_processes(keyed, clock, settings):
    from django.contrib.auth.models import User
    from django.test import Client

    client, key = keyed
    assert _auth(key, cache_seconds=CACHE) is not None  # cached in this process
    admin = Client()
    admin.force_login(User.objects.create_superuser("root", password="x"))
    response = admin.post(
        "/admin/tenancy/serviceclient/", {"action": "revoke", "_selected_action": [client.pk]}, follow=True
    )
    assert f"Other web processes refuse them within {settings.REVIEWQUEUE_KEY_CACHE_SECONDS} s" in (
        response.content.decode()
    )
    assert ServiceClient.objects.get(pk=client.pk).revoked_at is not None
    assert _auth(key, cache_seconds=CACHE) is None
