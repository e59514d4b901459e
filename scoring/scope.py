"""Who a rule applies to, compared in prose: "Enterprise plan customers only" against "all customers".

Support policies limit a benefit to a group ("available on the Enterprise plan only", "for
postpaid customers only"), and the drafts that get them wrong widen it ("every plan includes
audit logs") or hand it to another group ("prepaid customers can buy the add-on"). The NLI model
reads both as near-paraphrases: the words are the same but one. A claim is refuted by its
evidence sentence when the sentence restricts ("only", "exclusively", "limited to", "reserved
for") and holds most of the claim's content words, and the claim either

- widens it with a universal quantifier the evidence never uses ("all", "every", "any",
  "everyone", "regardless of", "whether or not"), or
- names another group of the same kind (plan tier, travel class, card level, payment type) that
  no passage mentions, in front of a group noun ("Economy passengers", "the Basic plan").

A claim that restricts or negates is left to the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scoring.cues import LIGHT, RESTRICTION_WORDS, negation_pattern, words_pattern
from scoring.text import content_stems

MIN_SHARED = 0.5
_RESTRICTS = words_pattern(RESTRICTION_WORDS)
_UNIVERSAL = re.compile(
    r"\b(?:all|every|any|anyone|anybody|everyone|everybody|regardless\s+of|whether\s+or\s+not|no\s+matter|"
    # "also" and "too" hand the rule to more than it names: "the 60-day window also applies to
    # online orders" against "... to items bought in our stores only".
    r"also|too|as\s+well)\b",
    re.IGNORECASE,
)
# What a claim says of its group, not which group: "gets", "includes", "is available on".
_HAVING = re.compile(
    r"\b(?:gets?|got|ha(?:ve|s|d)|includ(?:e|es|ed|ing)|comes?\s+with|offer(?:s|ed)?|anything|anyone)\b", re.IGNORECASE
)
# A sentence that hands something to named groups ("available to Premium and Enterprise
# subscribers", "included with the Pro plan") limits it to them as "only" would.
_GIVEN_TO = re.compile(
    r"\b(?:available|offered|included|provided|reserved|open)\s+(?:only\s+)?(?:to|for|on|in|with)\b", re.IGNORECASE
)
_NEGATION = negation_pattern("without|except", prefix=False)
# Kinds of group a benefit is limited to; a claim's word counts only in front of a group noun,
# so "business days" or "free shipping" are not groups.
GROUP_KINDS: dict[str, tuple[str, ...]] = {
    "plan": (
        "free",
        "basic",
        "starter",
        "standard",
        "plus",
        "pro",
        "premium",
        "team",
        "business",
        "enterprise",
        "personal",
        "family",
        "individual",
    ),
    "class": ("economy", "premium economy", "business", "first"),
    "level": ("bronze", "silver", "gold", "platinum", "diamond"),
    "payment": ("prepaid", "postpaid", "pay-as-you-go", "contract"),
}
_GROUP_NOUN = (
    r"(?:plans?|tiers?|class|cabin|customers?|members?|membership|users?|subscribers?|accounts?|account\s+holders?|"
    r"cardholders?|card\s+holders?|passengers?|editions?|packages?|levels?|status)"
)
_GROUP_WORD = r"(?P<g>" + "|".join(sorted({w for ws in GROUP_KINDS.values() for w in ws}, key=len, reverse=True)) + r")"
_GROUP = re.compile(r"\b" + _GROUP_WORD + r"(?:\s+(?:class|plan|tier))?\s+" + _GROUP_NOUN + r"\b", re.IGNORECASE)
# "an Enterprise-only feature": the group word is the restriction's, with no group noun.
_GROUP_ONLY = re.compile(r"\b" + _GROUP_WORD + r"-only\b", re.IGNORECASE)


@dataclass(frozen=True)
class ScopeMismatch:
    start: int  # the widening words or the other group, offsets into the claim
    end: int
    reason: str


def _kinds(word: str, noun: str) -> set[str]:
    """The kinds a group word can be: "business" is a plan or a travel class, by its noun."""
    word = word.lower()
    kinds = {k for k, ws in GROUP_KINDS.items() if word in ws}
    if "class" in kinds and len(kinds) > 1:
        travel = re.search(r"class|passenger|cabin", noun, re.IGNORECASE) is not None
        kinds = {"class"} if travel else kinds - {"class"}
    return kinds


def groups(text: str) -> list[tuple[int, int, str, set[str]]]:
    found = [*_GROUP.finditer(text), *_GROUP_ONLY.finditer(text)]
    return [(m.start("g"), m.end("g"), m.group("g").lower(), _kinds(m.group("g"), m.group())) for m in found]


def _restricted(sentence: str) -> list[set[str]]:
    """The content words each restriction names: "Enterprise plan customers only" (before a final
    "only"), "only to orders over $50" (after the marker)."""
    out: list[set[str]] = []
    for m in _RESTRICTS.finditer(sentence):
        after = sentence[m.end() :]
        if m.group().lower() == "only" and re.match(r"\s*(?:[.,;:!?)]|$)", after):
            phrase = " ".join(re.findall(r"[\w$%.-]+", sentence[: m.start()])[-4:])
        else:
            phrase = " ".join(re.findall(r"[\w$%.-]+", re.split(r"[.,;:!?]", after)[0])[:5])
        stems = content_stems(phrase)
        if stems:
            out.append(stems)
    return out


def _keeps_restriction(claim: str, sentence: str) -> bool:
    """The claim's "any order over $50" keeps the sentence's "only to orders over $50"."""
    stems = content_stems(claim)
    return any(r <= stems for r in _restricted(sentence))


def contradicted_scope(claim: str, sentence: str, evidence: str) -> ScopeMismatch | None:
    """The part of the claim that widens or moves the sentence's restriction, if any."""
    restricts = _RESTRICTS.search(sentence) is not None
    if not (restricts or _GIVEN_TO.search(sentence)) or _RESTRICTS.search(claim) or _NEGATION.search(claim):
        return None
    sentence_stems = content_stems(sentence)
    # Light words count where the sentence has them too, and are set aside where it words them
    # otherwise ("gets a voucher" / "the voucher is sent").
    light = {w for rx in (LIGHT, _HAVING) for m in rx.finditer(claim) for w in content_stems(m.group())}
    claim_stems = content_stems(_UNIVERSAL.sub(" ", claim)) - (light - sentence_stems)
    if not claim_stems or len(claim_stems & sentence_stems) / len(claim_stems) < MIN_SHARED:
        return None
    universal = _UNIVERSAL.search(claim)
    if (
        restricts
        and universal is not None
        and not _UNIVERSAL.search(evidence)
        and not _keeps_restriction(claim, sentence)
    ):
        return ScopeMismatch(universal.start(), universal.end(), "the evidence limits it to some")
    stated = groups(sentence)
    if not stated:
        return None
    mentioned = evidence.lower()
    for start, end, word, kinds in groups(claim):
        if re.search(rf"\b{re.escape(word)}\b", mentioned):
            continue
        if any(kinds & other for *_, other in stated):
            return ScopeMismatch(start, end, "the evidence limits it to another group")
    return None
