"""Celery tasks. Each only calls services; none holds logic of its own."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from celery import Task, shared_task
from celery.signals import worker_process_init
from celery.utils.time import get_exponential_backoff_interval
from django.db import DatabaseError, connection
from django.utils import timezone

from reviewqueue.review import outbox, retention, routing, services, sweeps

logger = logging.getLogger(__name__)


@worker_process_init.connect
def _load_scorer(**_: Any) -> None:
    # Load the model once per worker process, before the first task, not inside it.
    routing.get_scorer()


@shared_task(bind=True, name="reviewqueue.review.tasks.score_draft", acks_late=True, max_retries=6)
def score_draft(self: Task, draft_id: int) -> str:
    """A database error (a cancelled statement, a lock or statement timeout, a dropped
    connection) is a blip, not a verdict: the task is retried with exponential backoff (2 s,
    4 s, … at most 120 s, jittered) and the draft stays `received`. Only the scorer's own failure
    marks a draft `scoring_failed` (routing._score). After the last retry the task fails and the
    redispatch sweep sends the draft again later. Safe because score_and_route is idempotent.
    """
    try:
        services.draft_dispatch_taken(draft_id=draft_id)
        return routing.score_and_route(draft_id)
    except DatabaseError as exc:
        # The connection may be dead or left in a failed state: drop it, so the retry (in this
        # process, later) opens a fresh one instead of failing on the same broken socket.
        with contextlib.suppress(DatabaseError):
            connection.close()
        logger.warning(
            "scoring hit a database error; retrying",
            extra={"action": "draft.scoring_retry", "draft_id": draft_id, "retries": self.request.retries},
        )
        countdown = get_exponential_backoff_interval(
            factor=2, retries=self.request.retries, maximum=120, full_jitter=True
        )
        raise self.retry(exc=exc, countdown=countdown) from exc


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


@shared_task(name="reviewqueue.review.tasks.retention_sweep")
def retention_sweep() -> str:
    return str(retention.retention_sweep(now=timezone.now()))
