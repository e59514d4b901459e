"""What a fresh install starts with: a fusion, a prior calibrator and routing thresholds, fitted on
the dev files' fit fold for one model, and reported on the report fold.

The fold protocol (`scoring.folds`): the verifier trains on folds 0-2; here the fusion weights
and the calibrator are fitted on fold 3 of each dev file (every file weighing the same), and the
thresholds are chosen on the calibrated fold-3 scores with the policy's rules applied; fold 4 and
RAGTruth-dev (never fitted on) give the figures. Reviewer labels replace the prior calibrator once
a tenant has them.

The calibrator is Platt scaling with every file's good and bad drafts weighing the same (a base
rate of one half): the dev files' shares of bad drafts (0.39 to 0.79) are theirs, not a new
tenant's. Fitted on three files' fold 3 and measured on the fourth's fold 4, it had a mean ECE of
0.139 and a worst of 0.162, against 0.149 and 0.209 for isotonic with each file weighing the same
(the file whose base rate was unlike the others', LFQA, went from 0.209 to 0.107). A smooth map
also lets a threshold fall between any two drafts, where isotonic plateaus left only a few steps.
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
from scoring.evaluate import decision_from_row
from scoring.folds import FIT_FOLDS, HONEST_CHECK
from scoring.fusion import GROUP_WEIGHT, FusionModel, cross_validate_by_group, fit_fusion
from scoring.policy import ACTIONS, RoutingPolicy


@dataclass(frozen=True)
class Rows:
    features: list[dict[str, float]]
    good: list[int]  # 1 = good draft
    groups: list[str]  # the dev file each row came from
    models: frozenset[str] = frozenset()  # the verifier versions the rows were scored with
    # The action the default policy's rules leave each draft at full confidence (a refuted claim,
    # a guardrail hit): no threshold sends it further. auto_send where the row lacks the claims.
    floors: list[str] | None = None

    def __len__(self) -> int:
        return len(self.good)


def read_predictions(paths: Sequence[str | Path], folds: frozenset[int] = FIT_FOLDS) -> Rows:
    """Rows of `evaluate --out` files whose fold is in `folds`; RAGTruth rows are refused."""
    feats: list[dict[str, float]] = []
    good: list[int] = []
    groups: list[str] = []
    models: set[str] = set()
    floors: list[str] = []
    policy = RoutingPolicy.default()
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
                    floors.append(decision_from_row(row, 1.0, PRIOR_ROUTING, policy) or "auto_send")
    return Rows(feats, good, groups, frozenset(models), floors)


PRIOR_ROUTING = "prior"  # the calibrator version rules are applied under: a calibrated one (no cap)


def group_weights(groups: Sequence[str]) -> np.ndarray:
    """Each group weighs the same in total, whatever its size."""
    sizes = Counter(groups)
    return np.array([len(groups) / (len(sizes) * sizes[g]) for g in groups])


def balanced_weights(groups: Sequence[str], good: Sequence[int]) -> np.ndarray:
    """Each file's good drafts and its bad drafts weigh the same in total: neither a file's size
    nor its share of bad drafts is a prior for another tenant's drafts."""
    sizes = Counter(zip(groups, good, strict=True))
    # A fixed total per file and class (as `fit_fusion` gives each group): then neither the data
    # term nor its balance against Platt's L2 penalty depends on how many drafts a file has.
    return np.array([GROUP_WEIGHT / 2 / sizes[(g, y)] for g, y in zip(groups, good, strict=True)])


def fit_calibrator(
    raw: Sequence[float], good: Sequence[int], groups: Sequence[str], meta: dict[str, Any]
) -> Calibrator:
    """Platt on the fit rows, each file's good and bad drafts weighing the same (module docstring)."""
    meta = {**meta, "weights": "balanced: each file's good and bad drafts the same"}
    return Calibrator.fit(raw, good, "platt", meta=meta, weights=balanced_weights(groups, good)).as_prior()


@dataclass(frozen=True)
class ThresholdChoice:
    auto_send: float
    auto_draft_human_send: float
    queue_for_review: float
    bad_auto_sent: float  # on the fit rows with the rules applied, each file weighing the same
    bad_auto_sent_worst_file: float
    # Above max_bad_drafted when the bad drafts the rules hold at drafted (unverifiable ones)
    # already exceed it above auto_send: no threshold keeps those from a person.
    bad_auto_or_drafted: float
    good_auto_or_drafted: float
    good_blocked: float


_RANK = {a: i for i, a in enumerate(ACTIONS)}


def choose_thresholds(
    confidence: Sequence[float],
    good: Sequence[int],
    groups: Sequence[str],
    floors: Sequence[str] | None = None,
    *,
    max_bad_auto_sent: float = 0.05,
    max_bad_drafted: float = 0.15,
    max_good_blocked: float = 0.05,
) -> ThresholdChoice:
    """The lowest thresholds that keep bad drafts out of the automatic routes.

    `floors` (one per row, `Rows.floors`) is the action the policy's rules leave the draft at
    full confidence: a draft with a refuted claim or a guardrail hit is never auto-sent whatever
    its confidence, so it does not count against the auto_send budget (None: every row could be).
    auto_send: in *every* file at most `max_bad_auto_sent` of bad drafts are auto-sent (a budget
    on the mean let one file go to 8.5% when left out of the fit and measured on fold 4);
    auto_draft_human_send: at most `max_bad_drafted` of bad drafts auto-sent or drafted for a
    person, each file weighing the same; block (below queue_for_review): at most
    `max_good_blocked` of good drafts below it, each file weighing the same.
    """
    c = np.asarray(confidence, dtype=float)
    g = np.asarray(good, dtype=int)
    names = np.asarray(groups)
    floor = np.zeros(len(c), dtype=int) if floors is None else np.array([_RANK[a] for a in floors])
    w = group_weights(groups)
    bad_w, good_w = w * (g == 0), w * (g == 1)
    candidates = np.unique(np.round(c, 4))
    may_send, may_draft = floor <= _RANK["auto_send"], floor <= _RANK["auto_draft_human_send"]

    def share(mask: np.ndarray, weights: np.ndarray) -> float:
        return float(weights[mask].sum() / max(weights.sum(), 1e-12))

    def worst_file(mask: np.ndarray) -> float:
        return max(share(mask & (names == f), bad_w * (names == f)) for f in set(groups))

    def lowest(ok: list[float]) -> float:
        return float(min(ok)) if ok else 1.0

    auto = min(1.0, lowest([t for t in candidates if worst_file((c >= t) & may_send) <= max_bad_auto_sent]))
    draft = min(auto, lowest([t for t in candidates if share((c >= t) & may_draft, bad_w) <= max_bad_drafted]))
    blocked_ok = [t for t in candidates if share(c < t, good_w) <= max_good_blocked]
    review = min(draft, float(max(blocked_ok)) if blocked_ok else 0.0)
    sent = (c >= auto) & may_send
    return ThresholdChoice(
        auto_send=round(auto, 4),
        auto_draft_human_send=round(draft, 4),
        queue_for_review=round(review, 4),
        bad_auto_sent=share(sent, bad_w),
        bad_auto_sent_worst_file=worst_file(sent),
        bad_auto_or_drafted=share((c >= draft) & may_draft, bad_w),
        good_auto_or_drafted=share((c >= draft) & may_draft, good_w),
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
    return fusion, calibrator, choose_thresholds(conf, rows.good, rows.groups, rows.floors)
