"""The scorer: one instance per worker process, built once (the model load is the slow part).

`Scorer.score` never raises on odd input: each stage is guarded, and a failed or skipped stage
shows up in the result (`verification_status`, `errors`) so the routing policy can fail closed.
"""

from __future__ import annotations

import logging
import math
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scoring import __version__
from scoring.calibration import FITTED_FOR, Calibrator, default_calibrator
from scoring.claims import segment_claims
from scoring.errors import ConfigurationError
from scoring.fusion import FusionModel, build_features, model_fusion
from scoring.guardrails import GuardrailRules, check_guardrails
from scoring.inputs import DraftInput
from scoring.logprobs import DEFAULT_FLOOR, compute_logprob_signals
from scoring.results import ClaimResult, ScoreResult
from scoring.text import content_stems, lexical_support
from scoring.verifier import NLIVerifier, VerifierConfig

logger = logging.getLogger(__name__)

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "models" / "nli-minilm-l6-v2"


def default_model_path() -> str | None:
    env = os.environ.get("SCORING_MODEL_PATH")
    if env:
        return env
    return str(DEFAULT_MODEL_DIR) if (DEFAULT_MODEL_DIR / "config.json").is_file() else None


@dataclass(frozen=True)
class ScorerConfig:
    model_path: str | None = field(default_factory=default_model_path)
    device: str = "cpu"
    batch_size: int = 16
    num_threads: int | None = 1  # one intra-op thread per process; scale with processes
    entail_threshold: float = 0.5
    contradict_threshold: float = 0.5
    # The verifier's own defaults (VerifierConfig says why these values).
    window_tokens: int = VerifierConfig.window_tokens
    top_k_windows: int = VerifierConfig.top_k_windows
    early_accept: float | None = 0.9  # a claim entailed this strongly needs no more windows
    time_budget_ms: float | None = 2000.0  # per draft, for verification; None = unlimited
    int8: bool = VerifierConfig.int8
    jit: bool = VerifierConfig.jit
    cache_size: int = 8192
    logprob_floor: float = DEFAULT_FLOOR
    guardrails: GuardrailRules = field(default_factory=GuardrailRules)
    calibrator_path: str | None = None  # None → the shipped default, else identity
    fusion: FusionModel | None = None  # None → the fusion fitted for the model (its fusion.json), else hand-set
    require_verifier: bool = False  # raise at start-up instead of scoring "unavailable"

    def __post_init__(self) -> None:
        for name in ("entail_threshold", "contradict_threshold"):
            v = getattr(self, name)
            if not 0.0 < v <= 1.0:
                raise ConfigurationError(f"{name} must lie in (0, 1]")
        if self.batch_size < 1 or self.top_k_windows < 1 or self.window_tokens < 16:
            raise ConfigurationError("batch_size, top_k_windows >= 1 and window_tokens >= 16")
        if self.time_budget_ms is not None and self.time_budget_ms <= 0:
            raise ConfigurationError("time_budget_ms must be positive or None")

    def verifier_config(self) -> VerifierConfig:
        if not self.model_path:
            raise ConfigurationError(
                "no NLI model: scoring/models/nli-minilm-l6-v2 is absent; set model_path (or SCORING_MODEL_PATH)"
            )
        return VerifierConfig(
            model_path=self.model_path,
            device=self.device,
            batch_size=self.batch_size,
            window_tokens=self.window_tokens,
            top_k_windows=self.top_k_windows,
            entail_threshold=self.entail_threshold,
            contradict_threshold=self.contradict_threshold,
            early_accept=self.early_accept,
            int8=self.int8,
            jit=self.jit,
            cache_size=self.cache_size,
        )

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ScorerConfig:
        kw = dict(d)
        if "guardrails" in kw:
            kw["guardrails"] = GuardrailRules.from_dict(kw["guardrails"])
        if "fusion" in kw:
            kw["fusion"] = FusionModel.from_dict(kw["fusion"])
        unknown = set(kw) - set(cls.__dataclass_fields__)
        if unknown:
            raise ConfigurationError(f"unknown scorer settings: {sorted(unknown)}")
        return cls(**kw)


