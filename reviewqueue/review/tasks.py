"""Celery tasks of the review timers. Each only calls a sweep; the schedule is in `reviewqueue.celery`."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from reviewqueue.review import retention, sweeps


@shared_task(name="reviewqueue.review.tasks.lease_sweep")
def lease_sweep() -> str:
    return str(sweeps.lease_sweep(now=timezone.now()))


@shared_task(name="reviewqueue.review.tasks.sla_sweep")
def sla_sweep() -> str:
    breached, warned = sweeps.sla_sweep(now=timezone.now())
    return f"breaches: {breached}; warnings: {warned}"


@shared_task(name="reviewqueue.review.tasks.retention_sweep")
def retention_sweep() -> str:
    return str(retention.retention_sweep(now=timezone.now()))
