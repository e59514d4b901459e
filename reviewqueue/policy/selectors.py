from __future__ import annotations

from reviewqueue.policy.models import (
    CalibrationRun,
    CalibratorVersion,
    RoutingPolicyVersion,
    ShadowCandidate,
)
from scoring.calibration import Calibrator
from scoring.policy import RoutingPolicy


def active_policy(*, tenant_id: int) -> RoutingPolicy:
    row = RoutingPolicyVersion.objects.filter(tenant_id=tenant_id, is_active=True).first()
    return RoutingPolicy.from_dict(row.config) if row else RoutingPolicy.default()


def active_calibrator_row(*, tenant_id: int, queue_id: int | None = None) -> CalibratorVersion | None:
    """The queue's own active calibrator if it has one, else the tenant's."""
    rows = CalibratorVersion.objects.filter(tenant_id=tenant_id, is_active=True)
    if queue_id is not None and (own := rows.filter(queue_id=queue_id).first()) is not None:
        return own
    return rows.filter(queue__isnull=True).first()


def active_calibrator(*, tenant_id: int, queue_id: int | None = None) -> Calibrator | None:
    """The fitted calibrator for the queue's drafts (`active_calibrator_row`), or None to use
    the scorer's shipped default."""
    row = active_calibrator_row(tenant_id=tenant_id, queue_id=queue_id)
    return Calibrator.from_dict(row.artefact) if row else None


def calibration_runs(*, tenant_id: int, limit: int = 10) -> list[CalibrationRun]:
    return list(
        CalibrationRun.objects.filter(tenant_id=tenant_id)
        .select_related("queue", "calibrator", "created_by")
        .order_by("-created_at", "-pk")[:limit]
    )


def candidates(*, tenant_id: int, limit: int = 20) -> list[ShadowCandidate]:
    return list(
        ShadowCandidate.objects.filter(tenant_id=tenant_id)
        .select_related("calibrator", "policy", "created_by")
        .order_by("-created_at", "-pk")[:limit]
    )
