"""Celery task of the webhook and alert outbox. It only calls the sweep; the schedule is in `reviewqueue.celery`."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from reviewqueue.audit import outbox


@shared_task(name="reviewqueue.review.tasks.outbox_sweep")
def outbox_sweep() -> str:
    now = timezone.now()
    # Then the outboxes other apps registered (alerts: "alerts: …"), after the webhooks.
    reports = [f"webhooks: {outbox.outbox_sweep(now=now)}"]
    reports += [f"{name}: {sweep(now=now)}" for name, sweep in outbox.other_outboxes()]
    return "; ".join(reports)
