"""Celery task of the alert rules. It only calls the service; the schedule is in `reviewqueue.celery`."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from reviewqueue.alerts import services


@shared_task(name="reviewqueue.alerts.tasks.alert_evaluate")
def alert_evaluate() -> str:
    return str(services.alert_rules_evaluate(now=timezone.now()))
