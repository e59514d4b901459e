"""Celery tasks of intake. Each only calls a service.

`score_draft` is defined with the adapter it runs (`intake.worker`); it is named here too so that
autodiscovery registers it. Task names keep their first module path (`reviewqueue.review.tasks.…`):
messages already queued under those names must still find their task after a deploy.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from reviewqueue.intake import sweeps
from reviewqueue.intake.worker import score_draft

__all__ = ["redispatch_sweep", "score_draft"]


@shared_task(name="reviewqueue.review.tasks.redispatch_sweep")
def redispatch_sweep() -> str:
    return str(sweeps.redispatch_sweep(now=timezone.now()))
