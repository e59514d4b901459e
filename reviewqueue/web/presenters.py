"""Turn a draft's stored score into what the review page shows.

Pure functions: no queries, no markup. The score is read with the one lenient loader
(`intake.scores.stored_score`, as the router and the label exports read it), so the page, the
routing and the exports see the same claims, numbered the same way. Everything here is untrusted
text and is returned as plain strings; the templates escape it. Offsets come from another
process, possibly older or newer code: bad ones are clamped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reviewqueue.intake.scores import stored_score
from scoring.calibration import PRIOR_PREFIX, UNCALIBRATED
from scoring.guardrails import GuardrailHit
from scoring.logprobs import LogprobSignals
from scoring.results import ClaimResult, claim_passage

VERDICT_LABELS = {
    "supported": "Supported",
    "refuted": "Refuted",
    "insufficient": "Insufficient evidence",
    "not_checkable": "Not checkable",
}


@dataclass(frozen=True)
class Piece:
    text: str
    low_confidence: bool
    flagged: bool = False  # the part of an unsupported claim to read first (`ClaimResult.flags`)


@dataclass(frozen=True)
class Segment:
    """A run of the draft that is either one claim or text between claims."""

    claim_index: int | None
    verdict: str
    pieces: tuple[Piece, ...]


@dataclass(frozen=True)
class PassageView:
    id: str
    before: str
    highlight: str
    after: str


@dataclass
class ClaimView:
    index: int
    text: str
    start: int
    end: int
    checkable: bool
    verdict: str
    verdict_label: str
    p_entail: float | None
    p_neutral: float | None
    p_contradict: float | None
    reason: str
    passage: PassageView | None
    guardrail_hits: list[GuardrailHit] = field(default_factory=list)
    lexical_support: float | None = None
    my_label: str = ""


@dataclass
class ScoreView:
    scored: bool
    segments: list[Segment]
    claims: list[ClaimView]
    guardrail_hits: list[GuardrailHit]
    low_confidence_count: int
    logprob: LogprobSignals | None
    raw_score: float | None
    risk: float | None
    verification_status: str
    versions: dict[str, str]
    errors: list[str]

    @property
    def confidence_label(self) -> tuple[str, str]:
        """What the draft's confidence is, named honestly: (label, what it means)."""
        calibrator = self.versions.get("calibrator", "")
        if not self.scored or calibrator in ("", UNCALIBRATED):
            return "Uncalibrated score", "ranks drafts; not yet a probability"
        if calibrator.startswith(PRIOR_PREFIX):
            return (
                "Confidence (prior)",
                "probability the draft is good, calibrated on public dev data, not yet on your labels",
            )
        return "Calibrated confidence", "probability the draft is good, calibrated on your reviewers' labels"


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _span(start: Any, end: Any, length: int) -> tuple[int, int] | None:
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool):
        return None
    start, end = max(0, min(start, length)), max(0, min(end, length))
    return (start, end) if end > start else None


def _passage_view(passages: Any, claim: ClaimResult) -> PassageView | None:
    found = claim_passage(passages, claim.best_passage_id)
    if found is None:
        return None
    pid, text = found
    span = _span(claim.best_sentence_start, claim.best_sentence_end, len(text))
    if span is None:
        return PassageView(pid, text, "", "")
    a, b = span
    return PassageView(pid, text[:a], text[a:b], text[b:])


def _segments(
    text: str, claims: list[ClaimView], low: list[tuple[int, int]], flagged: list[tuple[int, int]]
) -> list[Segment]:
    length = len(text)
    owner: list[int | None] = [None] * length
    for claim in claims:  # claims do not overlap in practice; if they do, the first one wins
        for i in range(claim.start, claim.end):
            if owner[i] is None:
                owner[i] = claim.index
    lowflag = [False] * length
    for a, b in low:
        for i in range(a, b):
            lowflag[i] = True
    flag = [False] * length
    for a, b in flagged:
        for i in range(a, b):
            flag[i] = True
    verdict_of = {c.index: c.verdict for c in claims}
    segments: list[Segment] = []
    i = 0
    while i < length:
        j = i
        while j < length and owner[j] == owner[i]:
            j += 1
        pieces: list[Piece] = []
        k = i
        while k < j:
            m = k
            while m < j and lowflag[m] == lowflag[k] and flag[m] == flag[k]:
                m += 1
            pieces.append(Piece(text[k:m], lowflag[k], flag[k]))
            k = m
        idx = owner[i]
        segments.append(Segment(idx, verdict_of.get(idx, "") if idx is not None else "", tuple(pieces)))
        i = j
    return segments


