"""Delivery of fired and cleared alerts from their own outbox table (`AlertEvent.notified_at`):
a signed webhook (the rule's own URL and secret, through `audit.webhooks`) and e-mail through
Django's mail backend. The webhook outbox task runs this sweep after its own (registered in
`AlertsConfig.ready`). Delivery is at least once; receivers deduplicate on
`X-Reviewqueue-Event-Id`. No network call happens inside a transaction.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail

from reviewqueue.alerts import messages
from reviewqueue.alerts.models import AlertEvent
from reviewqueue.audit.events import EventType
from reviewqueue.audit.webhooks import deliver
from reviewqueue.sweeping import SweepResult

logger = logging.getLogger(__name__)


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
