"""Whether a negated claim says what a negated evidence sentence says: "we can't deliver to a P.O.
box" against "we do not ship to P.O. boxes or APO/FPO addresses".

The NLI model reads two negations of the same predicate, worded differently, as unrelated or even
as contradicting each other. A claim agrees with its evidence sentence here when

- each side negates once within the clause that speaks of the claim (an odd number of negation
  cues: "not", "n't", "never", "no longer", "cannot", "unable", "non-"; "it is not true that ...
  never" negates twice and is left alone);
- neither side puts a condition or an exception on the negation ("unless", "except",
  "excluding", "only if", "but"), and both give the same order in time ("before" / "after");
- they are about the same thing (`scoring.text.same_topic`), once negations, modal and light
  verbs and a few predicate synonyms of support answers ("deliver" / "ship") are set aside, and
  "free (of charge)" / "at no cost" is read as "not charged". A
  negated list ("not to P.O. boxes or APO addresses") denies each item, so the sentence may drop
  the other items of an "or" list after the negation, and the word the claim's negation governs
  (the first content word after its cue) must be the sentence's too ("cannot be deleted" is not
  "cannot be edited or shared").

The reverse, `reversed_negation`, refutes a claim that states plainly what a clause of its
sentence negates, or negates what the clause states ("we can ship to your P.O. box" against "we do
not ship to P.O. boxes"), under the same conditions and one more: the word the negation governs
(the first content word after the cue) is on both sides, and the plain side has no negative word
of its own ("without", "free", "excluded", "lacks", ...), which negates without a cue ("comes
without batteries" says what "batteries are not included" says).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scoring.cues import (
    CONDITION_WORDS,
    CONTRAST_WORDS,
    DENYING_VERBS,
    LIGHT,
    SYNONYMS,
    negation_pattern,
    words_pattern,
)
from scoring.polarity import opposite_words
from scoring.text import content_stems, same_topic, shared_share, stem, words

MAX_CLAIM_WORDS = 25
_CUE = negation_pattern()
# Conditions and exceptions change what the negation covers ("not covered unless declared").
_CONDITION = words_pattern(rf"{CONDITION_WORDS}|exception|only|but|however")
_CLAUSE = re.compile(rf"[;:]|,\s*(?:and|so|{CONTRAST_WORDS})\b|\bwhereas\b", re.IGNORECASE)
_TIME_ORDER = re.compile(r"\b(?:before|after|until|till|within|once)\b", re.IGNORECASE)
# Words that negate without a cue, and the universal ones a single case refutes otherwise: a side
# holding one is never read as a plain statement here.
_LEXICAL_NEGATIVE = words_pattern(
    rf"without|free|exclud\w*|lack\w*|{DENYING_VERBS}|stop\w*|ceas\w*|fail\w*|except\w*|instead|rather|never|"
    r"always|non\w*|un\w+able|in(?:eligible|valid)"
)


@dataclass(frozen=True)
class ReversedNegation:
    start: int  # the claim's cue or governed word, offsets into the claim
    end: int
    reason: str


# The first item of a list after a negation and a preposition ("not ship *to* P.O. boxes or ...").
_ITEM_START = re.compile(
    rf"(?P<head>.*(?:{_CUE.pattern}).*\b(?:to|for|with|on|in|at|by|from|into)\s+)(?P<item>[^,]+)$",
    re.IGNORECASE,
)


# "Free" of a charge is a charge negated: "setup is free of charge" says "we do not charge for setup",
# and so does "without any charge".
_FREE = re.compile(
    r"(?<![-\w])(?<!feel\s)(?:free(?:\s+of\s+charge)?|(?:at\s+no\s+|without\s+(?:any\s+|a\s+)?)"
    r"(?:extra\s+|additional\s+)?(?:cost|charge|fee)s?)\b",
    re.IGNORECASE,
)


def _normalised(text: str) -> str:
    return _FREE.sub("not charged", text)


def _negated(text: str) -> bool:
    return len(_CUE.findall(text)) % 2 == 1


def _topic(text: str) -> set[str]:
    # "can't" / "won't" leave "ca" / "wo" once their "n't" is taken away.
    stems = content_stems(LIGHT.sub(" ", _CUE.sub(" ", text))) - {"ca", "wo", "sha"}
    return {SYNONYMS.get(s, s) for s in stems}


def _readings(clause: str) -> list[str]:
    """The clause, and the clause with all but one item of an "or" list after the negation (a
    negation denies every item of the list, so it denies each alone): "we do not ship to P.O. boxes
    or APO addresses" is read as well as "... to P.O. boxes" and "... to APO addresses"."""
    parts = re.split(r",?\s+\bor\b\s+", clause)
    if len(parts) < 2:
        return [clause]
    head = _ITEM_START.match(parts[0])
    if head is None:
        return [clause]
    return [clause, head.group("head") + parts[-1]] + [
        " ".join(p for j, p in enumerate(parts) if j != i) for i in range(1, len(parts))
    ]


