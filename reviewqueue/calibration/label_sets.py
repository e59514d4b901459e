"""The labels the calibration page fits and measures on, each with its sample weight.

This is the one place the page, the fit task, the threshold recommendation and the policy
simulation read labels from: the draft-level labels of `reviewqueue/calibration/labels.py`
(`weighted_labels`: review 1, audit 1 / sampling share, feedback 1), so held drafts chosen by
routing and audit samples of auto-sent drafts each count for what they stand for. Every consumer
does weighted maths (`scoring.reliability`, `Calibrator.fit(weights=...)`).
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewqueue.calibration.labels import weighted_labels
from reviewqueue.review.models import Queue
from reviewqueue.tenancy.models import Tenant


@dataclass(frozen=True)
class WeightedLabel:
    draft_id: int
    raw_score: float
    confidence: float | None  # what the live calibrator gave the draft (the "before" figures)
    label: int  # 1 = good draft
    weight: float  # inverse sampling probability


@dataclass(frozen=True)
class LabelSet:
    rows: list[WeightedLabel]
    scored_by: dict[str, str]  # model and fusion versions the raw scores came from

    @property
    def labels(self) -> list[int]:
        return [r.label for r in self.rows]


def calibration_labels(*, tenant: Tenant, queue: Queue | None = None, prompt_version: str = "") -> LabelSet:
    got = weighted_labels(tenant, queue=queue, prompt_version=prompt_version or None)
    rows = [
        WeightedLabel(*row)
        for row in zip(got.draft_ids, got.scores, got.confidences, got.labels, got.weights, strict=True)
    ]
    return LabelSet(rows, got.scored_by)
