"""The figures of a golden set under one version combination, from the scorer's stored
(uncalibrated) results: the calibrator maps each raw score to a confidence exactly as the
scorer does (`Scorer._fuse`), and the routing policy decides from that. Reads only.

Figures, with label 1 = bad (hallucinated), as in the shared data format:
- AUROC of P(bad) = 1 − confidence against the label (`scoring.evaluate.auroc`);
- escape rate: the share of bad records among those the policy auto-sends (0 when it auto-sends
  none: nothing escaped);
- auto-send share: the share of records auto-sent.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from scoring.calibration import Calibrator
from scoring.engine import Scorer
from scoring.evaluate import auroc
from scoring.inputs import DraftInput
from scoring.policy import RoutingPolicy
from scoring.results import ScoreResult


@dataclass(frozen=True)
class Combination:
    model: str
    fusion: str
    calibrator: str
    policy: str

    def to_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Figures:
    combination: Combination
    n: int
    n_bad: int
    auroc: float | None
    auto_sent: int
    bad_auto_sent: int
    escape_rate: float
    auto_send_share: float

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "combination": self.combination.to_dict()}


def effective_calibrator(scorer: Scorer, calibrator: Calibrator | None) -> Calibrator:
    """The calibrator the scorer would apply: the tenant's (None: the scorer's shipped one), or
    the uncalibrated identity when it was fitted for another model or fusion."""
    chosen = calibrator or scorer.calibrator
    return Calibrator.identity() if scorer.calibrator_mismatch(chosen) else chosen


def combination(scorer: Scorer, calibrator: Calibrator, policy: RoutingPolicy) -> Combination:
    return Combination(scorer.model_version, scorer.fusion.version, calibrator.version, policy.version)


def recalibrated(result: ScoreResult, calibrator: Calibrator) -> ScoreResult:
    confidence = float(calibrator.predict(result.raw_score))
    if not np.isfinite(confidence):
        confidence = 0.0
    return dataclasses.replace(
        result,
        confidence=min(1.0, max(0.0, confidence)),
        versions={**result.versions, "calibrator": calibrator.version},
    )


def figures(
    *,
    rows: Sequence[tuple[int, DraftInput, ScoreResult]],
    calibrator: Calibrator,
    policy: RoutingPolicy,
    combo: Combination,
) -> Figures:
    """rows: (label, the input scored, the scorer's result for it)."""
    labels: list[int] = []
    p_bad: list[float] = []
    auto_sent = bad_auto_sent = 0
    for label, inputs, result in rows:
        scored = recalibrated(result, calibrator)
        action = policy.decide(scored, inputs).action
        labels.append(label)
        p_bad.append(scored.p_hallucinated)
        if action == "auto_send":
            auto_sent += 1
            bad_auto_sent += label
    n = len(labels)
    area = auroc(np.asarray(labels, dtype=int), np.asarray(p_bad, dtype=float)) if n else float("nan")
    return Figures(
        combination=combo,
        n=n,
        n_bad=sum(labels),
        auroc=None if np.isnan(area) else area,
        auto_sent=auto_sent,
        bad_auto_sent=bad_auto_sent,
        escape_rate=bad_auto_sent / auto_sent if auto_sent else 0.0,
        auto_send_share=auto_sent / n if n else 0.0,
    )


@dataclass(frozen=True)
class Tolerance:
    max_auroc_drop: float
    max_escape_rise: float


def regressions(candidate: Figures, baseline: Figures, tolerance: Tolerance) -> list[dict[str, Any]]:
    """Each figure of `candidate` that is worse than `baseline` by more than the tolerance: an
    AUROC lower by more than `max_auroc_drop`, an escape rate higher by more than
    `max_escape_rise`. (An AUROC missing on either side — one class only — is not compared.)"""
    found: list[dict[str, Any]] = []
    if candidate.auroc is not None and baseline.auroc is not None:
        drop = baseline.auroc - candidate.auroc
        if drop > tolerance.max_auroc_drop + 1e-12:
            found.append(
                {
                    "metric": "auroc",
                    "baseline": baseline.auroc,
                    "candidate": candidate.auroc,
                    "change": -drop,
                    "tolerance": tolerance.max_auroc_drop,
                }
            )
    rise = candidate.escape_rate - baseline.escape_rate
    if rise > tolerance.max_escape_rise + 1e-12:
        found.append(
            {
                "metric": "escape_rate",
                "baseline": baseline.escape_rate,
                "candidate": candidate.escape_rate,
                "change": rise,
                "tolerance": tolerance.max_escape_rise,
            }
        )
    return found
