"""Starting a calibration run: a lead asks for a fit on /ops/calibration/, a Celery task does
it (`tasks.calibration_fit` → `fitting.calibration_run_execute`, which writes its progress to
the run row the page polls), and the fitted calibrator is stored inactive, to be tried as a
shadow candidate."""

from __future__ import annotations

import logging
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from reviewqueue.calibration.fitting import label_shortage
from reviewqueue.calibration.label_sets import calibration_labels
from reviewqueue.calibration.tasks import calibration_fit
from reviewqueue.errors import InvalidInput, NotFound
from reviewqueue.policy.models import CalibrationRun, RunStatus
from reviewqueue.review.models import Queue
from reviewqueue.tenancy.models import Tenant
from reviewqueue.tenancy.selectors import is_lead

logger = logging.getLogger(__name__)

METHODS = ("isotonic", "platt")


def calibration_run_start(
    *, acting_user: User, tenant: Tenant, queue_id: int | None, prompt_version: str, method: str, now: datetime
) -> CalibrationRun:
    """Check the request and the label counts now (so the page refuses at once, saying how
    many labels are needed), then create the run and hand it to a worker after commit."""
    if not is_lead(user=acting_user, tenant_id=tenant.pk):
        raise NotFound("No such tenant.")
    if method not in METHODS:
        raise InvalidInput(f"Unknown calibration method {method!r}: isotonic or platt.")
    queue = None
    if queue_id is not None:
        queue = Queue.objects.filter(pk=queue_id, tenant=tenant).first()
        if queue is None:
            raise NotFound(f"Queue {queue_id} does not exist.")
    prompt_version = prompt_version.strip()[:200]
    shortage = label_shortage(calibration_labels(tenant=tenant, queue=queue, prompt_version=prompt_version).labels)
    if shortage is not None:
        raise shortage
    with transaction.atomic():
        run = CalibrationRun.objects.create(
            tenant=tenant,
            queue=queue,
            prompt_version=prompt_version,
            method=method,
            created_by=acting_user,
            created_at=now,
        )
        transaction.on_commit(lambda: _dispatch(run.pk))
    return run


def _dispatch(run_id: int) -> None:
    """Hand the run to a worker. A broker outage fails the run with a message the page shows
    (nothing would ever pick it up), instead of leaving it waiting forever."""
    try:
        calibration_fit.apply_async(args=[run_id], retry=False)
    except Exception:  # kombu raises OperationalError and friends
        logger.warning("calibration run not dispatched", extra={"action": "calibration.dispatch.failed"}, exc_info=True)
        CalibrationRun.objects.filter(pk=run_id, status=RunStatus.PENDING).update(
            status=RunStatus.FAILED,
            progress=100,
            stage="",
            message="No worker could be reached (the task broker is down); try again later.",
            finished_at=timezone.now(),
        )
