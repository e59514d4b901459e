"""Calibration maths against scikit-learn on fixed data: isotonic and Platt fits, Brier, the
reliability bins ECE is built from — with sample weights honoured (an integer weight is the same
as repeating the row)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss

from scoring import reliability
from scoring.calibration import Calibrator
from scoring.errors import ConfigurationError


@pytest.fixture
def data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    raw = rng.uniform(0, 1, 400)
    y = (rng.uniform(0, 1, 400) < 0.15 + 0.8 * raw).astype(int)
    w = rng.integers(1, 5, 400).astype(float)
    return raw, y, w


def _repeat(raw: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = w.astype(int)
    return np.repeat(raw, n), np.repeat(y, n)


def test_isotonic_fit_matches_sklearn_with_weights(data) -> None:  # type: ignore[no-untyped-def]
    raw, y, w = data
    ours = Calibrator.fit(raw, y, method="isotonic", weights=w)
    theirs = IsotonicRegression(y_min=0, y_max=1, out_of_bounds="clip").fit(raw, y, sample_weight=w)
    grid = np.linspace(0, 1, 101)
    assert np.allclose(ours.predict(grid), theirs.predict(grid), atol=1e-12)
    # Weights are honoured: an integer weight is the row repeated.
    rx, ry = _repeat(raw, y, w)
    repeated = Calibrator.fit(rx, ry, method="isotonic")
    assert np.allclose(ours.predict(grid), repeated.predict(grid), atol=1e-9)
    unweighted = Calibrator.fit(raw, y, method="isotonic")
    assert not np.allclose(ours.predict(grid), unweighted.predict(grid), atol=1e-3)


def test_platt_fit_matches_sklearn_with_weights(data) -> None:  # type: ignore[no-untyped-def]
    raw, y, w = data
    ours = Calibrator.fit(raw, y, method="platt", weights=w)
    lr = LogisticRegression(C=1.0).fit(raw.reshape(-1, 1), y, sample_weight=w)
    grid = np.linspace(0, 1, 11)
    assert np.allclose(ours.predict(grid), lr.predict_proba(grid.reshape(-1, 1))[:, 1], atol=1e-9)
    rx, ry = _repeat(raw, y, w)
    repeated = Calibrator.fit(rx, ry, method="platt")
    assert np.allclose(ours.predict(grid), repeated.predict(grid), atol=1e-4)


def test_brier_matches_sklearn(data) -> None:  # type: ignore[no-untyped-def]
    raw, y, w = data
    p = np.clip(raw * 0.9 + 0.05, 0, 1)
    assert math.isclose(reliability.brier(y, p), brier_score_loss(y, p), rel_tol=1e-12)
    assert math.isclose(reliability.brier(y, p, w), brier_score_loss(y, p, sample_weight=w), rel_tol=1e-12)
    assert not math.isclose(reliability.brier(y, p, w), reliability.brier(y, p), rel_tol=1e-6)


def test_reliability_bins_match_sklearn_calibration_curve(data) -> None:  # type: ignore[no-untyped-def]
    raw, y, w = data
    p = raw**2
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10, strategy="uniform")
    bins = reliability.reliability(y, p)
    assert np.allclose([b.observed for b in bins], prob_true)
    assert np.allclose([b.mean_p for b in bins], prob_pred)
    # Weighted: the same as repeating rows.
    rx, ry = _repeat(p, y, w)
    t2, p2 = calibration_curve(ry, rx, n_bins=10, strategy="uniform")
    weighted = reliability.reliability(y, p, w)
    assert np.allclose([b.observed for b in weighted], t2) and np.allclose([b.mean_p for b in weighted], p2)


def test_ece_by_hand_and_weighted(data) -> None:  # type: ignore[no-untyped-def]
    # Two bins by hand: 0.1 predicted, 1 of 4 good; 0.9 predicted, 3 of 4 good.
    y = [1, 0, 0, 0, 1, 1, 1, 0]
    p = [0.1] * 4 + [0.9] * 4
    assert math.isclose(reliability.ece(y, p), 0.5 * 0.15 + 0.5 * 0.15)
    # Weight 3 on the first bin's good label: that bin is now 3/6 good, weight 6 of 10.
    w = [3, 1, 1, 1, 1, 1, 1, 1]
    assert math.isclose(reliability.ece(y, p, w), 0.6 * 0.4 + 0.4 * 0.15)
    raw, yy, ww = data
    sk_true, sk_pred = calibration_curve(*_repeat_pair(yy, raw, ww), n_bins=10, strategy="uniform")
    counts = np.histogram(np.repeat(raw, ww.astype(int)), bins=np.linspace(0, 1, 11))[0]
    counts = counts[counts > 0]
    expected = float(np.sum(counts / counts.sum() * np.abs(sk_true - sk_pred)))
    assert math.isclose(reliability.ece(yy, raw, ww), expected, rel_tol=1e-9)


def _repeat_pair(y: np.ndarray, p: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = w.astype(int)
    return np.repeat(y, n), np.repeat(p, n)


def test_threshold_for_escape_on_constructed_labels() -> None:
    # Ten drafts, P(good) 0.05 … 0.95; the bad ones sit at 0.05, 0.15, 0.25 and 0.55.
    p = [0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95]
    y = [0, 0, 0, 1, 1, 0, 1, 1, 1, 1]
    curve = reliability.tradeoff(y, p)
    # At 0.65 and above: 4 good, no bad → escape 0; at 0.55: 1 bad of 5; at 0.45: 1 of 6;
    # at 0.35: 1 of 7 (14.3 %); at 0.25: 2 of 8 (25 %).
    assert reliability.threshold_for_escape(curve, 0.0).threshold == 0.65
    assert reliability.threshold_for_escape(curve, 0.14).threshold == 0.65
    point = reliability.threshold_for_escape(curve, 0.15)
    assert point.threshold == 0.35 and math.isclose(point.escape, 1 / 7) and math.isclose(point.auto_share, 0.7)
    assert reliability.threshold_for_escape(curve, 0.25).threshold == 0.25
    # Weighted: the bad draft at 0.55 counts 4 times → 4 of 10 at 0.35, 4 of 8 at 0.55.
    w = [1, 1, 1, 1, 1, 4, 1, 1, 1, 1]
    weighted = reliability.threshold_for_escape(reliability.tradeoff(y, p, w), 0.20)
    assert weighted.threshold == 0.65
    assert reliability.threshold_for_escape(curve, 1.0).threshold == 0.05  # everything
    with pytest.raises(ConfigurationError):
        reliability.threshold_for_escape(curve, math.nan)


def test_at_threshold_agrees_with_the_curve() -> None:
    p = [0.2, 0.4, 0.4, 0.9]
    y = [0, 1, 0, 1]
    point = reliability.at_threshold(y, p, None, 0.4)
    assert point.auto_n == 3 and math.isclose(point.escape, 1 / 3) and math.isclose(point.auto_share, 0.75)
    assert reliability.at_threshold(y, p, None, 0.95).escape is None


@pytest.mark.parametrize(
    ("y", "p", "w"),
    [
        ([1, 0], [0.5, math.nan], None),
        ([1, 2], [0.5, 0.5], None),
        ([1, 0], [0.5, 0.5], [1, -1]),
        ([1], [0.5, 0.2], None),
    ],
)
def test_bad_input_is_refused(y, p, w) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigurationError):
        reliability.brier(y, p, w)
