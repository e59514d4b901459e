"""Webhook delivery from the event table, which doubles as the outbox.

An event is written in the same transaction as the change it records, so a crash between
commit and delivery loses nothing: the sweep finds it by `notified_at IS NULL` and delivers it.
Other outboxes (alert events, `alerts.AlertEvent`, which have no draft, delivered from their
own table by `alerts.delivery`) register their sweep here from their app's `ready()`, and the
outbox task runs them after the webhooks. Delivery is at least once (two overlapping sweeps, or
a timeout after the receiver got it, can repeat one); receivers deduplicate on
`X-Reviewqueue-Event-Id`. No network call happens inside a transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Protocol

from django.conf import settings

from reviewqueue.audit.events import EventType
from reviewqueue.audit.models import ReviewEvent
from reviewqueue.audit.webhooks import deliver
from reviewqueue.sweeping import SweepResult

logger = logging.getLogger(__name__)

# What a service is told about; everything else in the history is internal.
NOTIFY_TYPES = (EventType.DRAFT_ROUTED, EventType.DRAFT_DECIDED, EventType.DRAFT_FOLLOW_UP_SENT)


def webhook_payload(event: ReviewEvent) -> dict[str, Any]:
    draft = event.draft
    payload: dict[str, Any] = {
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
    if event.type == EventType.DRAFT_FOLLOW_UP_SENT and event.item is not None:
        # The second message of a blocked draft: what the reviewer sent after the fallback.
        payload["follow_up"] = {"item_id": event.item.pk, "final_text": event.item.final_text or None}
    elif event.type == EventType.DRAFT_ROUTED and "follow_up" in event.data:
        payload["follow_up"] = {"scheduled": bool(event.data["follow_up"])}
    return payload


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
        if not client.webhook_secret:
            # Never deliver unsigned: a receiver could not tell us from anyone else. Set the URL
            # again (or rotate the secret) and the events waiting here go out signed.
            logger.warning(
                "webhook has no secret; not delivered",
                extra={"action": "webhook.unsigned", "client_id": client.pk, "event_id": event.pk},
            )
            failing.add(client.pk)
            continue
        if deliver(client.webhook_url, client.webhook_secret, event_id=event.pk, payload=webhook_payload(event)):
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


class OutboxSweep(Protocol):
    def __call__(self, *, now: datetime, batch: int | None = None) -> SweepResult: ...


_other_outboxes: dict[str, OutboxSweep] = {}


def outbox_register(name: str, sweep: OutboxSweep) -> None:
    """Have the outbox task also run `sweep` (named `name` in its report); once per name."""
    _other_outboxes[name] = sweep


def other_outboxes() -> list[tuple[str, OutboxSweep]]:
    """The registered sweeps, in the order their apps registered them."""
    return list(_other_outboxes.items())
