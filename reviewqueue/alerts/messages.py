"""What an alert says: one text for people (Slack, e-mail) and one JSON body for programs.

Knows nothing of delivery; the outbox (`alerts.delivery.alert_outbox_sweep`) sends these.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse

from reviewqueue.alerts.models import AlertEvent, AlertKind, WebhookFormat
from reviewqueue.audit.events import EventType
from reviewqueue.web.templatetags.review_tags import duration_short


def _number(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, int | float) else "—"


def history_url() -> str | None:
    base = settings.REVIEWQUEUE_PUBLIC_URL
    return f"{base}{reverse('alerts:alert_history')}" if base else None


def subject(event: AlertEvent) -> str:
    rule = event.rule
    state = "FIRING" if event.type == EventType.ALERT_FIRED else "CLEARED"
    return f"[reviewqueue {state}] {rule.name} ({event.tenant.slug})"


def text(event: AlertEvent) -> str:
    rule, data = event.rule, event.data
    figure = AlertKind(data.get("kind", rule.kind)).label
    scope = f" in {data['queue']}" if data.get("queue") else ""
    at = _utc(event.created_at)
    if event.type == EventType.ALERT_FIRED:
        lines = [
            f"{subject(event)}",
            f"{figure}{scope} is {_number(data.get('value'))}, at or above the threshold "
            f"{_number(data.get('threshold'))} ({data.get('detail', '')}).",
            f"Firing since {at}. You will be told when it clears.",
        ]
    else:
        lines = [
            f"{subject(event)}",
            f"{figure}{scope} is back under the threshold {_number(data.get('threshold'))}: "
            f"{_number(data.get('value'))} ({data.get('detail', '')}).",
            f"Cleared at {at} after {duration_short(timedelta(seconds=float(data.get('duration_seconds', 0))))} "
            f"(fired at {_utc(datetime.fromisoformat(data['fired_at']))}).",
        ]
    link = history_url()
    if link:
        lines.append(f"History: {link}")
    return "\n".join(lines)


def _utc(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S %Z")


def webhook_payload(event: AlertEvent) -> dict[str, Any]:
    if event.rule.webhook_format == WebhookFormat.SLACK:
        # Slack incoming webhooks (and the many receivers that copy them) read `text`.
        return {"text": text(event)}
    rule, data = event.rule, event.data
    return {
        "event_id": f"alert-{event.pk}",
        "type": event.type,
        "created_at": event.created_at.isoformat(),
        "tenant": event.tenant.slug,
        "rule": {
            "id": rule.pk,
            "name": rule.name,
            "kind": data.get("kind", rule.kind),
            "queue": data.get("queue"),
            "threshold": data.get("threshold"),
        },
        "value": data.get("value"),
        "detail": data.get("detail"),
        "fired_at": data.get("fired_at", event.created_at.isoformat()),
        "cleared_at": event.created_at.isoformat() if event.type == EventType.ALERT_CLEARED else None,
        "text": text(event),
    }
