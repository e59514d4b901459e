"""Celery task of the webhook and alert outbox. It only calls the sweep; the schedule is in `reviewqueue.celery`."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from reviewqueue.audit import outbox


@shared_task(name="reviewqueue.review.tasks.outbox_sweep")
def outbox_sweep() -> str:
    now = timezone.now()
    return f"webhooks: {outbox.outbox_sweep(now=now)}; alerts: {outbox.alert_outbox_sweep(now=now)}"
