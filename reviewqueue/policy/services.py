"""Publishing policy and calibrator versions; fitting a calibrator from reviewer labels."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F

from reviewqueue.errors import InvalidInput
from reviewqueue.golden.dispatch import golden_check_soon
from reviewqueue.policy.models import CalibratorVersion, RoutingPolicyVersion
from reviewqueue.review.models import Disposition, ItemState, ReviewItem
from reviewqueue.tenancy.models import Tenant
from scoring.calibration import FITTED_FOR, Calibrator
from scoring.errors import ConfigurationError
from scoring.policy import RoutingPolicy

logger = logging.getLogger(__name__)

# Reviewer dispositions as labels of "the draft was good enough to send as written".
GOOD = {Disposition.APPROVED}
BAD = {Disposition.EDITED, Disposition.REJECTED}
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
        row = RoutingPolicyVersion.objects.create(
            tenant=tenant,
            version=policy.version,
            config=policy.to_dict(),
            is_active=True,
            created_by=actor,
            note=note,
            created_at=now,
        )
        # A new live policy: rerun the golden set (after commit, on a worker).
        golden_check_soon(tenant_id=tenant.pk)
        return row


def labelled_scores(*, tenant: Tenant) -> tuple[list[float], list[int], dict[str, str]]:
    """(raw score, 1 if the reviewer accepted the draft as written) for resolved items, and the
    model and fusion versions those raw scores came from.

    A raw score means something only for the model and fusion that produced it, so only the
    labels scored like the most recently scored of them are used: after a scorer upgrade, labels
    on the old scores would calibrate the new ones wrongly. The versions go into the calibrator,
    and a worker running another model or fusion does not use it.
    """
    rows = (
        ReviewItem.objects.filter(
            queue__tenant=tenant,
            state=ItemState.RESOLVED,
            disposition__in=[*GOOD, *BAD],
            draft__score__isnull=False,
        )
        .order_by(F("draft__scored_at").desc(nulls_last=True), "-pk")
        .values_list("disposition", "draft__score")
    )
    raws, labels = [], []
    scored_by: dict[str, str] | None = None
    for disposition, score in rows:
        if not isinstance(score, dict) or not isinstance(raw := score.get("raw_score"), int | float):
            continue
        versions = _scorer_versions(score)
        if scored_by is None:
            scored_by = versions
        if versions == scored_by:
            raws.append(float(raw))
            labels.append(1 if disposition in GOOD else 0)
    return raws, labels, scored_by or {}


def _scorer_versions(score: dict[str, Any]) -> dict[str, str]:
    versions = score.get("versions")
    if not isinstance(versions, dict):
        return {}
    return {k: v for k in FITTED_FOR if isinstance(v := versions.get(k), str)}


def calibrator_fit(
    *, tenant: Tenant, now: datetime, method: str = "isotonic", min_labels: int = MIN_LABELS
) -> CalibratorVersion | None:
    """Fit on reviewer labels and publish a new active version; None when labels are too few
    or of one class (a calibrator fitted on those would be meaningless)."""
    raws, labels, scored_by = labelled_scores(tenant=tenant)
    if len(labels) < min_labels or len(set(labels)) < 2:
        logger.info(
            "calibration skipped", extra={"action": "calibration.skipped", "tenant": tenant.slug, "labels": len(labels)}
        )
        return None
    calibrator = Calibrator.fit(raws, labels, method=method, meta=scored_by or None)
    version = f"{tenant.slug}-{now:%Y%m%d%H%M%S}"
    with transaction.atomic():
        CalibratorVersion.objects.filter(tenant=tenant, is_active=True).update(is_active=False)
        row = CalibratorVersion.objects.create(
            tenant=tenant,
            version=version,
            artefact={**calibrator.to_dict(), "version": version},
            labels_used=len(labels),
            metrics={"positives": sum(labels), "method": method, "scored_by": scored_by},
            is_active=True,
            created_at=now,
        )
        golden_check_soon(tenant_id=tenant.pk)
        return row
