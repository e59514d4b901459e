"""Deciding a scored draft again under a candidate calibrator and/or policy, through the real
router (`intake.routing.route_decision`): the shadow recorder and the policy simulation both
use this, so a candidate is judged by exactly the code that would route with it."""

from __future__ import annotations

import dataclasses

from reviewqueue.intake.routing import route_decision
from reviewqueue.review.models import Draft, Queue
from scoring.calibration import FITTED_FOR, Calibrator
from scoring.inputs import DraftInput
from scoring.policy import RoutingPolicy
from scoring.results import ScoreResult


def with_calibrator(result: ScoreResult, calibrator: Calibrator) -> ScoreResult:
    """The result as the scorer would have calibrated it with `calibrator`. A calibrator fitted
    for another model or fusion is not applied by the scorer (it falls back to the identity),
    and not here either."""
    meta = calibrator.meta or {}
    if any(meta.get(k) and meta.get(k) != result.versions.get(k) for k in FITTED_FOR):
        calibrator = Calibrator.identity()
    confidence = min(1.0, max(0.0, float(calibrator.predict(result.raw_score))))
    return dataclasses.replace(
        result, confidence=confidence, versions={**result.versions, "calibrator": calibrator.version}
    )


def decide_again(
    draft: Draft,
    queue: Queue | None,
    *,
    result: ScoreResult,
    inputs: DraftInput,
    calibrator: Calibrator | None = None,
    policy: RoutingPolicy | None = None,
) -> tuple[str, list[str], float]:
    """(action, reasons, confidence) under the candidate; None parts keep the live ones."""
    if calibrator is not None:
        result = with_calibrator(result, calibrator)
    decided = route_decision(draft, queue, scored=(result, inputs), policy=policy)
    return decided.action, decided.reasons, result.confidence
