"""Weighted calibration metrics and the auto-send trade-off, on (P(good), label, weight) triples.

Labels are 1 = good draft, 0 = bad; `p` is the calibrated probability that the draft is good.
Every function takes sample weights from the start: labels drawn by routing (held drafts) or
by an audit sample are weighted by their inverse sampling probability, so the estimates describe
all traffic and not only what reviewers happened to see. Weights of 1.0 give the plain figures.

Auto-sending means `p >= threshold`; the **escape rate** at a threshold is the weighted share of
bad drafts among the drafts that would be auto-sent (1 − precision among auto-sent).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from scoring.errors import ConfigurationError

BINS = 10


def _arrays(y: Any, p: Any, w: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ya = np.asarray(y, dtype=np.float64).ravel()
    pa = np.asarray(p, dtype=np.float64).ravel()
    wa = np.ones_like(pa) if w is None else np.asarray(w, dtype=np.float64).ravel()
    if not (ya.shape == pa.shape == wa.shape):
        raise ConfigurationError("labels, probabilities and weights must have one value per draft")
    if not (np.all(np.isfinite(pa)) and np.all(np.isfinite(wa))) or np.any(wa < 0):
        raise ConfigurationError("probabilities and weights must be finite; weights non-negative")
    if set(np.unique(ya)) - {0.0, 1.0}:
        raise ConfigurationError("labels must be 0 or 1")
    return ya, pa, wa


def brier(y: Any, p: Any, w: Any = None) -> float:
    """Weighted mean squared error of P(good) against the label (sklearn's brier_score_loss)."""
    ya, pa, wa = _arrays(y, p, w)
    total = float(wa.sum())
    return float(np.sum(wa * (pa - ya) ** 2) / total) if total > 0 else math.nan


@dataclass(frozen=True)
class ReliabilityBin:
    lo: float
    hi: float
    n: int
    weight: float
    mean_p: float  # weighted mean predicted P(good) in the bin
    observed: float  # weighted share of good drafts in the bin


def _bin_index(p: np.ndarray, bins: int) -> np.ndarray:
    # Equal-width bins, right-closed except the first, as sklearn's calibration_curve(strategy="uniform").
    edges = np.linspace(0.0, 1.0, bins + 1)
    return np.searchsorted(edges[1:-1], p, side="right")


def reliability(y: Any, p: Any, w: Any = None, *, bins: int = BINS) -> list[ReliabilityBin]:
    """Per equal-width bin of P(good): weighted mean prediction and observed good share.
    Empty bins are left out (as sklearn's calibration_curve does)."""
    ya, pa, wa = _arrays(y, p, w)
    idx = _bin_index(pa, bins)
    out = []
    for b in range(bins):
        mask = idx == b
        weight = float(wa[mask].sum())
        if not mask.any() or weight <= 0:
            continue
        out.append(
            ReliabilityBin(
                lo=b / bins,
                hi=(b + 1) / bins,
                n=int(mask.sum()),
                weight=weight,
                mean_p=float(np.sum(wa[mask] * pa[mask]) / weight),
                observed=float(np.sum(wa[mask] * ya[mask]) / weight),
            )
        )
    return out


def ece(y: Any, p: Any, w: Any = None, *, bins: int = BINS) -> float:
    """Expected calibration error: Σ_bins (bin weight / total weight) × |mean p − observed|."""
    rows = reliability(y, p, w, bins=bins)
    total = sum(r.weight for r in rows)
    return sum(r.weight / total * abs(r.mean_p - r.observed) for r in rows) if total > 0 else math.nan


@dataclass(frozen=True)
class TradeOff:
    threshold: float
    auto_share: float  # weighted share of drafts with p >= threshold
    escape: float | None  # weighted share of bad among them; None when none would be auto-sent
    auto_n: int  # labelled drafts at or above the threshold (how much evidence the escape rests on)


def tradeoff(y: Any, p: Any, w: Any = None) -> list[TradeOff]:
    """Auto-send share against escape rate at every distinct threshold (each distinct p, and
    just above the highest, where nothing is auto-sent), lowest threshold first."""
    ya, pa, wa = _arrays(y, p, w)
    total = float(wa.sum())
    if total <= 0:
        return []
    order = np.argsort(-pa, kind="stable")
    ps, ys, ws = pa[order], ya[order], wa[order]
    cum_w = np.cumsum(ws)
    cum_bad = np.cumsum(ws * (1.0 - ys))
    out = [TradeOff(threshold=math.nextafter(float(ps[0]), math.inf), auto_share=0.0, escape=None, auto_n=0)]
    # The last index of each run of equal p: everything up to it is at or above that p.
    last = np.flatnonzero(np.append(ps[1:] != ps[:-1], True))
    for i in last:
        auto_w = float(cum_w[i])
        out.append(
            TradeOff(
                threshold=float(ps[i]),
                auto_share=auto_w / total,
                escape=float(cum_bad[i]) / auto_w if auto_w > 0 else None,
                auto_n=int(i) + 1,
            )
        )
    out.reverse()
    return out


def threshold_for_escape(curve: list[TradeOff], max_escape: float) -> TradeOff | None:
    """The lowest threshold (the most auto-sent) whose estimated escape rate is at most
    `max_escape`; None when no threshold auto-sends anything within it."""
    if not math.isfinite(max_escape) or not 0.0 <= max_escape <= 1.0:
        raise ConfigurationError("the escape target must be a share between 0 and 1")
    for point in curve:  # lowest threshold first
        if point.escape is not None and point.escape <= max_escape:
            return point
    return None


def at_threshold(y: Any, p: Any, w: Any, threshold: float) -> TradeOff:
    """The trade-off point for one threshold (auto-send when p >= threshold)."""
    ya, pa, wa = _arrays(y, p, w)
    auto = pa >= threshold
    total, auto_w = float(wa.sum()), float(wa[auto].sum())
    return TradeOff(
        threshold=threshold,
        auto_share=auto_w / total if total > 0 else 0.0,
        escape=float(np.sum(wa[auto] * (1.0 - ya[auto]))) / auto_w if auto_w > 0 else None,
        auto_n=int(auto.sum()),
    )
