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


def test_every_request_looks_its_key_up_in_one_query(keyed, django_assert_num_queries):
    _, key = keyed
    service_client_authenticate(key=key, now=timezone.now(), touch_every=WINDOW)  # last_used_at written
    with django_assert_num_queries(1):
        assert service_client_authenticate(key=key, now=timezone.now(), touch_every=WINDOW) is not None


def test_a_key_revoked_by_the_service_is_refused_on_the_very_next_request(keyed):
    # Nothing caches a verified key: another process's revocation counts from the next request.
    from tests.api.conftest import assert_error, service_client

    client, key = keyed
    api = service_client(key)
    assert api.get("/api/v1/drafts/999999").status_code == 404  # authenticated, no such draft
    service_client_revoke(client=client, now=timezone.now())
    assert_error(api.get("/api/v1/drafts/999999"), 401, "authentication_failed")


def test_the_admin_revoke_action_revokes_at_once(keyed):
    from django.contrib.auth.models import User
    from django.test import Client

    client, key = keyed
    admin = Client()
    admin.force_login(User.objects.create_superuser("root", password="x"))
    response = admin.post(
        "/admin/tenancy/serviceclient/", {"action": "revoke", "_selected_action": [client.pk]}, follow=True
    )
    assert "Revoked 1 API key(s); they are refused from the next request on." in response.content.decode()
    assert "within" not in response.content.decode()
    assert ServiceClient.objects.get(pk=client.pk).revoked_at is not None
    assert service_client_authenticate(key=key, now=timezone.now(), touch_every=WINDOW) is None
