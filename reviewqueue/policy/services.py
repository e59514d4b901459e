"""Publishing policy and calibrator versions; fitting a calibrator from reviewer labels."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from reviewqueue.calibration.labels import weighted_labels
from reviewqueue.errors import InvalidInput, TooFewLabels
from reviewqueue.golden.dispatch import golden_check_soon
from reviewqueue.policy.models import CalibratorVersion, RoutingPolicyVersion
from reviewqueue.tenancy.models import Tenant
from scoring.calibration import Calibrator
from scoring.errors import ConfigurationError
from scoring.policy import RoutingPolicy

logger = logging.getLogger(__name__)

# A fit needs at least this many good and this many bad labels (the page, the fit task and
# `manage.py recalibrate` all say so when there are fewer).
MIN_LABELS_PER_CLASS = 15


def policy_from_config(config: Any) -> RoutingPolicy:
    """The `RoutingPolicy` in `config`, or InvalidInput saying what is wrong with it."""
    if not isinstance(config, dict):
        raise InvalidInput("The policy must be a JSON object.")
    try:
        return RoutingPolicy.from_dict(config)
    except (ConfigurationError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidInput(f"Invalid routing policy: {exc}") from None


def policy_parse(*, tenant: Tenant, config: Any) -> RoutingPolicy:
    """The policy in `config`, checked as every publish path checks it: a valid `RoutingPolicy`
    with a version the tenant has not used."""
    policy = policy_from_config(config)
    if RoutingPolicyVersion.objects.filter(tenant=tenant, version=policy.version).exists():
        raise InvalidInput(f"Policy version {policy.version!r} already exists; publish a new version.")
    return policy


def policy_publish(
    *, tenant: Tenant, config: dict[str, Any], now: datetime, actor: User | None = None, note: str = ""
) -> RoutingPolicyVersion:
    with transaction.atomic():
        policy = policy_parse(tenant=tenant, config=config)
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
    """(raw score, 1 if the draft was good to send as written) for the tenant's labelled drafts,
    and the model and fusion versions those raw scores came from: `weighted_labels` without the
    weights (labels derived once, in reviewqueue/calibration/labels.py)."""
    labelled = weighted_labels(tenant)
    return labelled.scores, labelled.labels, labelled.scored_by


def label_shortage(labels: list[int], *, min_per_class: int = MIN_LABELS_PER_CLASS) -> TooFewLabels | None:
    """The error to show when there are too few good or too few bad labels to fit on; None
    when there are enough. One rule and one message for the page, the task and `recalibrate`."""
    good = sum(1 for v in labels if v == 1)
    bad = len(labels) - good
    if good >= min_per_class and bad >= min_per_class:
        return None
    return TooFewLabels(
        f"Too few labels to fit a calibrator: {good} good and {bad} bad; at least {min_per_class} "
        f"of each are needed (approved drafts are good; edited or rejected ones are bad).",
        details={"good": good, "bad": bad, "needed_per_class": min_per_class},
    )


def calibrator_fit(
    *, tenant: Tenant, now: datetime, method: str = "isotonic", min_labels: int = MIN_LABELS_PER_CLASS
) -> CalibratorVersion | None:
    """Fit on the labels, each weighed by its inverse sampling probability (an audited auto-sent
    draft stands for the unaudited ones), and publish a new active version (the `recalibrate`
    command and task); None when labels are too few of either kind (`label_shortage` says why)."""
    labelled = weighted_labels(tenant)
    raws, labels, scored_by = labelled.scores, labelled.labels, labelled.scored_by
    if label_shortage(labels, min_per_class=min_labels) is not None:
        logger.info(
            "calibration skipped", extra={"action": "calibration.skipped", "tenant": tenant.slug, "labels": len(labels)}
        )
        return None
    calibrator = Calibrator.fit(raws, labels, method=method, meta=scored_by or None, weights=labelled.weights)
    version = f"{tenant.slug}-{now:%Y%m%d%H%M%S}"
    with transaction.atomic():
        CalibratorVersion.objects.filter(tenant=tenant, queue__isnull=True, is_active=True).update(is_active=False)
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
