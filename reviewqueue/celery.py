"""The Celery app. Periodic schedules live here and nowhere else.

Tasks are found by autodiscovery (`<app>/tasks.py`) and scheduled by name: the names keep their
first module path (`reviewqueue.review.tasks.…`) wherever the task lives now, so messages already
queued under them still find their task after a deploy.
"""

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
    schedule = [
        ("lease sweep", seconds["lease_sweep"], "reviewqueue.review.tasks.lease_sweep"),
        ("sla sweep", seconds["sla_sweep"], "reviewqueue.review.tasks.sla_sweep"),
        ("re-dispatch sweep", seconds["redispatch_sweep"], "reviewqueue.review.tasks.redispatch_sweep"),
        ("webhook outbox", seconds["outbox_sweep"], "reviewqueue.review.tasks.outbox_sweep"),
        ("recalibrate", 24 * 3600, "reviewqueue.policy.tasks.recalibrate"),
    ]
    for name, every, task in schedule:
        sender.add_periodic_task(every, sender.signature(task), name=name)
