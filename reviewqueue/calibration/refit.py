"""The periodic refit (beat's daily `recalibrate` task and `manage.py recalibrate`): the same
calibration run a lead starts on /ops/calibration/ (`fitting.calibration_run_execute`: all
queues, every prompt version, figures on the page), then staged as the tenant's shadow candidate
(`shadow.candidate_stage_refit`). It never makes a calibrator live: a lead promotes it, through
the golden-set gate, or rolls it back.

A tenant whose shadow candidate is still on trial is skipped: replacing it every day would throw
away the evidence (`ShadowDecision` rows) the lead needs to judge it. A tenant with too few
labels is skipped before any run is written, so the page's run list is not a daily log of refusals.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from reviewqueue.calibration.fitting import MIN_LABELS_PER_CLASS, calibration_run_execute, label_shortage
from reviewqueue.calibration.label_sets import calibration_labels
from reviewqueue.calibration.shadow import candidate_stage_refit, shadow_candidate
from reviewqueue.errors import InvalidState
from reviewqueue.policy.models import CalibrationRun, ShadowCandidate
from reviewqueue.tenancy.models import Tenant

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refit:
    run: CalibrationRun | None  # None: no run was started (see `skipped`)
    candidate: ShadowCandidate | None  # the staged shadow; None when nothing was staged
    skipped: str  # why nothing was staged; "" when it was


def calibration_refit(
    *, tenant: Tenant, now: datetime, method: str = "isotonic", min_per_class: int = MIN_LABELS_PER_CLASS
) -> Refit:
    """Fit the tenant's calibrator on all its labels as a calibration run, synchronously (the
    caller is a worker or a command), and stage it as the shadow candidate."""
    if shadow_candidate(tenant_id=tenant.pk) is not None:
        return _skip(tenant, None, "a shadow candidate is already on trial; promote or roll it back first")
    shortage = label_shortage(calibration_labels(tenant=tenant).labels, min_per_class=min_per_class)
    if shortage is not None:
        return _skip(tenant, None, shortage.message)
    run = CalibrationRun.objects.create(tenant=tenant, method=method, created_by=None, created_at=now)
    outcome = calibration_run_execute(run.pk, min_per_class=min_per_class)
    run.refresh_from_db()
    if outcome != "done" or run.calibrator_id is None:
        return _skip(tenant, run, run.message or f"the run ended {outcome}")
    try:
        candidate = candidate_stage_refit(calibrator_id=run.calibrator_id, now=now)
    except InvalidState as exc:  # a lead staged a candidate while this one was fitting
        return _skip(tenant, run, exc.message)
    logger.info(
        "calibrator refit staged as shadow",
        extra={"action": "calibration.refit.staged", "tenant": tenant.slug, "candidate_id": candidate.pk},
    )
    return Refit(run, candidate, "")


def _skip(tenant: Tenant, run: CalibrationRun | None, why: str) -> Refit:
    logger.info("calibrator refit skipped", extra={"action": "calibration.refit.skipped", "tenant": tenant.slug})
    return Refit(run, None, why)
