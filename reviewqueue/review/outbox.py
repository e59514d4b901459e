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
import json
import logging
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
        with urllib.request.urlopen(request, timeout=settings.REVIEWQUEUE_WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            return 200 <= response.status < 300
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
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
