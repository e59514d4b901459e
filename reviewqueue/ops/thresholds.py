"""Recommending an auto-send threshold for a stated target, and what it means per day.

The target is an escape rate (at most X % bad drafts among the auto-sent) or, the same
constraint said the other way, a precision among the auto-sent (at least p good). The threshold
comes from the weighted labels (`scoring.reliability`); what it means per day — drafts
auto-sent, drafts for reviewers, reviewer hours — comes from replaying the recent traffic under
the active policy with that threshold, through the real router (`simulation.policy_simulate`).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from reviewqueue.calibration.label_sets import LabelSet
from reviewqueue.errors import InvalidInput
from reviewqueue.ops.simulation import MAX_DAYS, Simulation, policy_simulate
from reviewqueue.policy.selectors import active_policy
from reviewqueue.review.models import Queue
from reviewqueue.tenancy.models import Tenant
from scoring import reliability
from scoring.calibration import Calibrator
from scoring.policy import RoutingPolicy, Thresholds

TARGET_KINDS = {"escape": "escape rate at most", "precision": "precision among auto-sent at least"}


@dataclass(frozen=True)
class Target:
    kind: str  # escape | precision
    percent: float

    @property
    def max_escape(self) -> float:
        share = self.percent / 100
        return share if self.kind == "escape" else 1.0 - share

    def __str__(self) -> str:
        return f"{TARGET_KINDS[self.kind]} {self.percent:g} %"


def parse_target(kind: str, percent: str) -> Target:
    if kind not in TARGET_KINDS:
        raise InvalidInput("The target is an escape rate or a precision.", details={"field": "target"})
    try:
        value = float(percent)
    except ValueError:
        raise InvalidInput(f"{percent!r} is not a number.", details={"field": "percent"}) from None
    if not math.isfinite(value) or not 0.0 <= value <= 100.0:
        raise InvalidInput("The target is a percentage between 0 and 100.", details={"field": "percent"})
    return Target(kind, value)


def parse_days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a number of days.", details={"field": "days"}) from None
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"Replay between 1 and {MAX_DAYS} days.", details={"field": "days"})
    return days


@dataclass(frozen=True)
class Recommendation:
    target: Target
    labels_n: int
    point: reliability.TradeOff | None  # None: nothing can be auto-sent within the target
    current: reliability.TradeOff
    policy: RoutingPolicy | None
    live: Simulation  # the active policy, replayed (the "today" column)
    recommended: Simulation | None


def with_auto_send(policy: RoutingPolicy, threshold: float, queue: Queue | None) -> RoutingPolicy:
    """The policy with its auto-send threshold (for the queue, or its default) set to
    `threshold`; the lower thresholds come down with it where they would sit above it."""
    old = policy.thresholds_for("", queue.name if queue else None)
    new = Thresholds(
        auto_send=threshold,
        auto_draft_human_send=min(old.auto_draft_human_send, threshold),
        queue_for_review=min(old.queue_for_review, threshold),
    )
    version = f"{policy.version}+auto-{threshold:.4f}"[:64]
    if queue is not None:
        return dataclasses.replace(
            policy, version=version, queue_thresholds={**policy.queue_thresholds, queue.name: new}
        )
    return dataclasses.replace(policy, version=version, thresholds=new)


def confidences(labels: LabelSet, calibrator: Calibrator | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(labels, P(good), weights): the calibrator's P(good) when given, else the live one
    (labelled drafts scored without a confidence are left out)."""
    rows = [r for r in labels.rows if calibrator is not None or r.confidence is not None]
    y = np.array([r.label for r in rows], dtype=float)
    w = np.array([r.weight for r in rows])
    if calibrator is not None:
        p = np.clip(calibrator.predict(np.array([r.raw_score for r in rows])), 0.0, 1.0)
    else:
        p = np.array([r.confidence for r in rows], dtype=float)
    return y, p, w


def threshold_recommend(
    *,
    tenant: Tenant,
    now: datetime,
    target: Target,
    days: int,
    labels: LabelSet,
    calibrator: Calibrator | None = None,
    queue: Queue | None = None,
) -> Recommendation:
    y, p, w = confidences(labels, calibrator)
    base = active_policy(tenant_id=tenant.pk)
    current_threshold = base.thresholds_for("", queue.name if queue else None).auto_send
    point = reliability.threshold_for_escape(reliability.tradeoff(y, p, w), target.max_escape) if y.size else None
    live = policy_simulate(tenant=tenant, now=now, days=days, labels=labels, queue=queue)
    policy = recommended = None
    if point is not None:
        # Rounded up: a threshold shown to four places never auto-sends more than the one found.
        threshold = min(1.0, math.ceil(point.threshold * 10_000) / 10_000)
        policy = with_auto_send(base, threshold, queue)
        recommended = policy_simulate(
            tenant=tenant, now=now, days=days, labels=labels, policy=policy, calibrator=calibrator, queue=queue
        )
    current = (
        reliability.at_threshold(y, p, w, current_threshold)
        if y.size
        else reliability.TradeOff(current_threshold, 0.0, None, 0)
    )
    return Recommendation(target, int(y.size), point, current, policy, live, recommended)
