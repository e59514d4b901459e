"""The Celery app. Periodic schedules live here and nowhere else."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewqueue.settings")

app = Celery("reviewqueue")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _schedule_timers(sender: Celery, **_: object) -> None:
    from django.conf import settings

    seconds = settings.CELERY_TIMER_SECONDS
    sender.add_periodic_task(
        seconds["lease_sweep"], sender.signature("reviewqueue.review.tasks.lease_sweep"), name="lease sweep"
    )
    sender.add_periodic_task(
        seconds["sla_sweep"], sender.signature("reviewqueue.review.tasks.sla_sweep"), name="sla sweep"
    )
    sender.add_periodic_task(24 * 3600, sender.signature("reviewqueue.policy.tasks.recalibrate"), name="recalibrate")
    sender.add_periodic_task(
        seconds["redispatch_sweep"],
        sender.signature("reviewqueue.review.tasks.redispatch_sweep"),
        name="re-dispatch sweep",
    )
