from __future__ import annotations

import json

import numpy as np
import pytest

from scoring.calibration import Calibrator
from scoring.errors import ConfigurationError


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    raw = rng.uniform(0, 1, 400)
    labels = (rng.uniform(0, 1, 400) < raw**2).astype(int)
    return raw, labels


@pytest.mark.parametrize("method", ["isotonic", "platt"])
def test_calibrators_are_monotone_and_bounded(data, method):
    cal = Calibrator.fit(*data, method=method)
    grid = np.linspace(-0.5, 1.5, 201)
    out = cal.predict(grid)
    assert np.all(np.diff(out) >= -1e-12)
    assert np.all((out >= 0) & (out <= 1))
    assert isinstance(cal.predict(0.3), float)


@pytest.mark.parametrize("method", ["isotonic", "platt"])
def test_calibrator_persists_as_versioned_json(tmp_path, data, method):
    cal = Calibrator.fit(*data, method=method, meta={"fitted_on": "test"})
    path = tmp_path / "cal.json"
    cal.save(path)
    body = json.loads(path.read_text())
    assert body["format"] == "reviewqueue.calibrator/1" and body["version"] == cal.version
    loaded = Calibrator.load(path)
    assert loaded == cal
    grid = np.linspace(0, 1, 11)
    np.testing.assert_allclose(loaded.predict(grid), cal.predict(grid))


def test_isotonic_learns_the_label_rate(data):
    cal = Calibrator.fit(*data, method="isotonic")
    # True P(label) = raw² → near 0.04 at 0.2 and 0.81 at 0.9 (loose: 400 samples).
    assert cal.predict(0.2) < 0.25 < 0.6 < cal.predict(0.9)


def test_version_depends_on_the_fit(data):
    raw, labels = data
    assert Calibrator.fit(raw, labels).version != Calibrator.fit(raw, 1 - labels).version


def test_identity_fallback_is_monotone_and_clipped():
    cal = Calibrator.identity()
    assert cal.version == "uncalibrated"
    assert cal.predict(-1.0) == 0.0 and cal.predict(0.3) == pytest.approx(0.3) and cal.predict(2.0) == 1.0


@pytest.mark.parametrize(
    "body",
    [
        {"format": "pickle"},
        {"format": "reviewqueue.calibrator/1", "method": "magic", "version": "x"},
        {
            "format": "reviewqueue.calibrator/1",
            "method": "isotonic",
            "version": "x",
            "params": {"x": [0, 1], "y": [0.9, 0.1]},
        },
        {"format": "reviewqueue.calibrator/1", "method": "platt", "version": "x", "params": {"a": "1", "b": 0}},
    ],
)
def test_bad_artefacts_are_refused(tmp_path, body):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(body))
    with pytest.raises(ConfigurationError):
        Calibrator.load(path)


@pytest.mark.parametrize(
    ("raw", "labels"),
    [([0.1], [1]), ([0.1, 0.2], [1]), ([0.1, float("nan")], [0, 1]), ([0.1, 0.2], [0, 2])],
)
def test_bad_fit_inputs(raw, labels):
    with pytest.raises(ConfigurationError):
        Calibrator.fit(raw, labels)


def test_unknown_method():
    with pytest.raises(ConfigurationError):
        Calibrator.fit([0.1, 0.9], [0, 1], method="beta")
