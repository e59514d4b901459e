"""Celery task of the ops rollups. It only calls the sweep; the schedule is in `reviewqueue.celery`."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from reviewqueue.ops import rollups


@shared_task(name="reviewqueue.ops.tasks.ops_rollup")
def ops_rollup() -> str:
    return str(rollups.rollup_sweep(now=timezone.now()))
