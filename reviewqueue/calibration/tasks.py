"""Celery tasks of the calibrator fit. Their names keep their first module path
(`reviewqueue.policy.tasks.…`, see `reviewqueue.celery`), so queued messages still find them."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from reviewqueue.calibration import fitting, refit
from reviewqueue.tenancy.models import Tenant


@shared_task(name="reviewqueue.policy.tasks.recalibrate")
def recalibrate() -> str:
    """Refit each tenant's calibrator on its labels and stage it as the shadow candidate
    (`refit.calibration_refit`; skipped where labels are too few or a shadow is on trial).
    Nothing goes live until a lead promotes it."""
    now = timezone.now()
    staged = [
        r.candidate.version for t in Tenant.objects.all() if (r := refit.calibration_refit(tenant=t, now=now)).candidate
    ]
    return f"staged {len(staged)}: {', '.join(staged)}"


@shared_task(name="reviewqueue.policy.tasks.calibration_fit", acks_late=True)
def calibration_fit(run_id: int) -> str:
    """Fit one calibration run a lead started on /ops/calibration/ (safe to deliver twice)."""
    return fitting.calibration_run_execute(run_id)
