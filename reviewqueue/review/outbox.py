"""Webhook delivery from the event table, which doubles as the outbox.

An event is written in the same transaction as the change it records, so a crash between
commit and delivery loses nothing: the sweep finds it by `notified_at IS NULL` and delivers it.
Delivery is at least once (two overlapping sweeps, or a timeout after the receiver got it, can
repeat one); receivers deduplicate on `X-Reviewqueue-Event-Id`. No network call happens inside a
transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any

from django.conf import settings

from reviewqueue.review.models import ReviewEvent
from reviewqueue.review.sweeps import SweepResult

logger = logging.getLogger(__name__)

# What a service is told about; everything else in the history is internal.
NOTIFY_TYPES = ("draft.routed", "draft.decided")


def webhook_payload(event: ReviewEvent) -> dict[str, Any]:
    draft = event.draft
    return {
        "event_id": event.pk,
        "type": event.type,
        "created_at": event.created_at.isoformat(),
        "draft": {
            "id": draft.pk,
            "idempotency_key": draft.idempotency_key,
            "status": draft.status,
            "decision": draft.decision or None,
            "reason_codes": draft.decision_reasons,
            "confidence": draft.confidence,
            "outcome": draft.outcome or None,
            "final_text": draft.final_text or None,
        },
    }


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookTargetRefused(OSError):
    """The webhook host resolves to an address we do not send to (private, loopback, …)."""


def refused_address(address: str) -> bool:
    """Loopback, private, link-local, shared, reserved, multicast or unspecified: anything not global.

    An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is judged as the IPv4 address it maps.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_webhook_host(host: str, port: int | None) -> list[tuple[Any, ...]]:
    """Resolves `host`; raises WebhookTargetRefused unless every address it resolves to is allowed.

    Every address is checked, not just the first: a name with one public and one private record
    would otherwise reach the private one on a retry.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise WebhookTargetRefused(f"{host}: does not resolve ({exc})") from None
    if not settings.REVIEWQUEUE_WEBHOOK_ALLOW_PRIVATE:
        refused = sorted({str(info[4][0]) for info in infos if refused_address(str(info[4][0]))})
        if refused:
            raise WebhookTargetRefused(
                f"{host} resolves to {', '.join(refused)}: not a public address "
                "(REVIEWQUEUE_WEBHOOK_ALLOW_PRIVATE allows it)"
            )
    return infos


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


def _deliver(url: str, secret: str, event: ReviewEvent) -> bool:
    if not url.startswith(("http://", "https://")):
        return False
    body = json.dumps(webhook_payload(event), separators=(",", ":")).encode()
    # The scheme is checked above.
    request = urllib.request.Request(  # noqa: S310
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "reviewqueue-webhook/1",
            "X-Reviewqueue-Event-Id": str(event.pk),
            "X-Reviewqueue-Signature": sign(secret, body),
        },
    )
    try:
        with _opener.open(request, timeout=settings.REVIEWQUEUE_WEBHOOK_TIMEOUT_SECONDS) as response:
            # Only the status matters; at most this much of the answer is read, whatever its size.
            response.read(settings.REVIEWQUEUE_WEBHOOK_MAX_RESPONSE_BYTES)
            return 200 <= response.status < 300
    except (urllib.error.URLError, http.client.HTTPException, TimeoutError, OSError) as exc:
        logger.warning(
            "webhook delivery failed", extra={"action": "webhook.failed", "event_id": event.pk, "error": str(exc)}
        )
        return False


def outbox_sweep(*, now: datetime, batch: int | None = None) -> SweepResult:
    limit = batch or settings.REVIEWQUEUE_SWEEP_BATCH
    # Index: event_undelivered (partial on notified_at IS NULL). Events nobody is told about, or
    # whose client has no webhook, are closed in bulk so the partial index stays small.
    ReviewEvent.objects.filter(notified_at__isnull=True).exclude(type__in=NOTIFY_TYPES).update(notified_at=now)
    ReviewEvent.objects.filter(notified_at__isnull=True, draft__client__webhook_url="").update(notified_at=now)
    events = list(
        ReviewEvent.objects.filter(notified_at__isnull=True, type__in=NOTIFY_TYPES)
        .select_related("draft", "draft__client")
        .order_by("id")[:limit]
    )
    failing: set[int] = set()
    delivered = 0
    for event in events:
        client = event.draft.client
        # One failure per client per run: do not hammer a receiver that is down; the next run retries.
        if client.pk in failing or client.revoked_at is not None:
            continue
        if _deliver(client.webhook_url, client.webhook_secret, event):
            delivered += ReviewEvent.objects.filter(pk=event.pk, notified_at__isnull=True).update(notified_at=now)
        else:
            failing.add(client.pk)
    if events:
        logger.info(
            "outbox sweep: %d of %d delivered",
            delivered,
            len(events),
            extra={"action": "webhook.sweep", "examined": len(events), "moved": delivered},
        )
    return SweepResult(len(events), delivered)
