"""What a fresh install starts with: a fusion, a prior calibrator and routing thresholds, fitted on
the dev files' fit fold for one model, and reported on the report fold.

The fold protocol (`scoring.folds`): the verifier trains on folds 0-2; here the fusion weights
and the isotonic calibrator are fitted on fold 3 of each dev file (every file weighing the same),
and the thresholds are chosen on the calibrated fold-3 scores; fold 4 and RAGTruth-dev (never
fitted on) give the figures. Reviewer labels replace the prior calibrator once a tenant has them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from scoring.calibration import Calibrator
from scoring.errors import ConfigurationError
from scoring.folds import FIT_FOLDS, HONEST_CHECK
from scoring.fusion import FusionModel, cross_validate_by_group, fit_fusion


@dataclass(frozen=True)
class Rows:
    features: list[dict[str, float]]
    good: list[int]  # 1 = good draft
    groups: list[str]  # the dev file each row came from
    models: frozenset[str] = frozenset()  # the verifier versions the rows were scored with

    def __len__(self) -> int:
        return len(self.good)


def read_predictions(paths: Sequence[str | Path], folds: frozenset[int] = FIT_FOLDS) -> Rows:
    """Rows of `evaluate --out` files whose fold is in `folds`; RAGTruth rows are refused."""
    feats: list[dict[str, float]] = []
    good: list[int] = []
    groups: list[str] = []
    models: set[str] = set()
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                if row.get("dataset") == HONEST_CHECK or str(row.get("id", "")).startswith(f"{HONEST_CHECK}:"):
                    raise ConfigurationError(f"{path}: {HONEST_CHECK} is never fitted on")
                if "fold" not in row:
                    raise ConfigurationError(f"{path}: rows carry no fold; rerun evaluate")
                if row.get("model"):
                    models.add(str(row["model"]))
                if int(row["fold"]) in folds:
                    feats.append(row["features"])
                    good.append(1 - int(row["label"]))
                    groups.append(Path(path).stem)
    return Rows(feats, good, groups, frozenset(models))


def group_weights(groups: Sequence[str]) -> np.ndarray:
    """Each group weighs the same in total, whatever its size."""
    sizes = Counter(groups)
    return np.array([len(groups) / (len(sizes) * sizes[g]) for g in groups])


def fit_calibrator(
    raw: Sequence[float], good: Sequence[int], groups: Sequence[str], meta: dict[str, Any]
) -> Calibrator:
    """Isotonic on the fit rows, each file weighing the same (file sizes are no prior)."""
    return Calibrator.fit(raw, good, "isotonic", meta=meta, weights=group_weights(groups)).as_prior()


@dataclass(frozen=True)
class ThresholdChoice:
    auto_send: float
    auto_draft_human_send: float
    queue_for_review: float
    bad_auto_sent: float  # on the fit rows, each file weighing the same
    good_auto_or_drafted: float
    good_blocked: float


def choose_thresholds(
    confidence: Sequence[float],
    good: Sequence[int],
    groups: Sequence[str],
    *,
    max_bad_auto_sent: float = 0.05,
    max_bad_drafted: float = 0.15,
    max_good_blocked: float = 0.05,
) -> ThresholdChoice:
    """The lowest thresholds that keep bad drafts out of the automatic routes.

    auto_send: at most `max_bad_auto_sent` of bad drafts at or above it; auto_draft_human_send:
    at most `max_bad_drafted` of bad drafts at or above it (a person still sends those); block
    (below queue_for_review): at most `max_good_blocked` of good drafts below it. Shares weigh
    every file the same.
    """
    c = np.asarray(confidence, dtype=float)
    g = np.asarray(good, dtype=int)
    w = group_weights(groups)
    bad_w, good_w = w * (g == 0), w * (g == 1)
    candidates = np.unique(np.round(c, 4))

    def share(mask: np.ndarray, weights: np.ndarray) -> float:
        return float(weights[mask].sum() / max(weights.sum(), 1e-12))

    def lowest(limit: float) -> float:
        ok = [t for t in candidates if share(c >= t, bad_w) <= limit]
        return float(min(ok)) if ok else 1.0

    auto = min(1.0, lowest(max_bad_auto_sent))
    draft = min(auto, lowest(max_bad_drafted))
    blocked_ok = [t for t in candidates if share(c < t, good_w) <= max_good_blocked]
    review = min(draft, float(max(blocked_ok)) if blocked_ok else 0.0)
    return ThresholdChoice(
        auto_send=round(auto, 4),
        auto_draft_human_send=round(draft, 4),
        queue_for_review=round(review, 4),
        bad_auto_sent=share(c >= auto, bad_w),
        good_auto_or_drafted=share(c >= draft, good_w),
        good_blocked=share(c < review, good_w),
    )


C_GRID = (0.001, 0.01, 0.1, 1.0)


def choose_c(rows: Rows, grid: Sequence[float] = C_GRID) -> tuple[float, dict[float, float]]:
    """The regularisation with the best mean leave-one-file-out AUROC on the fit rows: how well
    weights fitted on the other files carry to a file like none of them (a new tenant's drafts)."""
    means: dict[float, float] = {}
    for c in grid:
        cv = cross_validate_by_group(rows.features, rows.good, rows.groups, c=c)
        means[c] = sum(cv.values()) / len(cv) if cv else float("nan")
    best = max(means, key=lambda c: (means[c], -c))
    return best, means


def fit_prior(
    rows: Rows, *, c: float | None, name: str, model: str | None
) -> tuple[FusionModel, Calibrator, ThresholdChoice]:
    """`c=None` chooses it by `choose_c`."""
    if len(set(rows.good)) < 2:
        raise ConfigurationError("the fit rows need good and bad drafts")
    if c is None:
        c, _ = choose_c(rows)
    meta: dict[str, Any] = {"fitted_on": dict(Counter(rows.groups)), "folds": sorted(FIT_FOLDS), "c": c}
    if model:
        meta["model"] = model
    fusion = fit_fusion(rows.features, rows.good, groups=rows.groups, name=name, c=c, meta=meta)
    raw = [fusion.raw_score(f) for f in rows.features]
    cal_meta = {
        "fitted_on": f"dev files {sorted(set(rows.groups))}, folds {sorted(FIT_FOLDS)}",
        "fusion": fusion.version,
    }
    if model:
        cal_meta["model"] = model
    calibrator = fit_calibrator(raw, rows.good, rows.groups, cal_meta)
    conf = [float(calibrator.predict(r)) for r in raw]
    return fusion, calibrator, choose_thresholds(conf, rows.good, rows.groups)
