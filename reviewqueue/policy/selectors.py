from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F

from reviewqueue.policy.labels import LabelSet
from reviewqueue.policy.models import (
    CalibrationRun,
    CalibratorVersion,
    RoutingPolicyVersion,
    ShadowCandidate,
    ShadowDecision,
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


@dataclass(frozen=True)
class ShadowSummary:
    candidate: ShadowCandidate
    decided: int
    disagreements: int
    transitions: list[tuple[str, str, int]]  # (live, shadow, count) where they differ
    labels: dict[str, float]  # among disagreements: weighted good / bad, and how many unlabelled
    recent: list[tuple[ShadowDecision, int | None]]  # (row, label) of the latest disagreements


SHADOW_SHOWN = 25


def shadow_summary(*, candidate: ShadowCandidate, labels: LabelSet) -> ShadowSummary:
    """Where the shadow and the live decision differ on live traffic, and what the reviewers'
    labels say about those drafts (weighted)."""
    rows = ShadowDecision.objects.filter(candidate=candidate)
    differ = rows.exclude(live_action=F("shadow_action"))
    transitions = [
        (live, shadow, n)
        for live, shadow, n in differ.values("live_action", "shadow_action")
        .annotate(n=Count("id"))
        .order_by("-n", "live_action", "shadow_action")
        .values_list("live_action", "shadow_action", "n")
    ]
    by_draft = {r.draft_id: r for r in labels.rows}
    good = bad = 0.0
    unlabelled = 0
    for draft_id in differ.values_list("draft_id", flat=True):
        label = by_draft.get(draft_id)
        if label is None:
            unlabelled += 1
        elif label.label:
            good += label.weight
        else:
            bad += label.weight
    recent = [
        (row, by_draft[row.draft_id].label if row.draft_id in by_draft else None)
        for row in differ.order_by("-created_at", "-pk")[:SHADOW_SHOWN]
    ]
    return ShadowSummary(
        candidate,
        rows.count(),
        sum(n for _, _, n in transitions),
        transitions,
        {"good": good, "bad": bad, "unlabelled": unlabelled},
        recent,
    )
