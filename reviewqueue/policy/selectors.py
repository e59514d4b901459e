from __future__ import annotations

from django.db.models import Q

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


def active_calibrator_row(
    *, tenant_id: int, queue_id: int | None = None, prompt_version: str = ""
) -> CalibratorVersion | None:
    """The live calibrator for a draft of this queue and prompt version: the most specific live
    scope wins, in this order: the queue's for this prompt version, the queue's, the tenant's
    for this prompt version, the tenant's. (A queue's own fit knows its traffic; a prompt
    version's fit only its wording.)"""
    live = CalibratorVersion.objects.filter(
        Q(queue__isnull=True) | Q(queue_id=queue_id),  # queue_id None: the tenant-wide ones only
        tenant_id=tenant_id,
        is_active=True,
        prompt_version__in={"", prompt_version},
    )
    rows = {(r.queue_id, r.prompt_version): r for r in live}
    for scope in calibrator_scopes(queue_id=queue_id, prompt_version=prompt_version):
        if scope in rows:
            return rows[scope]
    return None


def calibrator_scopes(*, queue_id: int | None, prompt_version: str) -> list[tuple[int | None, str]]:
    """The (queue, prompt version) scopes whose live calibrator would calibrate such a draft,
    most specific first (`active_calibrator_row`'s order)."""
    scopes: list[tuple[int | None, str]] = []
    if queue_id is not None:
        scopes += [(queue_id, prompt_version)] if prompt_version else []
        scopes.append((queue_id, ""))
    scopes += [(None, prompt_version)] if prompt_version else []
    scopes.append((None, ""))
    return scopes


def active_calibrator(*, tenant_id: int, queue_id: int | None = None, prompt_version: str = "") -> Calibrator | None:
    """The fitted calibrator for the draft's queue and prompt version (`active_calibrator_row`),
    or None to use the scorer's shipped default."""
    row = active_calibrator_row(tenant_id=tenant_id, queue_id=queue_id, prompt_version=prompt_version)
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
