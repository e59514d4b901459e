"""Split a draft into claims with character offsets that round-trip.

Every `ClaimSpan` satisfies `draft[start:end] == text`. Claims come from sentences; list items
and semicolon-joined clauses are split further, and very long sentences are cut at clause
conjunctions. Questions, greetings, hedges and meta-text ("Here's the summary:") are kept (so
reviewers see the whole draft) but marked not checkable, with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scoring.text import iter_sentence_spans, words


@dataclass(frozen=True)
class ClaimSpan:
    text: str
    start: int
    end: int
    checkable: bool
    reason: str = ""  # why not checkable: question, greeting, hedge, meta, too_short

    def to_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "checkable": self.checkable,
            "reason": self.reason,
        }


_LIST_MARKER = re.compile(r"\s*(?:[-*•·▪‣–]|\(?\d{1,2}[.)]|\(?[a-zA-Z][.)])\s+")
_CLAUSE_SPLIT = re.compile(r";\s+")
# Only long sentences are cut here, and only where both halves stay long enough to be a claim
# on their own: a short clause cut from its subject ("and sold it") verifies worse, not better.
_CONJUNCTION_SPLIT = re.compile(r",\s+(?=(?:and|but|while|whereas|although|however)\s)")
_LONG_SENTENCE_WORDS = 30
_MIN_PART_WORDS = 6

_GREETING = re.compile(
    r"^(?:hi|hello|hey|dear|greetings|good (?:morning|afternoon|evening)|thanks?(?: you)?|"
    r"thank you|you're welcome|you are welcome|cheers|best regards|regards|kind regards|"
    r"sincerely|have a (?:great|nice|good)|hope (?:this|that) helps|i hope (?:this|that) helps|"
    r"let me know|please let me know|feel free|happy to help|glad to help|is there anything else|"
    r"sure|certainly|of course|absolutely|great question|no problem)\b",
    re.IGNORECASE,
)
_HEDGE = re.compile(
    r"^(?:i(?:'m| am) not (?:sure|certain)|i do(?:n't| not) know|i can(?:not|'t) (?:find|answer|"
    r"confirm|determine|say)|i(?:'m| am) unable to|unfortunately,? (?:i|the (?:passages?|"
    r"context|documents?|sources?))|there is no (?:information|mention)|the (?:passages?|"
    r"context|documents?|sources?|text) (?:do(?:es)? not|did not|doesn't|don't) "
    r"(?:provide|mention|contain|say|specify|include)|it is (?:not clear|unclear)|"
    r"i would recommend|please (?:consult|contact|check|verify|note))",
    re.IGNORECASE,
)
# Meta-text that introduces the answer. As a prefix ("Here's the summary: X is Y") it is cut
# off as its own not-checkable span; the rest of the sentence stays a claim.
_META_PREFIX = re.compile(
    r"(?:here(?:'s| is| are)\b[^:\n]{0,80}|(?:below|the following) (?:is|are)\b[^:\n]{0,60}|"
    r"(?:in )?summary|to summari[sz]e|answer|output|response|"
    r"based on the [^:\n]{0,60}):",
    re.IGNORECASE,
)
_META = re.compile(
    r"^(?:here(?:'s| is| are) (?:the|a|an|my|your) (?:summary|answer|response|overview|"
    r"breakdown|list|information)\b.{0,40}|(?:in )?summary|to summari[sz]e|overall)\s*[:.]?$",
    re.IGNORECASE,
)
# A longer sentence ending in a colon is still meta when it only announces what follows.
_ANNOUNCES = re.compile(
    r"\b(?:here(?:'s| is| are)|the following|as follows|summari[sz]ed as|the answer to|"
    r"steps to|ways to)\b",
    re.IGNORECASE,
)
_MIN_CHECKABLE_WORDS = 3


def segment_claims(draft: str) -> list[ClaimSpan]:
    claims: list[ClaimSpan] = []
    for s_start, s_end in iter_sentence_spans(draft):
        for start, end in _split_sentence(draft, s_start, s_end):
            text = draft[start:end]
            checkable, reason = classify(text)
            claims.append(ClaimSpan(text, start, end, checkable, reason))
    return claims


def _split_sentence(draft: str, start: int, end: int) -> list[tuple[int, int]]:
    # A list marker at the start of the line is part of the span but not of the claim.
    m = _LIST_MARKER.match(draft, start, end)
    if m and m.end() < end:
        start = m.end()
    prefix: list[tuple[int, int]] = []
    m = _META_PREFIX.match(draft, start, end)
    if m and len(words(draft[m.end() : end])) >= 2:
        prefix.append((start, m.end()))
        start = m.end()
        while start < end and draft[start].isspace():
            start += 1
    parts = prefix + _split_at(draft, start, end, _CLAUSE_SPLIT, min_words=2)
    out: list[tuple[int, int]] = []
    for a, b in parts:
        if len(words(draft[a:b])) > _LONG_SENTENCE_WORDS:
            out.extend(_split_at(draft, a, b, _CONJUNCTION_SPLIT, min_words=_MIN_PART_WORDS))
        else:
            out.append((a, b))
    return out


def _split_at(draft: str, start: int, end: int, pattern: re.Pattern[str], *, min_words: int) -> list[tuple[int, int]]:
    cuts: list[tuple[int, int]] = []
    cursor = start
    for m in pattern.finditer(draft, start, end):
        left = draft[cursor : m.start()]
        right = draft[m.end() : end]
        if len(words(left)) >= min_words and len(words(right)) >= min_words:
            cuts.append((cursor, m.start()))
            cursor = m.end()
    cuts.append((cursor, end))
    out = []
    for a, b in cuts:
        while a < b and draft[a].isspace():
            a += 1
        while b > a and draft[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
    return out


def classify(text: str) -> tuple[bool, str]:
    stripped = text.strip()
    if stripped.endswith("?"):
        return False, "question"
    n_words = len(words(stripped))
    if (
        _META.match(stripped)
        or _META_PREFIX.fullmatch(stripped)
        or (stripped.endswith(":") and (n_words <= 12 or _ANNOUNCES.search(stripped)))
    ):
        return False, "meta"
    if _HEDGE.match(stripped):
        return False, "hedge"
    # A long sentence that merely opens with "Sure," still carries content.
    if _GREETING.match(stripped) and n_words <= 8:
        return False, "greeting"
    if n_words < _MIN_CHECKABLE_WORDS and not any(c.isdigit() for c in stripped):
        return False, "too_short"
    return True, ""
