"""Fuse the signals into one raw score in [0, 1] (higher = more trustworthy).

The feature vector is kept in the result so reviewers and calibration can see it. Answer-level
aggregation over claims uses the minimum and the harmonic mean of per-claim support, so one
unsupported claim pulls the whole draft down (a plain average would hide it among ten good
ones). The raw score is a logistic combination with versioned weights; it is *not* a
probability — the calibrator maps it to one.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any

from scoring.errors import ConfigurationError

# Neutral values used when a signal is absent (no log-probs, verifier unavailable), so the
# weights of the present signals keep their meaning.
NEUTRAL = {
    "support_min": 0.5,
    "support_hmean": 0.5,
    "contradict_max": 0.0,
    "frac_refuted": 0.0,
    "frac_supported": 0.5,
    "lexical_min": 1.0,
    "lexical_mean": 1.0,
    "lexical_draft": 1.0,
    "seq_logprob": -0.5,
    "min_logprob": -3.0,
    "share_below_floor": 0.1,
    "mean_entropy": 0.5,
    "mean_margin": 0.5,
}

DEFAULT_WEIGHTS: dict[str, float] = {
    # Hand-set before any fit: NLI support dominates, the weakest claim counts most.
    "support_min": 2.5,
    "support_hmean": 1.5,
    "contradict_max": -1.5,
    "frac_refuted": -1.0,
    "lexical_min": 1.0,
    "lexical_mean": 0.5,
    "lexical_draft": 1.0,
    "guardrail_unsupported": -0.6,
    "guardrail_blocked": -3.0,
    "seq_logprob": 0.8,
    "share_below_floor": -1.5,
    "mean_margin": 0.3,
}
DEFAULT_BIAS = -2.3


def harmonic_mean(values: list[float], eps: float = 1e-3) -> float:
    if not values:
        return 1.0
    return len(values) / sum(1.0 / max(v, eps) for v in values)


@dataclass(frozen=True)
class FusionModel:
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    bias: float = DEFAULT_BIAS
    # Optional standardisation (fitted models): feature → (mean, std).
    scale: dict[str, tuple[float, float]] = field(default_factory=dict)
    name: str = "hand-v1"

    @property
    def version(self) -> str:
        body = json.dumps({"w": self.weights, "b": self.bias, "s": self.scale}, sort_keys=True)
        return f"{self.name}-{hashlib.sha256(body.encode()).hexdigest()[:8]}"

    def raw_score(self, features: dict[str, float]) -> float:
        z = self.bias
        for name, w in self.weights.items():
            v = features.get(name)
            if v is None or not math.isfinite(v):
                v = NEUTRAL.get(name, 0.0)
            if name in self.scale:
                mu, sd = self.scale[name]
                v = (v - mu) / (sd or 1.0)
            z += w * v
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "weights": dict(self.weights),
            "bias": self.bias,
            "scale": {k: list(v) for k, v in self.scale.items()},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FusionModel:
        try:
            return cls(
                weights={str(k): float(v) for k, v in d["weights"].items()},
                bias=float(d["bias"]),
                scale={str(k): (float(v[0]), float(v[1])) for k, v in d.get("scale", {}).items()},
                name=str(d.get("name", "custom")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigurationError(f"bad fusion model: {exc}") from exc


def build_features(
    *,
    n_claims: int,
    checkable_support: list[float],
    checkable_contradict: list[float],
    verdicts: list[str],
    lexical: list[float],
    lexical_draft: float | None = None,
    n_guardrail_unsupported: int,
    n_guardrail_blocked: int,
    logprob: dict[str, float | None] | None,
    has_evidence: bool,
    verifier_ran: bool,
) -> dict[str, float]:
    """Features as plain floats; absent signals are simply left out of the dict."""
    f: dict[str, float] = {
        "n_claims": float(n_claims),
        "n_checkable": float(len(verdicts)),
        "has_evidence": float(has_evidence),
        "guardrail_unsupported": float(min(n_guardrail_unsupported, 3)),
        "guardrail_blocked": float(n_guardrail_blocked),
    }
    if lexical_draft is not None:
        # The whole draft, not-checkable sentences included: chit-chat that strays from the
        # evidence is caught here even when no single sentence is a checkable claim.
        f["lexical_draft"] = lexical_draft
    if lexical:
        f["lexical_min"] = min(lexical)
        f["lexical_mean"] = sum(lexical) / len(lexical)
    elif lexical_draft is not None:
        f["lexical_min"] = f["lexical_mean"] = lexical_draft
    if verifier_ran:
        n = len(verdicts)
        # Nothing checkable (greetings, questions, hedges only) leaves the support features
        # out, so they take their neutral value: "nothing verified" is not "all verified".
        if checkable_support:
            f["support_min"] = min(checkable_support)
            f["support_hmean"] = harmonic_mean(checkable_support)
            f["support_mean"] = sum(checkable_support) / len(checkable_support)
            f["contradict_max"] = max(checkable_contradict)
        if n:
            f["frac_supported"] = verdicts.count("supported") / n
            f["frac_refuted"] = verdicts.count("refuted") / n
            f["frac_insufficient"] = verdicts.count("insufficient") / n
    if logprob:
        for k, v in logprob.items():
            if v is not None:
                f[k] = float(v)
    return f


FITTED_FEATURES: tuple[str, ...] = (
    "support_min",
    "support_hmean",
    "contradict_max",
    "frac_refuted",
    "lexical_min",
    "lexical_mean",
    "lexical_draft",
    "guardrail_unsupported",
    "guardrail_blocked",
)


def fit_fusion(
    rows: list[dict[str, float]],
    good: list[int],
    *,
    features: tuple[str, ...] = FITTED_FEATURES,
    name: str = "fitted",
    c: float = 1.0,
) -> FusionModel:
    """Logistic regression on standardised features (absent ones take their neutral value).

    Fit on records that the figures you report were not computed on (split by document).
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    if len(rows) != len(good) or len(set(good)) < 2:
        raise ConfigurationError("need feature rows with both labels")

    def value(r: dict[str, float], k: str) -> float:
        v = r.get(k)
        return NEUTRAL.get(k, 0.0) if v is None or not math.isfinite(v) else float(v)

    x = np.array([[value(r, k) for k in features] for r in rows], dtype=np.float64)
    mu = x.mean(axis=0)
    sd = x.std(axis=0)
    sd[sd == 0] = 1.0
    lr = LogisticRegression(C=c, max_iter=1000)
    lr.fit((x - mu) / sd, np.asarray(good, dtype=int))
    return FusionModel(
        weights={k: float(w) for k, w in zip(features, lr.coef_[0], strict=True)},
        bias=float(lr.intercept_[0]),
        scale={k: (float(m), float(s)) for k, m, s in zip(features, mu, sd, strict=True)},
        name=name,
    )
