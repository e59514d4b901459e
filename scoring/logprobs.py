"""Signals from the generator's own token log-probabilities (seeds 000 and 003).

Seq-Logprob is the mean token log-prob. Whitespace, punctuation and special tokens, and tokens
inside boilerplate phrases ("I hope this helps", "In conclusion"), are excluded: they are
near-certain for any answer and would pull every score towards zero.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from scoring.inputs import TokenLogprobs
from scoring.text import iter_sentence_spans

DEFAULT_FLOOR = math.log(0.1)  # tokens below p=0.1 count as low-confidence (seed 001)

DEFAULT_BOILERPLATE = (
    r"i hope (?:this|that) helps[.!]?",
    r"let me know if you have any (?:other |more |further )?questions[.!]?",
    r"in conclusion,?",
    r"in summary,?",
    r"however,",
    r"additionally,",
    r"furthermore,",
    r"overall,",
    r"(?:here(?:'s| is) (?:the|a) summary[^:\n]*:)",
)
_SPECIAL = re.compile(r"^<\|?[a-z_]+\|?>$|^</?s>$", re.IGNORECASE)


@dataclass(frozen=True)
class SentenceLogprob:
    start: int
    end: int
    mean_logprob: float | None
    n_tokens: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "mean_logprob": self.mean_logprob,
            "n_tokens": self.n_tokens,
        }


@dataclass(frozen=True)
class LogprobSignals:
    seq_logprob: float | None  # mean over counted tokens
    min_logprob: float | None
    share_below_floor: float | None
    mean_entropy: float | None  # nats, over the renormalised top-k alternatives
    mean_margin: float | None  # p(top1) - p(top2), where >= 2 alternatives are given
    n_tokens: int
    n_counted: int
    floor: float
    aligned: bool  # every token was found in the draft at its expected offset
    sentences: tuple[SentenceLogprob, ...] = ()
    low_confidence_spans: tuple[tuple[int, int], ...] = ()
    # Not serialised (derivable from tokens + draft); excluded from equality so results
    # round-trip through JSON.
    token_offsets: tuple[tuple[int, int] | None, ...] = field(default=(), repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq_logprob": self.seq_logprob,
            "min_logprob": self.min_logprob,
            "share_below_floor": self.share_below_floor,
            "mean_entropy": self.mean_entropy,
            "mean_margin": self.mean_margin,
            "n_tokens": self.n_tokens,
            "n_counted": self.n_counted,
            "floor": self.floor,
            "aligned": self.aligned,
            "sentences": [s.to_dict() for s in self.sentences],
            "low_confidence_spans": [list(s) for s in self.low_confidence_spans],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LogprobSignals:
        return cls(
            seq_logprob=d["seq_logprob"],
            min_logprob=d["min_logprob"],
            share_below_floor=d["share_below_floor"],
            mean_entropy=d["mean_entropy"],
            mean_margin=d["mean_margin"],
            n_tokens=d["n_tokens"],
            n_counted=d["n_counted"],
            floor=d["floor"],
            aligned=d["aligned"],
            sentences=tuple(SentenceLogprob(**s) for s in d.get("sentences", [])),
            low_confidence_spans=tuple((int(s[0]), int(s[1])) for s in d.get("low_confidence_spans", [])),
        )


def seq_logprob(values: list[float] | tuple[float, ...]) -> float | None:
    return sum(values) / len(values) if values else None


def align_tokens(draft: str, tokens: tuple[str, ...]) -> tuple[list[tuple[int, int] | None], bool]:
    """Character offsets of each token in the draft.

    Tokens normally concatenate to the draft. Where a provider's tokens differ (byte tokens,
    stripped whitespace), the token is searched a short way ahead; a token that cannot be found
    gets None and the alignment is reported as not exact.
    """
    offsets: list[tuple[int, int] | None] = []
    cursor = 0
    exact = True
    for tok in tokens:
        if tok == "":
            offsets.append((cursor, cursor))
            continue
        if draft.startswith(tok, cursor):
            offsets.append((cursor, cursor + len(tok)))
            cursor += len(tok)
            continue
        exact = False
        probe = tok.strip() or tok
        found = draft.find(probe, cursor, cursor + len(probe) + 64)
        if found == -1:
            offsets.append(None)
            continue
        offsets.append((found, found + len(probe)))
        cursor = found + len(probe)
    return offsets, exact


def _boilerplate_spans(draft: str, patterns: tuple[str, ...]) -> list[tuple[int, int]]:
    spans = []
    for pat in patterns:
        for m in re.finditer(pat, draft, re.IGNORECASE):
            spans.append((m.start(), m.end()))
    return spans


def is_countable_token(tok: str) -> bool:
    stripped = tok.strip()
    if not stripped:
        return False
    if _SPECIAL.match(stripped):
        return False
    return any(ch.isalnum() for ch in stripped)


def _entropy_and_margin(alts: tuple[tuple[str, float], ...]) -> tuple[float | None, float | None]:
    if not alts:
        return None, None
    probs = sorted((math.exp(lp) for _, lp in alts), reverse=True)
    total = sum(probs)
    if total <= 0:
        return None, None
    norm = [p / total for p in probs]
    entropy = -sum(p * math.log(p) for p in norm if p > 0)
    margin = probs[0] - probs[1] if len(probs) >= 2 else None
    return entropy, margin


def compute_logprob_signals(
    draft: str,
    lp: TokenLogprobs,
    *,
    floor: float = DEFAULT_FLOOR,
    boilerplate: tuple[str, ...] = DEFAULT_BOILERPLATE,
    span_gap_chars: int = 2,
) -> LogprobSignals:
    offsets, exact = align_tokens(draft, lp.tokens)
    excluded = _boilerplate_spans(draft, boilerplate)

    # Offsets without the leading whitespace a token carries (" Dogs" belongs to the sentence
    # that starts at "D", not to the one that ended before the space).
    trimmed: list[tuple[int, int] | None] = []
    for off in offsets:
        if off is None:
            trimmed.append(None)
            continue
        a, b = off
        while a < b and draft[a].isspace():
            a += 1
        trimmed.append((a, b))

    def in_boilerplate(off: tuple[int, int] | None) -> bool:
        if off is None:
            return False
        return any(a <= off[0] and off[1] <= b for a, b in excluded)

    counted: list[int] = [
        i for i, tok in enumerate(lp.tokens) if is_countable_token(tok) and not in_boilerplate(trimmed[i])
    ]
    values = [lp.logprobs[i] for i in counted]
    entropies: list[float] = []
    margins: list[float] = []
    if lp.top_logprobs is not None:
        for i in counted:
            alts = lp.top_logprobs[i]
            if alts is None:
                continue
            ent, mar = _entropy_and_margin(alts)
            if ent is not None:
                entropies.append(ent)
            if mar is not None:
                margins.append(mar)

    sentences = []
    for s_start, s_end in iter_sentence_spans(draft):
        vals = [
            lp.logprobs[i]
            for i in counted
            if trimmed[i] is not None and s_start <= trimmed[i][0] < s_end  # type: ignore[index]
        ]
        sentences.append(SentenceLogprob(s_start, s_end, seq_logprob(vals), len(vals)))

    low_spans: list[tuple[int, int]] = []
    for i in counted:
        off = trimmed[i]  # highlight the word, not the space the tokenizer attached to it
        if off is None or lp.logprobs[i] >= floor:
            continue
        a, b = off
        if low_spans and a - low_spans[-1][1] <= span_gap_chars:
            low_spans[-1] = (low_spans[-1][0], b)
        else:
            low_spans.append((a, b))

    return LogprobSignals(
        seq_logprob=seq_logprob(values),
        min_logprob=min(values) if values else None,
        share_below_floor=(sum(1 for v in values if v < floor) / len(values)) if values else None,
        mean_entropy=(sum(entropies) / len(entropies)) if entropies else None,
        mean_margin=(sum(margins) / len(margins)) if margins else None,
        n_tokens=len(lp.tokens),
        n_counted=len(values),
        floor=floor,
        aligned=exact,
        sentences=tuple(sentences),
        low_confidence_spans=tuple(low_spans),
        token_offsets=tuple(offsets),
    )
