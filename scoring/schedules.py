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

from scoring.cues import CONTRAST_WORDS, LIGHT, SYNONYMS, negation_pattern
from scoring.records import DayMention, day_mentions
from scoring.text import content_stems, shared_share

ALL_DAYS = frozenset(range(7))
MIN_SHARED = 0.5  # share of the claim's content words (day words aside) the sentence must hold
_NEGATION = negation_pattern("without|closed|shut", prefix=False)
# A list of days is read as the whole schedule only where the sentence speaks of availability
# ("open", "available", "staffed", "only", ...): in "orders placed on Friday ship on Monday" the
# days are conditions, and a claim about Saturday orders is not contradicted by them.
_AVAILABILITY = re.compile(
    r"\b(?:open|opens|opening|close|closes|closed|shut|hours|available|availability|operat\w*|staffed|"
    r"serv(?:e|es|ed|ing)|runs?|reach(?:able)?|contact|call|visit|only|exclusively|takes?\s+place|held|possible|"
    r"schedul\w*|"
    # a schedule of every day is one, whatever its verb: "deliveries are made seven days a week"
    r"seven\s+days\s+a\s+week|daily|every\s+day|24/7|around\s+the\s+clock)\b",
    re.IGNORECASE,
)
# Times of day are when, not what: "on a Saturday morning", "from 10am to 2pm".
_TIMES = re.compile(
    r"\b\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?(?=\W|$)|\b(?:morning|afternoon|evening|night|noon|midday|"
    r"midnight|hours?|any\s+time|anytime|early|late|weekly|week)\b",
    re.IGNORECASE,
)
# A call is a phone's, not an availability word, where it is the thing done: "give us a call".
_CALL = re.compile(r"\b(?:a|us|me)\s+(?:call|ring)\b|\bcall\s+us\b", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(rf"[;:.]|,\s*(?:and|{CONTRAST_WORDS})\b|\b(?:but|while|whereas)\b", re.IGNORECASE)


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


def _about_the_same(
    claim: str,
    claim_days: list[DayMention],
    sentence: str,
    sentence_days: list[DayMention],
    *,
    by_subject: bool = False,
) -> bool:
    """The sentence speaks of availability and holds most of the claim's words, its days, times
    and availability words aside ("Branches open on Sundays from 10am" is about what "Branches
    are closed on Sundays" is about); `by_subject`, or the claim says its subject is open or closed
    and the sentence names that subject (to refute only: the rest of such a claim may add what
    the sentence does not confirm)."""
    if not _AVAILABILITY.search(sentence):
        return False
    sentence_stems = _topic_stems(_without(sentence, sentence_days))
    # Light words ("you can give us a call") count only where the sentence has them too.
    light = _topic_stems(" ".join(LIGHT.findall(claim))) - sentence_stems
    claim_stems = _topic_stems(_without(claim, claim_days)) - light
    if not claim_stems:
        return False
    if shared_share(claim_stems, sentence_stems) >= MIN_SHARED:
        return True
    return by_subject and _same_subject(claim, sentence_stems)


# A claim that something is open, closed or available: its subject is what the schedule is about.
_OPEN_CLAIM = re.compile(r"\b(?:is|are|will\s+be|'s|’s)\s+(?:open|closed|available|staffed)\b", re.IGNORECASE)
_SUBJECT = re.compile(
    r"^\W*(?:the|our|your|this|that)\s+([a-z][\w-]*(?:\s+[a-z][\w-]*)?)\s+(?:is|are|will|'s|’s)\b", re.IGNORECASE
)


def _same_subject(claim: str, sentence_stems: set[str]) -> bool:
    """Whether the claim says its subject is open or closed ("The spa will be open on Monday, so a
    3 PM massage works") and the sentence speaks of that subject: a support answer adds a reason
    or an offer, and its words outnumber the sentence's."""
    m = _SUBJECT.match(claim)
    if m is None or not _OPEN_CLAIM.search(claim, m.start(1)):
        return False
    subject = _topic_stems(m.group(1))
    return bool(subject) and shared_share(subject, sentence_stems) == 1.0


def _topic_stems(text: str) -> set[str]:
    """Content stems, times of day and availability words aside, a predicate's synonyms as one
    ("pick up" / "collection", "call" / "phone")."""
    text = _AVAILABILITY.sub(" ", _TIMES.sub(" ", _CALL.sub("phone", text)))
    return {SYNONYMS.get(s, s) for s in content_stems(text)}


def contradicted_days(claim: str, sentence: str, evidence: str) -> DayMismatch | None:
    """The claim's day mention that `sentence` contradicts, if any (see the module docstring)."""
    claim_days = day_mentions(claim)
    if not claim_days:
        return None
    sentence_days = day_mentions(sentence)
    stated = schedule(sentence, sentence_days)
    if stated is None:
        return None
    if not _about_the_same(claim, claim_days, sentence, sentence_days, by_subject=True):
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


def confirmed_days(claim: str, sentence: str) -> bool:
    """Whether `sentence` gives every day of the claim the way the claim does: a claim's open days
    among the sentence's open days, its closed ("not on", "can't … on") days among the closed
    ones or outside a list of open days. Same aboutness test as `contradicted_days`; a claim that
    names no day, or one day the sentence does not settle, is not confirmed."""
    claim_days = day_mentions(claim)
    sentence_days = day_mentions(sentence)
    stated = schedule(sentence, sentence_days)
    if not claim_days or stated is None or not _about_the_same(claim, claim_days, sentence, sentence_days):
        return False
    rest_negated = _NEGATION.search(_without(claim, claim_days)) is not None
    for m in claim_days:
        days = frozenset(m.days)
        if _negated(claim, m) or rest_negated:
            if not (days <= stated.closed or (stated.open and not days & stated.open)):
                return False
        elif not days <= stated.open:
            return False
    return True


def unstated_days(claim: str, evidence: str) -> bool:
    """The claim says something happens on a day no evidence gives, where the evidence names days:
    "our email team replies on Saturdays" against "our phone lines are open Monday through
    Friday". An entailment the NLI model reads for such a claim rests on the rest of its words. A
    claim that negates is left alone."""
    claim_days = day_mentions(claim)
    if not claim_days or _NEGATION.search(claim):
        return False
    stated = schedule(evidence)  # only for a claim that names a day: most name none
    return stated is not None and any(not frozenset(m.days) <= stated.open for m in claim_days)