class Scorer:
    def __init__(self, config: ScorerConfig | None = None) -> None:
        self.config = config or ScorerConfig()
        if self.config.num_threads:
            import torch

            torch.set_num_threads(self.config.num_threads)
        self.verifier: NLIVerifier | None = None
        self.verifier_error: str | None = None
        try:
            self.verifier = NLIVerifier(self.config.verifier_config())
        except Exception as exc:  # the worker must still route drafts (fail closed)
            if self.config.require_verifier:
                raise
            self.verifier_error = f"{type(exc).__name__}: {exc}"
            logger.warning(
                "NLI verifier unavailable",
                extra={"action": "scoring.verifier.unavailable", "error": self.verifier_error},
            )
        self.fusion = self.config.fusion or model_fusion(
            self.config.model_path if self.verifier else None, self.model_version
        )
        if self.config.calibrator_path:
            self.calibrator = Calibrator.load(self.config.calibrator_path)
        else:
            self.calibrator = default_calibrator()
        mismatch = self.calibrator_mismatch(self.calibrator)
        if mismatch:
            # A calibrator maps one model's and fusion's raw scores; on other raw scores its
            # probabilities are wrong, so fall back to the monotone identity (and say so).
            logger.warning(
                "calibrator fitted for another model or fusion; using the uncalibrated fallback",
                extra={
                    "action": "scoring.calibrator.mismatch",
                    "calibrator_fitted_for": mismatch,
                    "model": self.model_version,
                    "fusion": self.fusion.version,
                },
            )
            self.calibrator = Calibrator.identity()

    def calibrator_mismatch(self, calibrator: Calibrator) -> str | None:
        """What the calibrator was fitted for, when that is not this scorer's model and fusion.

        A calibrator without `meta.model` / `meta.fusion` (fitted before they were recorded)
        is trusted for that part.
        """
        meta = calibrator.meta or {}
        fitted = {k: meta.get(k) for k in FITTED_FOR}
        ours = self.versions(calibrator)
        if any(v and v != ours[k] for k, v in fitted.items()):
            return ", ".join(f"{k} {v}" for k, v in fitted.items() if v)
        return None

    @property
    def model_version(self) -> str:
        return self.verifier.model_version if self.verifier else "unavailable"

    def versions(self, calibrator: Calibrator) -> dict[str, str]:
        return {
            "scorer": __version__,
            "model": self.model_version,
            "calibrator": calibrator.version,
            "fusion": self.fusion.version,
        }

    def score(
        self,
        draft: DraftInput,
        *,
        rules: GuardrailRules | None = None,
        calibrator: Calibrator | None = None,
    ) -> ScoreResult:
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        errors: list[str] = []
        calibrator = calibrator or self.calibrator
        mismatch = self.calibrator_mismatch(calibrator)
        if mismatch:
            errors.append(f"calibrator {calibrator.version} was fitted for {mismatch}; not used")
            calibrator = Calibrator.identity()
        text = draft.draft if isinstance(draft.draft, str) else str(draft.draft)
        passages = tuple(p for p in draft.passages if p.text and p.text.strip())
        passage_texts = [p.text for p in passages]

        # 1. log-prob signals
        lp_signals = None
        if draft.logprobs is not None:
            t = time.perf_counter()
            try:
                lp_signals = compute_logprob_signals(text, draft.logprobs, floor=self.config.logprob_floor)
            except Exception as exc:  # validated at the API; a bug here must not lose the draft
                errors.append(f"logprobs: {type(exc).__name__}: {exc}")
            timings["logprobs"] = _ms(t)

        # 2. claims
        t = time.perf_counter()
        try:
            spans = segment_claims(text)
        except Exception as exc:
            errors.append(f"claims: {type(exc).__name__}: {exc}")
            spans = []
        timings["claims"] = _ms(t)
        checkable = [s for s in spans if s.checkable]

        # 3. guardrails
        t = time.perf_counter()
        try:
            hits = check_guardrails(
                text,
                passage_texts,
                self.config.guardrails.merged(rules),
                spans=[(c.start, c.end) for c in checkable],
                context=(draft.question,) if draft.question else (),
            )
        except Exception as exc:
            errors.append(f"guardrails: {type(exc).__name__}: {exc}")
            hits = []
        timings["guardrails"] = _ms(t)

        # 4. verification
        t = time.perf_counter()
        evidence_stems: set[str] = set()
        for p in passage_texts:
            evidence_stems |= content_stems(p)
        verifications: list[Any] = []
        if not checkable:
            status = "complete"
        elif not passages:
            status = "no_evidence"
        elif self.verifier is None:
            status = "unavailable"
        else:
            deadline = None
            if self.config.time_budget_ms is not None:
                deadline = t0 + self.config.time_budget_ms / 1000.0
            try:
                verifications, done = self.verifier.verify([c.text for c in checkable], passages, deadline=deadline)
                status = "complete" if done else "partial_timeout"
            except Exception as exc:
                errors.append(f"verifier: {type(exc).__name__}: {exc}")
                logger.exception("verifier failed", extra={"action": "scoring.verifier.failed"})
                verifications = []
                status = "unavailable"
        timings["verification"] = _ms(t)

        # 5. assemble claims
        claims: list[ClaimResult] = []
        by_span = dict(zip([id(c) for c in checkable], verifications, strict=False))
        support: list[float] = []
        contradict: list[float] = []
        verdicts: list[str] = []
        lexical: list[float] = []
        for s in spans:
            if not s.checkable:
                claims.append(ClaimResult(s.text, s.start, s.end, False, "not_checkable", reason=s.reason))
                continue
            lex = lexical_support(s.text, evidence_stems) if passages else 0.0
            lexical.append(lex)
            v = by_span.get(id(s))
            if v is None or not v.verified:
                claims.append(
                    ClaimResult(
                        s.text,
                        s.start,
                        s.end,
                        True,
                        "insufficient",
                        reason="not_verified",
                        lexical_support=lex,
                    )
                )
                verdicts.append("insufficient")
                continue
            claims.append(
                ClaimResult(
                    s.text,
                    s.start,
                    s.end,
                    True,
                    v.verdict,
                    v.p_entail,
                    v.p_neutral,
                    v.p_contradict,
                    v.best_passage_id,
                    v.best_sentence_start,
                    v.best_sentence_end,
                    "",
                    lex,
                )
            )
            verdicts.append(v.verdict)
            support.append(v.max_entail)
            contradict.append(v.max_contradict)

        # 6. fusion, calibration
        lp_feats = None
        if lp_signals is not None:
            lp_feats = {
                "seq_logprob": lp_signals.seq_logprob,
                "min_logprob": lp_signals.min_logprob,
                "share_below_floor": lp_signals.share_below_floor,
                "mean_entropy": lp_signals.mean_entropy,
                "mean_margin": lp_signals.mean_margin,
            }
        verifier_ran = status in {"complete", "partial_timeout"} and (bool(support) or not checkable)
        features = build_features(
            n_claims=len(spans),
            checkable_support=support,
            checkable_contradict=contradict,
            verdicts=verdicts,
            lexical=lexical,
            lexical_draft=lexical_support(text, evidence_stems) if passages else None,
            n_guardrail_unsupported=sum(1 for h in hits if h.kind != "blocked_pattern"),
            n_guardrail_blocked=sum(1 for h in hits if h.kind == "blocked_pattern"),
            logprob=lp_feats,
            has_evidence=bool(passages),
            verifier_ran=verifier_ran,
        )
        try:
            raw = self.fusion.raw_score(features)
            confidence = float(calibrator.predict(raw))
        except Exception as exc:
            errors.append(f"fusion: {type(exc).__name__}: {exc}")
            raw, confidence = 0.0, 0.0
        if not math.isfinite(confidence):
            confidence = 0.0
        timings["total"] = _ms(t0)
        return ScoreResult(
            logprob_signals=lp_signals,
            claims=tuple(claims),
            guardrail_hits=tuple(hits),
            features=features,
            raw_score=raw,
            confidence=min(1.0, max(0.0, confidence)),
            risk=_risk(verdicts, hits, status),
            verification_status=status,
            versions=self.versions(calibrator),
            timings_ms=timings,
            errors=tuple(errors),
        )

    def with_config(self, **changes: Any) -> Scorer:
        """A scorer sharing this one's loaded model but with other thresholds/budgets."""
        other = object.__new__(Scorer)
        other.config = replace(self.config, **changes)
        other.verifier = self.verifier
        other.verifier_error = self.verifier_error
        other.calibrator = self.calibrator
        other.fusion = other.config.fusion or self.fusion
        return other


