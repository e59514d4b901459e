"""Publishing policy and calibrator versions; fitting a calibrator from reviewer labels."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F

from reviewqueue.errors import InvalidInput, TooFewLabels
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


@dataclass(frozen=True)
class LabelledDraft:
    draft_id: int
    queue_id: int
    raw_score: float
    confidence: float | None  # the calibrated confidence the live scorer gave it
    label: int  # 1: the reviewer accepted the draft as written


def labelled_drafts(
    *, tenant: Tenant, queue_id: int | None = None, prompt_version: str = ""
) -> tuple[list[LabelledDraft], dict[str, str]]:
    """The resolved items' drafts with their reviewer label (of the queue, of the prompt version
    when given), and the model and fusion versions their raw scores came from.

    A raw score means something only for the model and fusion that produced it, so only the
    labels scored like the most recently scored of them are used: after a scorer upgrade, labels
    on the old scores would calibrate the new ones wrongly. The versions go into the calibrator,
    and a worker running another model or fusion does not use it.
    """
    rows = ReviewItem.objects.filter(
        queue__tenant=tenant,
        state=ItemState.RESOLVED,
        disposition__in=[*GOOD, *BAD],
        draft__score__isnull=False,
    )
    if queue_id is not None:
        rows = rows.filter(queue_id=queue_id)
    if prompt_version:
        rows = rows.filter(draft__prompt_version=prompt_version)
    out: list[LabelledDraft] = []
    scored_by: dict[str, str] | None = None
    for draft_id, queue, disposition, score, confidence in rows.order_by(
        F("draft__scored_at").desc(nulls_last=True), "-pk"
    ).values_list("draft_id", "queue_id", "disposition", "draft__score", "draft__confidence"):
        if not isinstance(score, dict) or not isinstance(raw := score.get("raw_score"), int | float):
            continue
        versions = _scorer_versions(score)
        if scored_by is None:
            scored_by = versions
        if versions == scored_by:
            out.append(LabelledDraft(draft_id, queue, float(raw), confidence, 1 if disposition in GOOD else 0))
    return out, scored_by or {}


def labelled_scores(*, tenant: Tenant) -> tuple[list[float], list[int], dict[str, str]]:
    """(raw score, 1 if the reviewer accepted the draft as written) for resolved items, and the
    model and fusion versions those raw scores came from (see `labelled_drafts`)."""
    rows, scored_by = labelled_drafts(tenant=tenant)
    return [r.raw_score for r in rows], [r.label for r in rows], scored_by


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


def _scorer_versions(score: dict[str, Any]) -> dict[str, str]:
    versions = score.get("versions")
    if not isinstance(versions, dict):
        return {}
    return {k: v for k in FITTED_FOR if isinstance(v := versions.get(k), str)}


def calibrator_fit(
    *, tenant: Tenant, now: datetime, method: str = "isotonic", min_labels: int = MIN_LABELS_PER_CLASS
) -> CalibratorVersion | None:
    """Fit on reviewer labels and publish a new active version (the `recalibrate` command and
    task); None when labels are too few of either kind (`label_shortage` says why)."""
    raws, labels, scored_by = labelled_scores(tenant=tenant)
    if label_shortage(labels, min_per_class=min_labels) is not None:
        logger.info(
            "calibration skipped", extra={"action": "calibration.skipped", "tenant": tenant.slug, "labels": len(labels)}
        )
        return None
    calibrator = Calibrator.fit(raws, labels, method=method, meta=scored_by or None)
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
