"""The Celery app. Periodic schedules live here and nowhere else.

Tasks are found by autodiscovery (`<app>/tasks.py`) and scheduled by name: the names keep their
first module path (`reviewqueue.review.tasks.…`) wherever the task lives now, so messages already
queued under them still find their task after a deploy.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import celeryd_init

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
        ("alert rules", seconds["alert_evaluate"], "reviewqueue.alerts.tasks.alert_evaluate"),
        ("retention sweep", seconds["retention_sweep"], "reviewqueue.review.tasks.retention_sweep"),
        ("recalibrate", 24 * 3600, "reviewqueue.policy.tasks.recalibrate"),
        ("golden check", seconds["golden_check"], "reviewqueue.golden.tasks.golden_check"),
        ("ops rollup", seconds["ops_rollup"], "reviewqueue.ops.tasks.ops_rollup"),
    ]
    for name, every, task in schedule:
        sender.add_periodic_task(every, sender.signature(task), name=name)


@celeryd_init.connect
def _worker_socket_timeout(conf: object, **_: object) -> None:
    # Settings give every process the web's short broker reply timeout, so an enqueue cannot hang
    # on a silent broker. A worker's consumer holds its connection for hours: give it the longer
    # one before it connects (celeryd_init runs in the worker's main process, before the consumer).
    from django.conf import settings

    options = dict(getattr(conf, "broker_transport_options", None) or {})
    if "socket_timeout" in options:
        options["socket_timeout"] = settings.REVIEWQUEUE_BROKER_WORKER_SOCKET_TIMEOUT_SECONDS
        conf.broker_transport_options = options  # type: ignore[attr-defined]
