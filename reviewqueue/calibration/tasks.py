"""Celery tasks of the calibrator fit. Their names keep their first module path
(`reviewqueue.policy.tasks.…`, see `reviewqueue.celery`), so queued messages still find them."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from reviewqueue.calibration import fitting
from reviewqueue.tenancy.models import Tenant


@shared_task(name="reviewqueue.policy.tasks.recalibrate")
def recalibrate() -> str:
    """Refit each tenant's calibrator on its reviewers' labels (skipped where labels are too few)."""
    now = timezone.now()
    fitted = [v.version for t in Tenant.objects.all() if (v := fitting.calibrator_fit(tenant=t, now=now))]
    return f"fitted {len(fitted)}: {', '.join(fitted)}"


@shared_task(name="reviewqueue.policy.tasks.calibration_fit", acks_late=True)
def calibration_fit(run_id: int) -> str:
    """Fit one calibration run a lead started on /ops/calibration/ (safe to deliver twice)."""
    return fitting.calibration_run_execute(run_id)
