"""Publishing policy and calibrator versions; fitting a calibrator from reviewer labels."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from reviewqueue.calibration.labels import weighted_labels
from reviewqueue.errors import InvalidInput
from reviewqueue.policy.models import CalibratorVersion, RoutingPolicyVersion
from reviewqueue.tenancy.models import Tenant
from scoring.calibration import Calibrator
from scoring.errors import ConfigurationError
from scoring.policy import RoutingPolicy

logger = logging.getLogger(__name__)

MIN_LABELS = 30


def policy_publish(
    *, tenant: Tenant, config: dict[str, Any], now: datetime, actor: User | None = None, note: str = ""
) -> RoutingPolicyVersion:
    try:
        policy = RoutingPolicy.from_dict(config)
    except (ConfigurationError, TypeError, ValueError) as exc:
        raise InvalidInput(f"Invalid routing policy: {exc}") from None
    with transaction.atomic():
        if RoutingPolicyVersion.objects.filter(tenant=tenant, version=policy.version).exists():
            raise InvalidInput(f"Policy version {policy.version!r} already exists; publish a new version.")
        RoutingPolicyVersion.objects.filter(tenant=tenant, is_active=True).update(is_active=False)
        return RoutingPolicyVersion.objects.create(
            tenant=tenant,
            version=policy.version,
            config=policy.to_dict(),
            is_active=True,
            created_by=actor,
            note=note,
            created_at=now,
        )


def labelled_scores(*, tenant: Tenant) -> tuple[list[float], list[int], dict[str, str]]:
    """(raw score, 1 if the draft was good to send as written) for the tenant's labelled drafts,
    and the model and fusion versions those raw scores came from: `weighted_labels` without the
    weights (labels derived once, in reviewqueue/calibration/labels.py)."""
    labelled = weighted_labels(tenant)
    return labelled.scores, labelled.labels, labelled.scored_by


def calibrator_fit(
    *, tenant: Tenant, now: datetime, method: str = "isotonic", min_labels: int = MIN_LABELS
) -> CalibratorVersion | None:
    """Fit on the labels, each weighed by its inverse sampling probability (an audited auto-sent
    draft stands for the unaudited ones), and publish a new active version; None when labels are
    too few or of one class (a calibrator fitted on those would be meaningless)."""
    labelled = weighted_labels(tenant)
    raws, labels, scored_by = labelled.scores, labelled.labels, labelled.scored_by
    if len(labels) < min_labels or len(set(labels)) < 2:
        logger.info(
            "calibration skipped", extra={"action": "calibration.skipped", "tenant": tenant.slug, "labels": len(labels)}
        )
        return None
    calibrator = Calibrator.fit(raws, labels, method=method, meta=scored_by or None, weights=labelled.weights)
    version = f"{tenant.slug}-{now:%Y%m%d%H%M%S}"
    with transaction.atomic():
        CalibratorVersion.objects.filter(tenant=tenant, is_active=True).update(is_active=False)
        return CalibratorVersion.objects.create(
            tenant=tenant,
            version=version,
            artefact={**calibrator.to_dict(), "version": version},
            labels_used=len(labels),
            metrics={"positives": sum(labels), "method": method, "scored_by": scored_by},
            is_active=True,
            created_at=now,
        )
