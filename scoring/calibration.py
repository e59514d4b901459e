"""Map the fused raw score to a calibrated probability that the draft is good.

A `Calibrator` is fitted on (raw score, label) pairs — reviewer decisions in production, the
dev files offline — with isotonic regression or Platt scaling (scikit-learn), and saved as a
small versioned JSON artefact (never pickle: it is loaded by workers and must be inspectable).
`Calibrator.identity()` is the monotone fallback used before any calibrator exists.
Labels here are 1 = good draft (supported), 0 = bad.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from scoring.errors import ConfigurationError

FORMAT = "reviewqueue.calibrator/1"


# The ScoreResult.versions entries whose raw scores a calibrator maps: it is fitted for these
# and not used with others (meta.model / meta.fusion).
FITTED_FOR = ("model", "fusion")

PRIOR_PREFIX = "prior-"  # a prior calibrator's version: fitted on public dev data, not on a tenant's labels
UNCALIBRATED = "uncalibrated"  # the identity fallback's version, as ScoreResult.versions["calibrator"] shows it


@dataclass(frozen=True)
class Calibrator:
    method: str  # isotonic | platt | identity
    params: dict[str, Any]
    version: str
    n_samples: int = 0
    meta: dict[str, Any] | None = None

    @classmethod
    def identity(cls) -> Calibrator:
        return cls("identity", {}, UNCALIBRATED, 0, None)

    @classmethod
    def fit(
        cls,
        raw_scores: Any,
        labels: Any,
        method: str = "isotonic",
        *,
        meta: dict[str, Any] | None = None,
        weights: Any = None,
    ) -> Calibrator:
        """`weights` (one per pair) weigh the fit: inverse sampling probabilities, or equal
        weight per source file."""
        x = np.asarray(raw_scores, dtype=np.float64).ravel()
        y = np.asarray(labels, dtype=np.float64).ravel()
        w = None if weights is None else np.asarray(weights, dtype=np.float64).ravel()
        if w is not None and (w.shape != x.shape or not np.all(np.isfinite(w)) or np.any(w < 0)):
            raise ConfigurationError("weights must be finite, non-negative and one per pair")
        if x.shape != y.shape or x.size < 2:
            raise ConfigurationError("need at least two (raw score, label) pairs of equal length")
        if not np.all(np.isfinite(x)):
            raise ConfigurationError("raw scores must be finite")
        if set(np.unique(y)) - {0.0, 1.0}:
            raise ConfigurationError("labels must be 0 or 1")
        if method == "isotonic":
            from sklearn.isotonic import IsotonicRegression

            iso = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip")
            iso.fit(x, y, sample_weight=w)
            params: dict[str, Any] = {
                "x": [float(v) for v in iso.X_thresholds_],
                "y": [float(v) for v in iso.y_thresholds_],
            }
        elif method == "platt":
            from sklearn.linear_model import LogisticRegression

            lr = LogisticRegression(C=1.0)
            lr.fit(x.reshape(-1, 1), y.astype(int), sample_weight=w)
            a = float(lr.coef_[0][0])
            if a < 0:
                # A negative slope would invert the ranking; calibration must stay monotone.
                a = 0.0
            params = {"a": a, "b": float(lr.intercept_[0])}
        else:
            raise ConfigurationError(f"unknown calibration method {method!r}")
        body = json.dumps({"method": method, "params": params}, sort_keys=True)
        version = f"{method}-{hashlib.sha256(body.encode()).hexdigest()[:10]}"
        return cls(method, params, version, int(x.size), meta)

    def predict(self, raw: Any) -> Any:
        """Calibrated P(good); accepts a float (returns float) or an array (returns array)."""
        scalar = np.ndim(raw) == 0
        x = np.asarray(raw, dtype=np.float64)
        if self.method == "identity":
            out = np.clip(x, 0.0, 1.0)
        elif self.method == "isotonic":
            out = np.interp(x, self.params["x"], self.params["y"])
        elif self.method == "platt":
            z = self.params["a"] * x + self.params["b"]
            out = 1.0 / (1.0 + np.exp(-z))
        else:  # pragma: no cover - guarded in load()
            raise ConfigurationError(f"unknown calibration method {self.method!r}")
        out = np.nan_to_num(out, nan=0.0)
        return float(out) if scalar else out

    def as_prior(self) -> Calibrator:
        """This calibrator named as a prior (fitted on public dev data), so pages can say so."""
        return dataclasses.replace(self, version=PRIOR_PREFIX + self.version.removeprefix(PRIOR_PREFIX))

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "method": self.method,
            "version": self.version,
            "n_samples": self.n_samples,
            "params": self.params,
            "meta": self.meta or {},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Calibrator:
        if d.get("format") != FORMAT:
            raise ConfigurationError(f"not a calibrator artefact (format={d.get('format')!r})")
        method = d.get("method")
        params = d.get("params") or {}
        if method == "isotonic":
            xs, ys = params.get("x") or [], params.get("y") or []
            if not xs or len(xs) != len(ys) or any(b < a for a, b in itertools.pairwise(xs)):
                raise ConfigurationError("isotonic calibrator needs increasing x and matching y")
            if any(b < a for a, b in itertools.pairwise(ys)):
                raise ConfigurationError("isotonic calibrator must be monotone")
        elif method == "platt":
            if not all(isinstance(params.get(k), (int, float)) and math.isfinite(params[k]) for k in ("a", "b")):
                raise ConfigurationError("platt calibrator needs finite a and b")
        elif method != "identity":
            raise ConfigurationError(f"unknown calibration method {method!r}")
        return cls(str(method), dict(params), str(d["version"]), int(d.get("n_samples", 0)), d.get("meta") or None)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Calibrator:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


DEFAULT_CALIBRATOR_PATH = Path(__file__).resolve().parent / "calibrators" / "default.json"


CALIBRATOR_FILE = "calibrator.json"  # in a model directory: the prior calibrator fitted for that model


def default_calibrator(model_dir: str | Path | None = None) -> Calibrator:
    """The calibrator a fresh install starts with: the prior shipped beside the model (fitted on
    the dev files' fit fold for that model and its fusion), else a shipped default, else the
    identity fallback. Reviewer labels replace it once a tenant has enough of them."""
    if model_dir is not None and (Path(model_dir) / CALIBRATOR_FILE).is_file():
        return Calibrator.load(Path(model_dir) / CALIBRATOR_FILE)
    if DEFAULT_CALIBRATOR_PATH.is_file():
        return Calibrator.load(DEFAULT_CALIBRATOR_PATH)
    return Calibrator.identity()