def _risk(verdicts: list[str], hits: list[Any], status: str) -> float:
    """How much of the draft is at stake, independent of calibration.

    Share of checkable claims not supported, raised by a refuted claim, guardrail hits and an
    incomplete verification. Used with (1 - confidence) and business value for queue priority.
    """
    n = len(verdicts)
    unsupported = (sum(1 for v in verdicts if v != "supported") / n) if n else 0.0
    risk = 0.5 * unsupported
    if "refuted" in verdicts:
        risk += 0.3
    if hits:
        risk += 0.2 if any(h.kind != "blocked_pattern" for h in hits) else 0.0
        risk += 0.5 if any(h.kind == "blocked_pattern" for h in hits) else 0.0
    if status != "complete":
        risk += 0.2
    return round(min(1.0, risk), 6)


def _ms(t: float) -> float:
    return round((time.perf_counter() - t) * 1000.0, 3)


_shared: Scorer | None = None


def get_scorer(config: ScorerConfig | None = None) -> Scorer:
    """The process's scorer, built on first use (the model loads once per worker process).

    Build it after the fork (Celery `worker_process_init`, or lazily in the task): torch's
    thread pools do not survive `fork()` well, and each process needs its own copy anyway.
    A `config` given later than the first call is ignored; use `reset_scorer()` to rebuild.
    """
    global _shared
    if _shared is None:
        _shared = Scorer(config)
    return _shared


def reset_scorer() -> None:
    global _shared
    _shared = None
