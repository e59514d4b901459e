"""The scorer's output: frozen dataclasses that round-trip through JSON."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from scoring.guardrails import GuardrailHit
from scoring.logprobs import LogprobSignals

VERIFICATION_STATUSES = ("complete", "partial_timeout", "unavailable", "no_evidence")
VERDICTS = ("supported", "refuted", "insufficient", "not_checkable")


@dataclass(frozen=True)
class ClaimResult:
    text: str
    start: int
    end: int
    checkable: bool
    verdict: str  # supported | refuted | insufficient | not_checkable
    p_entail: float | None = None
    p_neutral: float | None = None
    p_contradict: float | None = None
    best_passage_id: str | None = None
    best_sentence_start: int | None = None  # offsets into the best passage's text
    best_sentence_end: int | None = None
    reason: str = ""  # why not checkable, or "not_verified" when the budget ran out
    lexical_support: float | None = None  # share of the claim's content words in the evidence
    # When the evidence is a structured record: the field the claim was judged against (its
    # offsets are best_sentence_start/end in that passage) and, for a typed comparison, why.
    evidence_field: str = ""
    evidence_reason: str = ""
    # Draft offsets of the part of a refuted or insufficient claim to read first: the value a
    # record contradicts, or the words the evidence lacks; empty means the whole claim.
    flags: tuple[tuple[int, int], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["flags"] = [list(f) for f in self.flags]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ClaimResult:
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in known}
        kw["flags"] = tuple((int(a), int(b)) for a, b in kw.get("flags") or ())
        return cls(**kw)


def claim_passage(passages: Any, wanted: str | None) -> tuple[str, str] | None:
    """(id, text) of the passage a claim names as its best evidence (`best_passage_id`), from the
    passages' dict form; None when it names none or that passage is not among `passages`."""
    if wanted is None or not isinstance(passages, list):
        return None
    for passage in passages:
        if isinstance(passage, dict) and str(passage.get("id")) == str(wanted):
            return str(wanted), str(passage.get("text", ""))
    return None


@dataclass(frozen=True)
class ScoreResult:
    logprob_signals: LogprobSignals | None
    claims: tuple[ClaimResult, ...]
    guardrail_hits: tuple[GuardrailHit, ...]
    features: dict[str, float]
    raw_score: float  # fused score in [0, 1], higher = more trustworthy, not calibrated
    confidence: float  # calibrated P(draft is good)
    risk: float  # 0..1: how much of the draft is at stake (see engine._risk)
    verification_status: str
    versions: dict[str, str]
    timings_ms: dict[str, float] = field(default_factory=dict)
    errors: tuple[str, ...] = ()  # stage failures the scorer absorbed (never raised)

    @property
    def has_refuted_claim(self) -> bool:
        return any(c.verdict == "refuted" for c in self.claims)

    @property
    def flagged_spans(self) -> tuple[tuple[int, int], ...]:
        """Character ranges of the draft a reviewer should look at first, merged and sorted:
        of each claim judged refuted or insufficient its flagged part, of a refuted claim without
        one the whole claim (an insufficient claim without one flags nothing: `scoring.flags`),
        and guardrail hits."""
        ranges = [
            r
            for c in self.claims
            if c.checkable and c.verdict in {"refuted", "insufficient"}
            for r in (c.flags or (((c.start, c.end),) if c.verdict == "refuted" else ()))
        ]
        ranges += [(h.start, h.end) for h in self.guardrail_hits if h.end > h.start]
        merged: list[tuple[int, int]] = []
        for a, b in sorted(ranges):
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        return tuple(merged)

    @property
    def p_hallucinated(self) -> float:
        return 1.0 - self.confidence

    def to_dict(self) -> dict[str, Any]:
        return {
            "logprob_signals": None if self.logprob_signals is None else self.logprob_signals.to_dict(),
            "claims": [c.to_dict() for c in self.claims],
            "guardrail_hits": [h.to_dict() for h in self.guardrail_hits],
            "features": dict(self.features),
            "raw_score": self.raw_score,
            "confidence": self.confidence,
            "risk": self.risk,
            "verification_status": self.verification_status,
            "versions": dict(self.versions),
            "timings_ms": dict(self.timings_ms),
            "errors": list(self.errors),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ScoreResult:
        lp = d.get("logprob_signals")
        return cls(
            logprob_signals=None if lp is None else LogprobSignals.from_dict(lp),
            claims=tuple(ClaimResult.from_dict(c) for c in d["claims"]),
            guardrail_hits=tuple(GuardrailHit.from_dict(h) for h in d["guardrail_hits"]),
            features=dict(d["features"]),
            raw_score=d["raw_score"],
            confidence=d["confidence"],
            risk=d["risk"],
            verification_status=d["verification_status"],
            versions=dict(d["versions"]),
            timings_ms=dict(d.get("timings_ms", {})),
            errors=tuple(d.get("errors", ())),
        )