def score_view(*, text: str, passages: Any, score: Any) -> ScoreView:
    """The page model of `score`, the stored `Draft.score`; a score that does not load (none, or
    not one the scorer wrote) shows as unscored, as the router treats it."""
    result = stored_score(score)
    if result is None:
        segments = [Segment(None, "", (Piece(text, False),))] if text else []
        return ScoreView(False, segments, [], [], 0, None, None, None, "", {}, [])
    length = len(text)
    hits = list(result.guardrail_hits)
    claims: list[ClaimView] = []
    for index, claim in enumerate(result.claims):
        span = _span(claim.start, claim.end, length) or (0, 0)
        verdict = str(claim.verdict or "not_checkable")
        claims.append(
            ClaimView(
                index=index,
                text=str(claim.text),
                start=span[0],
                end=span[1],
                checkable=bool(claim.checkable),
                verdict=verdict,
                verdict_label=VERDICT_LABELS.get(verdict, verdict.replace("_", " ").capitalize()),
                p_entail=_num(claim.p_entail),
                p_neutral=_num(claim.p_neutral),
                p_contradict=_num(claim.p_contradict),
                reason=str(claim.reason or ""),
                passage=_passage_view(passages, claim),
                lexical_support=_num(claim.lexical_support),
                guardrail_hits=[h for h in hits if _overlaps(h, span)],
            )
        )
    logprob = result.logprob_signals
    low: list[tuple[int, int]] = []
    if logprob is not None:
        for a, b in logprob.low_confidence_spans:
            low_span = _span(a, b, length)
            if low_span:
                low.append(low_span)
    return ScoreView(
        scored=True,
        segments=_segments(text, [c for c in claims if c.end > c.start], low, _flagged(result.claims, claims)),
        claims=claims,
        guardrail_hits=hits,
        low_confidence_count=len(low),
        logprob=logprob,
        raw_score=_num(result.raw_score),
        risk=_num(result.risk),
        verification_status=str(result.verification_status or ""),
        versions=result.versions,
        errors=list(result.errors),
    )


def _flagged(results: tuple[ClaimResult, ...], views: list[ClaimView]) -> list[tuple[int, int]]:
    """The flagged words of each refuted or insufficient claim, clamped to the claim as shown.
    A claim without flags has nothing more specific than its verdict, which its colour shows."""
    out: list[tuple[int, int]] = []
    for result, view in zip(results, views, strict=True):
        if not view.checkable or view.verdict not in ("refuted", "insufficient"):
            continue
        for a, b in result.flags:
            span = _span(max(a, view.start), min(b, view.end), view.end)
            if span is not None:
                out.append(span)
    return out


def _overlaps(hit: GuardrailHit, span: tuple[int, int]) -> bool:
    return isinstance(hit.start, int) and isinstance(hit.end, int) and hit.start < span[1] and hit.end > span[0]


# --- why it was held: the routing reason codes in plain language ------------------------------
_ENTITY_NAMES = {
    "amount": "an amount",
    "percentage": "a percentage",
    "number": "a number",
    "date": "a date",
    "time": "a time",
    "url": "a link",
    "email": "an e-mail address",
    "id": "an ID",
}
_UNVERIFIABLE = {
    "unavailable": "the verifier was unavailable, so no claim could be checked",
    "partial_timeout": "the verifier ran out of time before checking every claim",
    "no_evidence": "no evidence passages came with the draft, so no claim could be checked",
}


_HELD_BY_CONFIDENCE = {
    "confidence_queue_for_review",
    "confidence_auto_draft_human_send",
    "confidence_block",
    "low_confidence",
}


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def held_summary(*, reasons: Any, score: ScoreView, intent: str, customer_tier: str) -> list[str]:
    """One plain-language phrase per reason the draft was held, in the order the routing policy
    gave them ("2 claims not found in the evidence; a price that appears in no passage; intent
    `refund` requires review"), from the stored reason codes and the score. An unknown code is
    shown as itself, humanised, rather than dropped."""
    codes = [str(r) for r in reasons] if isinstance(reasons, list) else []
    refuted = sum(1 for c in score.claims if c.verdict == "refuted")
    insufficient = sum(1 for c in score.claims if c.verdict == "insufficient")
    phrases: list[str] = []
    for code in codes:
        head, _, rest = code.partition(":")
        if head == "confidence_auto_send":
            continue  # it would have been sent: the other reasons held it
        if head in {
            "confidence_queue_for_review",
            "confidence_auto_draft_human_send",
            "confidence_block",
            "low_confidence",
        }:
            phrase = "the confidence is too low to send it automatically"
            if insufficient:
                phrase = f"{_count(insufficient, 'claim', 'claims')} not found in the evidence"
        elif head == "uncalibrated_confidence":
            phrase = "the scorer is not calibrated yet, so nothing is sent without a person"
        elif head == "refuted_claim":
            phrase = f"{_count(max(refuted, 1), 'claim', 'claims')} contradicted by the evidence"
        elif head == "guardrail":
            kind = rest.removeprefix("unsupported_")
            phrase = f"{_ENTITY_NAMES.get(kind, kind.replace('_', ' '))} that appears in no passage"
        elif head == "blocked_pattern":
            phrase = f"the text matches the blocked pattern “{rest}”"
        elif head == "unverifiable":
            status, _, high_risk = rest.partition(":")
            phrase = _UNVERIFIABLE.get(status, f"the claims could not be checked ({status.replace('_', ' ')})")
            if high_risk and intent:
                phrase += f", and intent “{intent}” is high-risk"
        elif head == "amount_over_limit":
            phrase = "the amount is over the limit for automatic answers"
        elif head == "regulated_intent":
            phrase = f"intent “{intent}” requires review" if intent else "the intent requires review"
        elif head == "customer_tier":
            phrase = f"customer tier “{rest or customer_tier}” requires review"
        else:
            phrase = code.replace("_", " ").replace(":", ": ")
        if phrase not in phrases:
            phrases.append(phrase)
    return phrases


def versions_once(routing: Any, scored: dict[str, str]) -> list[tuple[str, str]]:
    """Each version once, by name: the ones routing recorded (what made the decision), then the
    ones only the score names. Routing copies the score's versions and adds the policy's, so
    listing both dicts showed the model and calibrator twice."""
    merged: dict[str, str] = {}
    if isinstance(routing, dict):
        merged.update({str(k): str(v) for k, v in routing.items()})
    for name, value in scored.items():
        merged.setdefault(name, value)
    return list(merged.items())
