from __future__ import annotations

from reviewqueue.policy.models import CalibratorVersion, RoutingPolicyVersion
from scoring.calibration import Calibrator
from scoring.policy import RoutingPolicy


def active_policy(*, tenant_id: int) -> RoutingPolicy:
    row = RoutingPolicyVersion.objects.filter(tenant_id=tenant_id, is_active=True).first()
    return RoutingPolicy.from_dict(row.config) if row else RoutingPolicy.default()


def active_calibrator(*, tenant_id: int) -> Calibrator | None:
    """The tenant's fitted calibrator, or None to use the scorer's shipped default."""
    row = CalibratorVersion.objects.filter(tenant_id=tenant_id, is_active=True).first()
    return Calibrator.from_dict(row.artefact) if row else None
