"""Celery tasks. Each only calls services; none holds logic of its own."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import worker_process_init
from django.db import DatabaseError
from django.utils import timezone

from reviewqueue.review import outbox, routing, sweeps


@worker_process_init.connect
def _load_scorer(**_: Any) -> None:
    # Load the model once per worker process, before the first task, not inside it.
    routing.get_scorer()


@shared_task(
    name="reviewqueue.review.tasks.score_draft",
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=2,
    retry_backoff_max=120,
    max_retries=6,
)
def score_draft(draft_id: int) -> str:
    return routing.score_and_route(draft_id)


@shared_task(name="reviewqueue.review.tasks.lease_sweep")
def lease_sweep() -> str:
    return str(sweeps.lease_sweep(now=timezone.now()))


@shared_task(name="reviewqueue.review.tasks.sla_sweep")
def sla_sweep() -> str:
    breached, warned = sweeps.sla_sweep(now=timezone.now())
    return f"breaches: {breached}; warnings: {warned}"


@shared_task(name="reviewqueue.review.tasks.redispatch_sweep")
def redispatch_sweep() -> str:
    return str(sweeps.redispatch_sweep(now=timezone.now()))


@shared_task(name="reviewqueue.review.tasks.outbox_sweep")
def outbox_sweep() -> str:
    return str(outbox.outbox_sweep(now=timezone.now()))