def agreed_negation(claim: str, sentence: str) -> bool:
    """The claim and one clause of `sentence` both negate the same predicate of the same thing,
    with no condition or exception on either (see the module docstring)."""
    claim, sentence = _normalised(claim), _normalised(sentence)
    if len(claim.split()) > MAX_CLAIM_WORDS or not _negated(claim) or _CONDITION.search(claim):
        return False
    claim_topic = _topic(claim)
    governed = _governed(claim)
    if governed is None:
        return False
    order = {w.lower() for w in _TIME_ORDER.findall(claim)}
    for clause in _CLAUSE.split(sentence):
        if not _negated(clause) or _CONDITION.search(clause):
            continue
        if {w.lower() for w in _TIME_ORDER.findall(clause)} != order:
            continue
        if any(same_topic(claim_topic, _topic(r)) and _holds(_topic(r), governed) for r in _readings(clause)):
            return True
    return False


def _governed(text: str) -> str | None:
    """The stem of the first content word after the first negation cue ("cannot be *returned*")."""
    cue = _CUE.search(text)
    if cue is None:
        return None
    after = _topic(text[cue.end() :])
    for w in words(text[cue.end() :]):
        s = SYNONYMS.get(stem(w), stem(w))
        if s in after:
            return s
    return None


def _holds(topic: set[str], governed: str) -> bool:
    """`topic` has the governed word (the crude stemmer leaves "charge" and "charged" apart)."""
    return shared_share({governed}, topic) == 1.0


def _comparable(claim: str, clause: str) -> bool:
    """No condition on either side, the same order in time, no figure and no opposite words."""
    if _CONDITION.search(claim) or _CONDITION.search(clause) or re.search(r"\d", claim + clause):
        return False
    if {w.lower() for w in _TIME_ORDER.findall(claim)} != {w.lower() for w in _TIME_ORDER.findall(clause)}:
        return False
    return not opposite_words(content_stems(claim), content_stems(clause))


def _place(claim: str, governed: str) -> tuple[int, int]:
    """Where the claim says the governed word (its cue when it negates), else the whole claim."""
    cue = _CUE.search(claim)
    if cue is not None:
        return cue.start(), cue.end()
    for m in re.finditer(r"[A-Za-z]+", claim):
        if _holds({SYNONYMS.get(stem(m.group().lower()), stem(m.group().lower()))}, governed):
            return m.start(), m.end()
    return 0, len(claim)


def reversed_negation(claim: str, sentence: str) -> ReversedNegation | None:
    """A clause of `sentence` negates what the claim states, or states what it negates, about the
    same thing (see the module docstring)."""
    if len(claim.split()) > MAX_CLAIM_WORDS:
        return None
    said, sentence = claim, _normalised(sentence)
    claim = _normalised(claim)
    claim_negated = _negated(claim)
    for clause in _CLAUSE.split(sentence):
        if _negated(clause) == claim_negated or not _comparable(claim, clause):
            continue
        negated, plain = (claim, clause) if claim_negated else (clause, claim)
        if _LEXICAL_NEGATIVE.search(plain) or (len(_CUE.findall(negated)) != 1):
            continue
        governed = _governed(negated)
        if governed is None or not _holds(_topic(plain), governed):
            continue
        readings = _readings(clause) if not claim_negated else [clause]
        if any(same_topic(_topic(claim), _topic(reading)) for reading in readings):
            start, end = _place(said, governed)
            verdict = "allows" if claim_negated else "does not allow"
            return ReversedNegation(start, end, f"the evidence {verdict} this ({governed})")
    return None


OTHER_THING_WORDS = 2  # words each side must have that the other lacks to be about another thing


def denies_another_thing(claim: str, sentence: str) -> bool:
    """`sentence` negates something other than what the plain claim states: each has at least two
    words the other lacks ("home insurance covers storm damage to the roof" against "home insurance
    does not cover damage caused by wear and tear"). Such a sentence cannot refute the claim, however
    alike the two read to the NLI model."""
    claim, sentence = _normalised(claim), _normalised(sentence)
    if _negated(claim) or _LEXICAL_NEGATIVE.search(claim) or not _negated(sentence):
        return False
    claim_topic, sentence_topic = _topic(claim), _topic(sentence)
    claim_extra = len(claim_topic) * (1 - shared_share(claim_topic, sentence_topic))
    sentence_extra = len(sentence_topic) * (1 - shared_share(sentence_topic, claim_topic))
    return round(claim_extra) >= OTHER_THING_WORDS and round(sentence_extra) >= OTHER_THING_WORDS
