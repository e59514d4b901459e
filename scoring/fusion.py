"""Fuse the signals into one raw score in [0, 1] (higher = more trustworthy).

The feature vector is kept in the result so reviewers and calibration can see it. Answer-level
aggregation over claims uses the minimum and the harmonic mean of per-claim support, so one
unsupported claim pulls the whole draft down (a plain average would hide it among ten good
ones). The raw score is a logistic combination with versioned weights; it is *not* a
probability — the calibrator maps it to one.

The weights are fitted on labelled drafts (`fit_fusion`) and shipped beside the model they were
fitted for (`MODEL_DIR/fusion.json`): the support features are that model's probabilities, so
another model starts from the hand-set weights below until a fusion is fitted for it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scoring.errors import ConfigurationError

logger = logging.getLogger(__name__)

FUSION_FILE = "fusion.json"  # in a model directory: the fusion fitted for that model

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
    "self_consistency": 0.5,
    "judge_support": 0.5,
    "judge_contradicted": 0.0,
    "names_unstated": 0.0,
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

# Signals that only an LLM endpoint gives (reviewqueue/llm: the share of a draft's claims that N
# resampled answers support; the LLM judge's per-claim verdicts, `judge_features`). No dev file
# carries them, so no fit can weigh them, as with the log-probs: every fusion without its own
# weight for one adds it with this hand-set weight, centred on its neutral value. Absent, it adds
# nothing, so scores and versions stay as they were. A contradiction counts twice (it also
# lowers the supported share): the judge quoting evidence against a claim is the stronger news.
EXTERNAL_WEIGHTS: dict[str, float] = {"self_consistency": 2.0, "judge_support": 2.0, "judge_contradicted": -2.0}

# The verdicts an LLM judge gives one claim against its evidence. Anything else (an answer that
# failed its schema) is no vote.
JUDGE_VERDICTS = ("supported", "contradicted", "not_in_evidence")


def judge_features(verdicts: Sequence[str]) -> dict[str, float]:
    """The judge's per-claim verdicts as fusion features: the share of the claims it could read
    that it found supported, and the share it found contradicted. {} when it read none (every
    answer invalid): the signal is then absent, not "all bad"."""
    valid = [v for v in verdicts if v in JUDGE_VERDICTS]
    if not valid:
        return {}
    return {
        "judge_support": round(valid.count("supported") / len(valid), 4),
        "judge_contradicted": round(valid.count("contradicted") / len(valid), 4),
    }


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
    # Provenance of a fitted model (model version, data, cross-validation); not part of `version`.
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

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
        for name, w in EXTERNAL_WEIGHTS.items():
            v = features.get(name)
            if name not in self.weights and v is not None and math.isfinite(v):
                z += w * (v - NEUTRAL[name])
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "name": self.name,
            "version": self.version,
            "weights": dict(self.weights),
            "bias": self.bias,
            "scale": {k: list(v) for k, v in self.scale.items()},
        }
        if self.meta:
            d["meta"] = dict(self.meta)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FusionModel:
        try:
            return cls(
                weights={str(k): float(v) for k, v in d["weights"].items()},
                bias=float(d["bias"]),
                scale={str(k): (float(v[0]), float(v[1])) for k, v in d.get("scale", {}).items()},
                name=str(d.get("name", "custom")),
                meta=dict(d.get("meta") or {}),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ConfigurationError(f"bad fusion model: {exc}") from exc

    @classmethod
    def load(cls, path: str | Path) -> FusionModel:
        try:
            body = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigurationError(f"cannot read fusion model {path}: {exc}") from exc
        if not isinstance(body, dict):
            raise ConfigurationError(f"bad fusion model {path}: not a JSON object")
        return cls.from_dict(body)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")


def model_fusion(model_path: str | None, model_version: str) -> FusionModel:
    """The fusion fitted for this model (its directory's fusion.json), else the hand-set weights.

    A fusion.json whose `meta.model` names another version of the model (weights retrained,
    fusion not refitted) is not used: its weights describe the other model's probabilities.
    """
    path = Path(model_path) / FUSION_FILE if model_path else None
    if path is None or not path.is_file():
        return FusionModel()
    fusion = FusionModel.load(path)
    fitted_for = fusion.meta.get("model")
    if fitted_for and fitted_for != model_version:
        logger.warning(
            "fusion fitted for another model version; using the hand-set weights",
            extra={"action": "scoring.fusion.mismatch", "fusion_model": fitted_for, "model": model_version},
        )
        return FusionModel()
    return fusion


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
    n_unstated_names: int = 0,
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
    if lexical and has_evidence:
        # Claims that name someone or something no evidence names (`scoring.entities`).
        f["names_unstated"] = n_unstated_names / len(lexical)
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


# The claim count is not among them: more claims meant a worse draft in one task and a better
# one in another, so its weight would only describe the mix of tasks it was fitted on.
FITTED_FEATURES: tuple[str, ...] = (
    "support_min",
    "support_hmean",
    "support_mean",
    "contradict_max",
    "frac_refuted",
    "frac_supported",
    "lexical_min",
    "lexical_mean",
    "lexical_draft",
    "guardrail_unsupported",
    "guardrail_blocked",
    "names_unstated",
)


GROUP_WEIGHT = 1000.0  # total sample weight of one group in a by-group fit

# +1: a higher value means a better draft; -1: a worse one.
DIRECTION: dict[str, int] = {
    "support_min": 1,
    "support_hmean": 1,
    "support_mean": 1,
    "frac_supported": 1,
    "lexical_min": 1,
    "lexical_mean": 1,
    "lexical_draft": 1,
    "contradict_max": -1,
    "frac_refuted": -1,
    "guardrail_unsupported": -1,
    "guardrail_blocked": -1,
    "names_unstated": -1,
}


def _value(row: dict[str, float], name: str) -> float:
    v = row.get(name)
    return NEUTRAL.get(name, 0.0) if v is None or not math.isfinite(v) else float(v)


def fit_fusion(
    rows: Sequence[dict[str, float]],
    good: Sequence[int],
    *,
    groups: Sequence[str] | None = None,
    features: tuple[str, ...] = FITTED_FEATURES,
    name: str = "fitted",
    c: float = 1.0,
    meta: dict[str, Any] | None = None,
) -> FusionModel:
    """Logistic regression on standardised features (absent ones take their neutral value).

    `groups` (one per row: the source file or dataset) weights every group equally, so the
    largest file does not decide the weights alone. Fit on records that the figures you report
    were not computed on. Signals the rows never carry or never vary on (log-probs and
    blocked-pattern hits: the dev files have none) keep their hand-set weight, centred on the
    value the rows had, so such a draft scores as fitted and one with the signal still moves.
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    if len(rows) != len(good) or len(set(good)) < 2:
        raise ConfigurationError("need feature rows with both labels")
    if groups is not None and len(groups) != len(rows):
        raise ConfigurationError("need one group per feature row")
    x = np.array([[_value(r, k) for k in features] for r in rows], dtype=np.float64)
    weight = np.ones(len(rows))
    if groups is not None:
        # Every group carries GROUP_WEIGHT in total, however many rows it has: then neither the
        # data term nor its balance against the L2 penalty depends on a group's size.
        sizes = Counter(groups)
        weight = np.array([GROUP_WEIGHT / sizes[g] for g in groups])
    # Standardise with the same weights the fit uses, so a group's size changes nothing.
    mu = np.average(x, axis=0, weights=weight)
    spread = np.sqrt(np.average((x - mu) ** 2, axis=0, weights=weight))
    flat = spread < 1e-12  # float noise from weights is no variation
    sd = np.where(flat, 1.0, spread)
    z = (x - mu) / sd
    y = np.asarray(good, dtype=int)
    # Every feature has a known direction (more support is better, a contradiction worse). A
    # weight fitted against it only describes the fit data's collinearity and flips on other
    # data; such a feature is dropped (weight 0) and the rest refitted.
    active = list(range(len(features)))
    while True:
        lr = LogisticRegression(C=c, max_iter=3000)
        lr.fit(z[:, active], y, sample_weight=weight)
        coef = dict(zip(active, lr.coef_[0], strict=True))
        wrong = [i for i in active if DIRECTION.get(features[i], 0) * coef[i] < 0]
        if not wrong or len(active) == 1:
            break
        active.remove(max(wrong, key=lambda i: abs(coef[i])))
    weights = {k: float(coef.get(i, 0.0)) for i, k in enumerate(features)}
    scale = {k: (float(m), float(s)) for k, m, s in zip(features, mu, sd, strict=True)}
    constant = {k: float(m) for k, m, f in zip(features, mu, flat, strict=True) if f}
    for k, w in DEFAULT_WEIGHTS.items():
        if k in constant:  # e.g. no blocked-pattern hit in the data: nothing to fit, keep the rule
            weights[k], scale[k] = w, (constant[k], 1.0)
        elif k not in weights and not any(k in r for r in rows):
            weights[k], scale[k] = w, (NEUTRAL.get(k, 0.0), 1.0)
    return FusionModel(weights=weights, bias=float(lr.intercept_[0]), scale=scale, name=name, meta=dict(meta or {}))


def cross_validate_by_group(
    rows: Sequence[dict[str, float]],
    good: Sequence[int],
    groups: Sequence[str],
    *,
    c: float = 1.0,
    features: tuple[str, ...] = FITTED_FEATURES,
) -> dict[str, float]:
    """AUROC on each group of a fusion fitted on all the other groups (leave one group out).

    This is how well the fitted weights carry to data like none they were fitted on — the
    question a new tenant's drafts ask — and how to choose `c` without touching a test file.
    """
    import numpy as np
    from sklearn.metrics import roc_auc_score

    out: dict[str, float] = {}
    for held in sorted(set(groups)):
        idx_in = [i for i, g in enumerate(groups) if g != held]
        idx_out = [i for i, g in enumerate(groups) if g == held]
        y_out = [good[i] for i in idx_out]
        if len(set(y_out)) < 2 or len({good[i] for i in idx_in}) < 2:
            continue
        model = fit_fusion(
            [rows[i] for i in idx_in],
            [good[i] for i in idx_in],
            groups=[groups[i] for i in idx_in],
            features=features,
            c=c,
        )
        scores = np.array([model.raw_score(rows[i]) for i in idx_out])
        out[held] = float(roc_auc_score(y_out, scores))
    return out
