"""Weekdays in prose compared as sets: "open Monday to Friday" against "open on Saturdays".

A schedule is what the NLI model reads worst: "Saturday" shares no word with "Monday to
Friday", so the pair looks neutral, and "closed on Sundays" against "open on Sundays" reads like
a paraphrase. The records stage compares days against a record's opening hours; this module does
the same for a prose evidence sentence. A claim is refuted by the sentence when the sentence is
about the same thing (it holds most of the claim's content words, day words aside) and states a
schedule the claim's days fall outside of, where the sentence speaks of availability (open,
closed, hours, available, staffed, only, ...):

- the claim says something happens on days the sentence says it does not ("closed on Sundays",
  "not on weekends", "every day except Monday"), or on days its list of days leaves out
  ("Monday to Friday" against "Saturday"; "Mondays, Wednesdays and Fridays" against "daily");
- or the claim says it is closed on a day the sentence gives.

A claim that negates anything else ("you can't visit on a Sunday") is left to the model, and so
is a claim whose days the evidence states as open anywhere (the best sentence may not be the one
the claim was written from).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scoring.records import DayMention, day_mentions
from scoring.text import content_stems

ALL_DAYS = frozenset(range(7))
MIN_SHARED = 0.5  # share of the claim's content words (day words aside) the sentence must hold
_NEGATION = re.compile(
    r"\b(?:not|no|never|cannot|unable|without|nor)\b|n't\b|\bclosed\b|\bshut\b",
    re.IGNORECASE,
)
# A list of days is read as the whole schedule only where the sentence speaks of availability
# ("open", "available", "staffed", "only", ...): in "orders placed on Friday ship on Monday" the
# days are conditions, and a claim about Saturday orders is not contradicted by them.
_AVAILABILITY = re.compile(
    r"\b(?:open|opens|opening|close|closes|closed|shut|hours|available|availability|operat\w*|staffed|"
    r"serv(?:e|es|ed|ing)|runs?|reach(?:able)?|contact|call|visit|only|exclusively)\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[;:.]|,\s*(?:but|and|while|whereas)\b|\bbut\b|\bwhile\b|\bwhereas\b", re.IGNORECASE)


@dataclass(frozen=True)
class DayMismatch:
    start: int  # the claim's day words, offsets into the claim
    end: int
    reason: str


@dataclass(frozen=True)
class _Schedule:
    open: frozenset[int]
    closed: frozenset[int]


def _without(text: str, mentions: list[DayMention]) -> str:
    for m in sorted(mentions, key=lambda m: -m.start):
        text = text[: m.start] + " " + text[m.end :]
    return text


def _negated(text: str, m: DayMention) -> bool:
    """The day mention is closed, excepted, or negated within its own clause ("not on Sundays")."""
    if m.closed or m.excluded:
        return True
    before = text[max(0, m.start - 60) : m.start]
    clause = _CLAUSE_BREAK.split(before)[-1]
    return bool(_NEGATION.search(clause))


def schedule(text: str, mentions: list[DayMention] | None = None) -> _Schedule | None:
    """The days `text` gives (open) and takes away (closed), or None when it names no day."""
    mentions = day_mentions(text) if mentions is None else mentions
    if not mentions:
        return None
    open_days: set[int] = set()
    closed: set[int] = set()
    for m in mentions:
        (closed if _negated(text, m) else open_days).update(m.days)
    return _Schedule(frozenset(open_days - closed), frozenset(closed))


def contradicted_days(claim: str, sentence: str, evidence: str) -> DayMismatch | None:
    """The claim's day mention that `sentence` contradicts, if any (see the module docstring)."""
    claim_days = day_mentions(claim)
    if not claim_days:
        return None
    sentence_days = day_mentions(sentence)
    stated = schedule(sentence, sentence_days)
    if stated is None:
        return None
    claim_stems = content_stems(_without(claim, claim_days))
    if not claim_stems:
        return None
    shared = len(claim_stems & content_stems(_without(sentence, sentence_days))) / len(claim_stems)
    if shared < MIN_SHARED:
        return None
    if not _AVAILABILITY.search(sentence):
        return None
    anywhere = schedule(evidence)
    open_anywhere = anywhere.open if anywhere is not None else frozenset()
    claim_negates = [_negated(claim, m) for m in claim_days]
    # A claim that negates something other than its days ("you can't ... on a Sunday") is left
    # to the model: its polarity is not the day's.
    rest = _without(claim, claim_days)
    if not any(claim_negates) and _NEGATION.search(rest):
        return None
    for m, closed in zip(claim_days, claim_negates, strict=True):
        days = frozenset(m.days)
        if closed:
            if days & stated.open and not days & stated.closed:
                return DayMismatch(m.start, m.end, "the evidence gives these days")
            continue
        if days <= open_anywhere:
            continue
        if days & stated.closed:
            return DayMismatch(m.start, m.end, "the evidence says it is closed or not available then")
        if stated.open and not days & stated.open:
            return DayMismatch(m.start, m.end, "the evidence gives other days")
        if days == ALL_DAYS and stated.open and stated.open != ALL_DAYS:
            return DayMismatch(m.start, m.end, "the evidence gives only some days")
    return None
