"""Webhooks are signed with a real secret: one is made whenever a URL is set, from any path (the
service, client creation, the admin's add and change forms), shown once, rotatable; nothing is
ever delivered with an empty secret. Deliveries are checked by a local receiver."""

from __future__ import annotations

import hashlib
import hmac
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from reviewqueue.audit import outbox
from reviewqueue.errors import InvalidInput
from reviewqueue.tenancy.models import ServiceClient
from reviewqueue.tenancy.services import (
    service_client_create,
    service_client_rotate_webhook_secret,
    service_client_set_webhook,
)
from tests.audit.test_outbox import _decide

HOOK = "https://hooks.example.com/rq"
SECRET = re.compile(r"[0-9a-f]{64}")


def secret_of(client: ServiceClient) -> str:
    return ServiceClient.objects.values_list("webhook_secret", flat=True).get(pk=client.pk)


def test_creating_a_client_with_a_url_makes_a_secret(world):
    with_hook, _ = service_client_create(tenant=world.tenant, name="hooked", webhook_url=HOOK)
    without, _ = service_client_create(tenant=world.tenant, name="quiet")
    assert SECRET.fullmatch(secret_of(with_hook))
    assert secret_of(without) == ""


def test_setting_a_url_makes_a_new_secret_shown_once(world):
    first = service_client_set_webhook(client=world.client, url=HOOK)
    assert first is not None and SECRET.fullmatch(first) and secret_of(world.client) == first
    assert service_client_set_webhook(client=world.client, url=HOOK) is None  # same URL: kept
    assert secret_of(world.client) == first
    moved = service_client_set_webhook(client=world.client, url=HOOK + "/v2")
    assert moved is not None and moved != first
    assert service_client_set_webhook(client=world.client, url="") is None
    assert secret_of(world.client) == "" and ServiceClient.objects.get(pk=world.client.pk).webhook_url == ""


def test_a_url_left_without_a_secret_gets_one_when_set_again(world):
    ServiceClient.objects.filter(pk=world.client.pk).update(webhook_url=HOOK, webhook_secret="")
    world.client.refresh_from_db()
    secret = service_client_set_webhook(client=world.client, url=HOOK)
    assert secret is not None and secret_of(world.client) == secret


def test_rotation_replaces_the_secret(world):
    first = service_client_set_webhook(client=world.client, url=HOOK)
    rotated = service_client_rotate_webhook_secret(client=world.client)
    assert rotated != first and SECRET.fullmatch(rotated) and secret_of(world.client) == rotated


def test_rotation_without_a_url_is_refused(world):
    with pytest.raises(InvalidInput):
        service_client_rotate_webhook_secret(client=world.client)


# The admin checks where a webhook may go (public addresses only, unless allowed): a loopback
# URL, allowed, so the form test needs no DNS.
LOCAL_HOOK = "http://127.0.0.1:9/hook"


@pytest.fixture(autouse=True)
def _allow_loopback(settings):  # type: ignore[no-untyped-def]
    settings.REVIEWQUEUE_WEBHOOK_ALLOW_PRIVATE = True


def _admin() -> Client:
    admin = Client()
    admin.force_login(User.objects.create_superuser("root", password="x"))
    return admin


def _messages(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def test_the_admin_add_form_shows_the_new_secret_once(world, settings):
    admin = _admin()
    response = admin.post(
        "/admin/tenancy/serviceclient/add/",
        {"tenant": world.tenant.pk, "name": "hooked", "webhook_url": LOCAL_HOOK},
        follow=True,
    )
    client = ServiceClient.objects.get(name="hooked")
    secret = secret_of(client)
    assert SECRET.fullmatch(secret) and secret in _messages(response)
    # Shown once: the change page does not show it again.
    assert secret not in admin.get(f"/admin/tenancy/serviceclient/{client.pk}/change/").content.decode()


def test_the_admin_change_form_makes_a_secret_when_the_url_is_set(world):
    admin = _admin()
    assert secret_of(world.client) == ""
    response = admin.post(
        f"/admin/tenancy/serviceclient/{world.client.pk}/change/",
        {"tenant": world.tenant.pk, "name": world.client.name, "webhook_url": LOCAL_HOOK},
        follow=True,
    )
    secret = secret_of(world.client)
    assert SECRET.fullmatch(secret) and secret in _messages(response)
    # Saving again without changing the URL keeps the secret and shows nothing.
    again = admin.post(
        f"/admin/tenancy/serviceclient/{world.client.pk}/change/",
        {"tenant": world.tenant.pk, "name": "renamed", "webhook_url": LOCAL_HOOK},
        follow=True,
    )
    assert secret_of(world.client) == secret and secret not in _messages(again)


def test_the_admin_rotate_action(world):
    first = service_client_set_webhook(client=world.client, url=HOOK)
    response = _admin().post(
        "/admin/tenancy/serviceclient/",
        {"action": "rotate_webhook_secret", "_selected_action": [world.client.pk]},
        follow=True,
    )
    rotated = secret_of(world.client)
    assert rotated != first and rotated in _messages(response)


def test_nothing_is_delivered_with_an_empty_secret(world, receiver):
    ServiceClient.objects.filter(pk=world.client.pk).update(webhook_url=receiver.url, webhook_secret="")
    _decide(world)
    result = outbox.outbox_sweep(now=timezone.now())
    assert result.moved == 0 and receiver.requests == []
    # Once a secret is made, the waiting events go out, signed with it.
    world.client.refresh_from_db()
    secret = service_client_rotate_webhook_secret(client=world.client)
    assert outbox.outbox_sweep(now=timezone.now()).moved == 2
    for headers, body in receiver.requests:
        expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        assert headers["X-Reviewqueue-Signature"] == expected
