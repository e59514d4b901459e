"""Sending one webhook: the signed POST, through connections that only reach the addresses the
service-client rules allow (`tenancy.webhook_targets`).

Knows nothing of events or models: the outbox (`audit.outbox`) says what to send.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import socket
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings

from reviewqueue.tenancy.webhook_targets import WebhookTargetRefused, check_webhook_host

logger = logging.getLogger(__name__)


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _guarded_connection(
    address: tuple[str, int], timeout: float | None = None, source_address: tuple[str, int] | None = None, **_: Any
) -> socket.socket:
    # Resolve, check and connect to the checked address in one step, so a name that answers a
    # public address to the check and a private one to the connect (DNS rebinding) gets nowhere.
    host, port = address
    last: OSError | None = None
    for family, kind, proto, _name, sockaddr in check_webhook_host(host, port):
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            last = exc
    raise last or WebhookTargetRefused(f"{host}: no address")


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _guarded_connection


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _guarded_connection


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_GuardedHTTPConnection, req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_GuardedHTTPSConnection, req, context=self._context)  # type: ignore[attr-defined]


# No proxies from the environment (the check must see the real target); redirects are followed
# only through the same guarded connections.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _GuardedHTTPHandler, _GuardedHTTPSHandler)


def deliver(url: str, secret: str, *, event_id: int | str, payload: dict[str, Any]) -> bool:
    """POST the signed payload; True on a 2xx answer. Never raises for a network failure."""
    if not url.startswith(("http://", "https://")) or not secret:
        return False  # never unsigned (the outbox says why, per client)
    body = json.dumps(payload, separators=(",", ":")).encode()
    # The scheme is checked above.
    request = urllib.request.Request(  # noqa: S310
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "reviewqueue-webhook/1",
            "X-Reviewqueue-Event-Id": str(event_id),
            "X-Reviewqueue-Signature": sign(secret, body),
        },
    )
    try:
        with _opener.open(request, timeout=settings.REVIEWQUEUE_WEBHOOK_TIMEOUT_SECONDS) as response:
            # Only the status matters; at most this much of the answer is read, whatever its size.
            response.read(settings.REVIEWQUEUE_WEBHOOK_MAX_RESPONSE_BYTES)
            return bool(200 <= response.status < 300)
    except (urllib.error.URLError, http.client.HTTPException, TimeoutError, OSError) as exc:
        logger.warning(
            "webhook delivery failed", extra={"action": "webhook.failed", "event_id": event_id, "error": str(exc)}
        )
        return False
