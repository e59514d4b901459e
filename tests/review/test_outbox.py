"""Webhook delivery from the event outbox, against a real local HTTP receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from reviewqueue.review import outbox, services
from reviewqueue.review.models import ReviewEvent
from tests.factories import make_pending_item


class Receiver:
    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


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
