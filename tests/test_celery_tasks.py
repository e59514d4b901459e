"""Task names outlive the modules that define them: queued messages and the beat schedule name
tasks by string, so every published name must still be registered, wherever its code lives."""

from __future__ import annotations

from celery.app.defaults import DEFAULTS
from django.conf import settings

from reviewqueue.celery import app

# Names already published to brokers (in flight across a deploy) and scheduled by beat.
PUBLISHED = {
    "reviewqueue.review.tasks.score_draft",
    "reviewqueue.review.tasks.lease_sweep",
    "reviewqueue.review.tasks.sla_sweep",
    "reviewqueue.review.tasks.redispatch_sweep",
    "reviewqueue.review.tasks.outbox_sweep",
    "reviewqueue.review.tasks.retention_sweep",
    "reviewqueue.policy.tasks.recalibrate",
    "reviewqueue.golden.tasks.golden_check",
    "reviewqueue.golden.tasks.golden_eval",
    "reviewqueue.alerts.tasks.alert_evaluate",
}


def _registered() -> set[str]:
    app.loader.import_default_modules()  # what a worker imports at start (autodiscovery)
    app.finalize()
    return set(app.tasks)


def test_every_published_task_name_is_registered() -> None:
    assert _registered() >= PUBLISHED


def test_every_timer_points_at_a_registered_task() -> None:
    registered = _registered()
    schedule = {name: entry["task"] for name, entry in app.conf.beat_schedule.items()}
    assert set(schedule) == {
        "lease sweep",
        "sla sweep",
        "re-dispatch sweep",
        "webhook outbox",
        "retention sweep",
        "recalibrate",
        "golden check",
        "alert rules",
        "ops rollup",
    }
    assert set(schedule.values()) <= registered


def test_celery_settings_named_for_speed_are_celerys_defaults() -> None:
    # settings.py names a few Celery settings only so that apply_async finds them in Django's
    # settings instead of missing four times per read; their values must stay Celery's own.
    for name in ("task_send_sent_event", "task_repr_maxlevels", "broker_pool_acquire_timeout"):
        assert getattr(settings, f"CELERY_{name.upper()}") == DEFAULTS[name]
        assert app.conf[name] == DEFAULTS[name]
