"""Webhook delivery from the event outbox, against a real local HTTP receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from reviewqueue.audit import outbox
from reviewqueue.audit.models import ReviewEvent
from reviewqueue.review import services
from reviewqueue.tenancy import webhook_targets as webhooks
from tests.factories import make_pending_item


def _decide(world) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    item = make_pending_item(world, now=now)
    services.review_item_claim_next(user=world.reviewer, now=now)
    services.review_item_submit(user=world.reviewer, item_id=item.pk, disposition="approved", now=now)


def test_routed_and_decided_events_are_delivered_signed_once(world, receiver) -> None:  # type: ignore[no-untyped-def]
    world.client.webhook_url, world.client.webhook_secret = receiver.url, "s3cret"
    world.client.save()
    _decide(world)
    result = outbox.outbox_sweep(now=timezone.now())
    assert result.moved == 2
    types = [json.loads(body)["type"] for _, body in receiver.requests]
    assert types == ["draft.routed", "draft.decided"]
    headers, body = receiver.requests[-1]
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["X-Reviewqueue-Signature"] == expected
    assert json.loads(body)["draft"]["outcome"] == "sent_draft"
    # Everything is closed now: a second run delivers nothing again.
    assert outbox.outbox_sweep(now=timezone.now()).examined == 0
    assert not ReviewEvent.objects.filter(notified_at__isnull=True).exists()


def test_failed_delivery_is_retried_on_the_next_run(world, receiver) -> None:  # type: ignore[no-untyped-def]
    world.client.webhook_url, world.client.webhook_secret = receiver.url, "k"
    world.client.save()
    receiver.status = 503
    _decide(world)
    first = outbox.outbox_sweep(now=timezone.now())
    assert first.moved == 0 and len(receiver.requests) == 1  # stops at the first failure for that client
    receiver.status = 200
    assert outbox.outbox_sweep(now=timezone.now()).moved == 2


def test_clients_without_webhook_close_their_events(world) -> None:  # type: ignore[no-untyped-def]
    _decide(world)
    assert outbox.outbox_sweep(now=timezone.now()).examined == 0
    assert not ReviewEvent.objects.filter(notified_at__isnull=True).exists()


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "224.0.0.1",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(address: str) -> None:
    assert webhooks.refused_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert not webhooks.refused_address(address)


def test_a_loopback_receiver_is_not_called_without_the_setting(world, receiver, settings) -> None:  # type: ignore[no-untyped-def]
    settings.REVIEWQUEUE_WEBHOOK_ALLOW_PRIVATE = False
    world.client.webhook_url, world.client.webhook_secret = receiver.url, "k"
    world.client.save()
    _decide(world)
    assert outbox.outbox_sweep(now=timezone.now()).moved == 0
    assert receiver.requests == []  # refused before connecting
    assert ReviewEvent.objects.filter(notified_at__isnull=True).exists()  # kept, not lost


def test_every_resolved_address_is_checked(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings.REVIEWQUEUE_WEBHOOK_ALLOW_PRIVATE = False
    import socket

    def resolve(host, port, **kwargs):  # type: ignore[no-untyped-def]
        # A name with one public and one private record (or a rebinding name).
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(webhooks.WebhookTargetRefused, match=r"10\.0\.0\.5"):
        webhooks.check_webhook_host("hooks.example.com", 443)


def test_the_admin_refuses_a_private_webhook_url(world, settings) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError

    settings.REVIEWQUEUE_WEBHOOK_ALLOW_PRIVATE = False
    world.client.webhook_url = "http://127.0.0.1:8000/hook"
    with pytest.raises(ValidationError) as caught:
        world.client.full_clean()
    assert "webhook_url" in caught.value.message_dict
    settings.REVIEWQUEUE_WEBHOOK_ALLOW_PRIVATE = True
    world.client.full_clean()


def test_a_huge_answer_is_read_only_up_to_the_limit(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.REVIEWQUEUE_WEBHOOK_ALLOW_PRIVATE = True
    settings.REVIEWQUEUE_WEBHOOK_MAX_RESPONSE_BYTES = 1024
    sent: list[int] = []

    class Flood(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.end_headers()
            try:
                for _ in range(10_000):  # up to 640 MB if it were all read
                    self.wfile.write(b"x" * 65_536)
                    sent.append(1)
            except OSError:
                pass

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Flood)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        world.client.webhook_url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        world.client.webhook_secret = "k"
        world.client.save()
        _decide(world)
        assert outbox.outbox_sweep(now=timezone.now()).moved == 2
        assert len(sent) < 10_000
    finally:
        server.shutdown()
        server.server_close()
