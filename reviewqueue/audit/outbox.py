"""Webhook delivery from the event table, which doubles as the outbox.

An event is written in the same transaction as the change it records, so a crash between
commit and delivery loses nothing: the sweep finds it by `notified_at IS NULL` and delivers it.
Alert events (`alerts.AlertEvent`, which have no draft) are delivered the same way from their
own table: a signed webhook (the rule's own URL and secret) and e-mail through Django's mail
backend. Delivery is at least once (two overlapping sweeps, or a timeout after the receiver got it, can
repeat one); receivers deduplicate on `X-Reviewqueue-Event-Id`. No network call happens inside a
transaction.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import send_mail

from reviewqueue.alerts import messages
from reviewqueue.alerts.models import AlertEvent
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


# What alert rules announce; rule edits are history only.
ALERT_NOTIFY_TYPES = (EventType.ALERT_FIRED, EventType.ALERT_CLEARED)


def _mail(event: AlertEvent) -> bool:
    try:
        send_mail(
            messages.subject(event),
            messages.text(event),
            settings.DEFAULT_FROM_EMAIL,
            list(event.rule.email_to),
            fail_silently=False,
        )
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning(
            "alert e-mail failed", extra={"action": "alert.email_failed", "event_id": event.pk, "error": str(exc)}
        )
        return False
    return True


def alert_outbox_sweep(*, now: datetime, batch: int | None = None) -> SweepResult:
    """Deliver fired and cleared alerts, oldest first, each channel once. A channel that fails
    for a rule stops that channel for the rule until the next run, so a `cleared` never
    overtakes its `fired`."""
    limit = batch or settings.REVIEWQUEUE_SWEEP_BATCH
    # Index: alert_event_undelivered (partial on notified_at IS NULL).
    AlertEvent.objects.filter(notified_at__isnull=True).exclude(type__in=ALERT_NOTIFY_TYPES).update(notified_at=now)
    events = list(
        AlertEvent.objects.filter(notified_at__isnull=True).select_related("rule", "tenant").order_by("id")[:limit]
    )
    failing_hook: set[int] = set()
    failing_mail: set[int] = set()
    delivered = 0
    for event in events:
        rule = event.rule
        hook_done = event.webhook_done_at is not None
        if not hook_done and rule.pk not in failing_hook:
            # The rule's URL and secret now: a URL changed since the event goes to the new one.
            if not rule.webhook_url or deliver(
                rule.webhook_url,
                rule.webhook_secret,
                event_id=f"alert-{event.pk}",
                payload=messages.webhook_payload(event),
            ):
                hook_done = bool(AlertEvent.objects.filter(pk=event.pk).update(webhook_done_at=now))
            else:
                failing_hook.add(rule.pk)
        mail_done = event.email_done_at is not None
        if not mail_done and rule.pk not in failing_mail:
            if not rule.email_to or _mail(event):
                mail_done = bool(AlertEvent.objects.filter(pk=event.pk).update(email_done_at=now))
            else:
                failing_mail.add(rule.pk)
        if hook_done and mail_done:
            delivered += AlertEvent.objects.filter(pk=event.pk, notified_at__isnull=True).update(notified_at=now)
    if events:
        logger.info(
            "alert outbox sweep: %d of %d delivered",
            delivered,
            len(events),
            extra={"action": "alert.sweep", "examined": len(events), "moved": delivered},
        )
    return SweepResult(len(events), delivered)
