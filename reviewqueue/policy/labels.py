"""The labels the calibration page fits and measures on, each with its sample weight.

This is the one place the page, the fit task, the threshold recommendation and the policy
simulation read labels from. Every consumer does weighted maths (`scoring.reliability`,
`Calibrator.fit(weights=...)`), so when labels come with inverse sampling probabilities
(held drafts are chosen by routing; audit samples of auto-sent drafts are drawn at a stored
rate) only `calibration_labels` changes.

Today the labels are the reviewers' dispositions (`services.labelled_drafts`), every one with
weight 1.0. MERGE POINT: switch the body of `calibration_labels` to the weighted label selector.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewqueue.policy.services import labelled_drafts
from reviewqueue.review.models import Queue
from reviewqueue.tenancy.models import Tenant


@dataclass(frozen=True)
class WeightedLabel:
    draft_id: int
    queue_id: int
    raw_score: float
    confidence: float | None  # what the live calibrator gave the draft (the "before" figures)
    label: int  # 1 = good draft
    weight: float  # inverse sampling probability; 1.0 while labels are unweighted


@dataclass(frozen=True)
class LabelSet:
    rows: list[WeightedLabel]
    scored_by: dict[str, str]  # model and fusion versions the raw scores came from

    @property
    def labels(self) -> list[int]:
        return [r.label for r in self.rows]


def calibration_labels(*, tenant: Tenant, queue: Queue | None = None, prompt_version: str = "") -> LabelSet:
    rows, scored_by = labelled_drafts(
        tenant=tenant, queue_id=queue.pk if queue is not None else None, prompt_version=prompt_version
    )
    return LabelSet(
        [WeightedLabel(r.draft_id, r.queue_id, r.raw_score, r.confidence, r.label, 1.0) for r in rows], scored_by
    )
