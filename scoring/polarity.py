"""Whether a policy allows it, compared in prose: "booking fees are non-refundable" against "we will
refund your booking fee".

Support answers go wrong most expensively on the verbs of a policy: refund, return, cancel,
transfer, charge, cover, include. The NLI model reads "non-refundable" against "will refund" as
two sentences about the same refund and often calls them compatible. A claim is refuted by its
evidence sentence when both speak of the same policy verb, one of them negates it and the other
does not, and they are about the same thing: the sentence is no narrower than the claim (at most
one content word the claim lacks, the verb and its negation aside), and where the claim adds
conditions, the sentence is a flat prohibition that no condition lifts ("not", "no", "never", "n't",
"cannot", "unable", "no longer", "non-", "in-", "un-").

Only contradictions are decided here: two sentences of the same polarity are left to the model
(a negation can be written many ways, and agreeing in polarity proves nothing else).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scoring.cues import CONDITION_WORDS, CONTRAST_WORDS, DENYING_VERBS, LIGHT, negation_pattern, words_pattern
from scoring.text import STOPWORDS, content_stems, same_topic, shared_share

MAX_CLAIM_WORDS = 25
# Policy verbs and the adjectives made from them, each family under one name.
_FAMILIES: dict[str, str] = {
    "refund": r"refund(?:s|ed|ing|able)?|(?:money|amount|price|cost|payment)\s+back",
    "return": r"return(?:s|ed|ing|able)?",
    "exchange": r"exchang(?:e|es|ed|ing|eable)",
    "cancel": r"cancel(?:s|led|ed|ling|ing|lable|able|lation|lations)?",
    "transfer": r"transfer(?:s|red|ring|rable|able)?",
    "charge": r"charg(?:e|es|ed|ing|eable)",
    "cover": r"cover(?:s|ed|ing)?",
    "include": r"includ(?:e|es|ed|ing)",
    "eligible": r"eligib(?:le|ility)",
    "available": r"availab(?:le|ility)",
    "allow": r"(?:allow(?:s|ed|ing)?|permit(?:s|ted)?)",
    "accept": r"accept(?:s|ed|ing)?",
    "change": r"(?:chang(?:e|es|ed|ing)|modif(?:y|ies|ied|ying|ication|ications))",
}
_FAMILY = {name: re.compile(rf"\b(?P<neg>non-?|un|in)?(?P<w>{rx})\b", re.IGNORECASE) for name, rx in _FAMILIES.items()}
# Negations, including the verbs and prepositions that negate what follows them ("avoid
# allowing", "without any charge", "refuses to refund").
_NEGATOR = negation_pattern(rf"without|{DENYING_VERBS}|fail(?:s|ed)?\s+to", prefix=False)
_CLAUSE_BREAK = re.compile(rf"[;:.]|\b(?:{CONTRAST_WORDS})\b")
# Conditions and exceptions change what a negation covers; such sentences are left to the model.
_CONDITIONAL = words_pattern(CONDITION_WORDS)


@dataclass(frozen=True)
class PolarityMismatch:
    start: int  # the claim's policy word, offsets into the claim
    end: int
    reason: str


def _statement(text: str, family: re.Pattern[str]) -> re.Match[str] | None:
    """The family's first word in `text` that says something of a thing, not one that names a
    kind of it: "a non-refundable fare" is a fare, "fares are non-refundable" a policy."""
    for m in family.finditer(text):
        if not (m.group("w").lower().endswith(("able", "ible")) and _NAMES_A_KIND.match(text, m.end())):
            return m
    return None


# The noun an adjective stands before ("non-refundable fare"), and not a stopword ("refundable
# once ...", "refundable if ...").
_NAMES_A_KIND = re.compile(r"\s+(?!(?:" + "|".join(sorted(STOPWORDS)) + r")\b)[a-z]", re.IGNORECASE)


def _polarity(text: str, family: re.Pattern[str]) -> tuple[bool, re.Match[str]] | None:
    """(negated?, the word) for the family's first statement in `text`, read within its clause."""
    m = _statement(text, family)
    if m is None:
        return None
    prefix = (m.group("neg") or "").lower()
    # "in-" and "un-" negate only the adjectives ("ineligible", "unavailable"), not "include".
    negated_word = prefix.startswith("non") or (prefix in {"un", "in"} and m.group("w").lower()[:4] in {"avai", "elig"})
    if prefix in {"un", "in"} and not negated_word:
        return None
    # The negation that governs the word stands just before it ("cannot be exchanged", "will no
    # longer be refunded", "does not include"), within its clause: "not refundable and cannot be
    # exchanged" negates each verb once, not the second twice.
    # Light verbs and pronouns are not counted: "unable to give you a cash refund"; a condition
    # opens a clause of its own: "not refunded if you cancel" does not negate the cancelling.
    clause = _CLAUSE_BREAK.split(text[: m.start()])[-1]
    part = re.split(r"\b(?:and|or|if|when|once|because)\b|,", clause, flags=re.IGNORECASE)[-1]
    window = " ".join(_GRANTING.sub(" ", LIGHT.sub(" ", part)).split()[-5:])
    after = text[m.end() : m.end() + 20]
    negators = len(_NEGATOR.findall(window)) + (1 if re.match(r"\s+not\b", after) else 0)
    return (negated_word ^ (negators % 2 == 1)), m


def opposite_words(a: set[str], b: set[str]) -> bool:
    """A word of one side is a word of the other with a negating prefix (unopened / opened)."""
    for x, y in ((a, b), (b, a)):
        for w in x:
            for prefix in ("non", "un", "in", "dis"):
                if w.startswith(prefix) and w[len(prefix) :].lstrip("-") in y:
                    return True
    return False


# Verbs of granting, beside the shared light words (`scoring.cues.LIGHT`), not of what is allowed:
# "you can get a full refund" says what "refunded in full" says.
_GRANTING = re.compile(
    r"\b(?:allow(?:s|ed)?|permit(?:s|ted)?|possible|able|get(?:s|ting)?|gets?|give[ns]?|offer(?:s|ed)?|"
    r"receive[sd]?|provide[sd]?|make[s]?|made)\b",
    re.IGNORECASE,
)
# A claim that something holds always or never is refuted by one case the evidence gives
# otherwise, however narrow ("subscriptions are never refunded" against "subscriptions cancelled
# within 14 days are refunded in full").
_UNIVERSAL = re.compile(
    r"\b(?:never|always|at\s+any\s+(?:point|time|stage)|any\s+time|anytime|under\s+any\s+circumstances?|"
    r"in\s+all\s+cases|whenever)\b",
    re.IGNORECASE,
)
_VERB_CLAUSE = re.compile(rf"[;:.]|,\s*(?:and|{CONTRAST_WORDS})\b|\b(?:but|whereas)\b", re.IGNORECASE)
UNIVERSAL_SHARED = 0.5  # share of a universal claim's words (its quantifier aside) the sentence must hold


def _verb_clause(text: str, family: re.Pattern[str]) -> str:
    """The clause of `text` that holds the family's first statement: "A gift card can't be returned
    for a refund, and its balance can't be paid out in cash" speaks of refunds in its first clause
    only."""
    m = _statement(text, family)
    if m is None:
        return text
    starts = [0] + [b.end() for b in _VERB_CLAUSE.finditer(text) if b.end() <= m.start()]
    ends = [b.start() for b in _VERB_CLAUSE.finditer(text) if b.start() >= m.end()] + [len(text)]
    return text[starts[-1] : ends[0]]


def _stems_without(text: str, family: re.Pattern[str]) -> set[str]:
    # "can't" / "won't" leave "ca" / "wo" once their "n't" is taken away.
    return content_stems(_GRANTING.sub(" ", _NEGATOR.sub(" ", family.sub(" ", text)))) - {"ca", "wo", "sha"}


# A condition in time, from its opening word to the end of its clause: "once the download has
# started", "while it is being packed". Words of "before" and of "after" are two orders.
_TIME_CONDITION = re.compile(
    r"\b(?P<order>once|after|since|while|during|before|until|till|prior\s+to)\b(?P<rest>[^,;.]*)", re.IGNORECASE
)
_BEFORE = frozenset({"before", "until", "till", "prior"})


def _orders(claim: str, sentence: str) -> tuple[re.Match[str], re.Match[str]] | None:
    """The two conditions in time, where both have one; None where either has none."""
    said, stated = _TIME_CONDITION.search(claim), _TIME_CONDITION.search(sentence)
    return None if said is None or stated is None else (said, stated)


def _same_order(said: re.Match[str], stated: re.Match[str]) -> bool:
    return (said.group("order").lower().split()[0] in _BEFORE) == (stated.group("order").lower().split()[0] in _BEFORE)


def _shared_condition(claim: str, sentence: str, family: re.Pattern[str]) -> set[str]:
    """The words of the sentence's condition in time, where the claim has one in the same order
    sharing a word with it (else nothing)."""
    both = _orders(claim, sentence)
    if both is None or not _same_order(*both):
        return set()
    said, stated = both
    words = _stems_without(stated.group("rest"), family)
    if not words or shared_share(_stems_without(said.group("rest"), family), words) == 0:
        return set()
    return words


def contradicted_polarity(claim: str, sentence: str) -> PolarityMismatch | None:
    """The claim's policy word whose negation `sentence` reverses, if any (see the docstring)."""
    if len(claim.split()) > MAX_CLAIM_WORDS or _CONDITIONAL.search(claim) or _CONDITIONAL.search(sentence):
        return None
    for name, family in _FAMILY.items():
        said = _polarity(claim, family)
        stated = _polarity(sentence, family)
        if said is None or stated is None or said[0] == stated[0]:
            continue
        claim_stems = _stems_without(claim, family)
        sentence_stems = _stems_without(_verb_clause(sentence, family), family)
        both = _orders(claim, sentence)
        if both is not None and not _same_order(*both):
            continue  # "before activating" against "once activated": another case
        universal = _UNIVERSAL.search(claim)
        if universal is not None:
            # Most of its words, or all of its subject (the words before the verb: "subscriptions
            # are never refunded once payment has been taken" is refuted by one subscription
            # refunded).
            topic = _stems_without(_UNIVERSAL.sub(" ", claim), family)
            subject = _stems_without(_UNIVERSAL.sub(" ", claim[: said[1].start()]), family)
            if (topic and shared_share(topic, sentence_stems) >= UNIVERSAL_SHARED) or (
                subject and shared_share(subject, sentence_stems) == 1.0
            ):
                m = said[1]
                return PolarityMismatch(m.start(), m.end(), f"the evidence gives a case otherwise ({name})")
        # The sentence must not be narrower than the claim: it adds at most one word ("orders that
        # have already shipped cannot be cancelled" restricts which orders, and says nothing of
        # "your order"). The claim may add conditions only against a flat prohibition ("setup fees
        # are non-refundable" against "we'll refund the setup fee if you cancel in the first
        # month"); a permission in the evidence says nothing of the claim's special case.
        # A condition of the sentence the claim states too, in the same order in time, narrows
        # nothing ("non-refundable once the download has started" against "a refund after
        # downloading it").
        sentence_stems -= _shared_condition(claim, _verb_clause(sentence, family), family)
        added = {s for s in sentence_stems if shared_share({s}, claim_stems) < 1}  # "cancel" is "cancelling"'s
        if len(added) > 1 or (claim_stems - sentence_stems and not stated[0]):
            continue
        if opposite_words(claim_stems, sentence_stems):
            continue  # "unopened items" against "opened items": another subject, not another polarity
        m = said[1]
        verdict = "does not allow" if stated[0] else "allows"
        return PolarityMismatch(m.start(), m.end(), f"the evidence {verdict} this ({name})")
    return None


# Two policy verbs coordinated ("cannot be refunded or exchanged for cash", "non-refundable and
# non-transferable"): each holds on its own, with the coordination's polarity.
_ANY_VERB = "|".join(f"(?:{rx})" for rx in _FAMILIES.values())
_COORDINATED = re.compile(
    rf"\b(?P<a>(?:non-?)?(?:{_ANY_VERB}))(?P<conj>\s+(?:or|nor|and)\s+(?:be\s+)?)"
    rf"(?P<b>(?:non-?)?(?:{_ANY_VERB}))\b(?P<obj>\s+(?:for|into)\s+(?:a\s+)?\w+)?",
    re.IGNORECASE,
)


def _speaks_of(claim: str, word: str) -> bool:
    return any(family.search(word) and _statement(claim, family) is not None for family in _FAMILY.values())


def _without_alternatives(sentence: str, claim: str) -> str:
    """`sentence` without the policy verbs coordinated with the claim's that the claim does not
    speak of: "Gift cards cannot be refunded or exchanged for cash" says of a refund what "Gift
    cards cannot be refunded" says."""
    out, cursor = [], 0
    for m in _COORDINATED.finditer(sentence):
        has_a, has_b = _speaks_of(claim, m.group("a")), _speaks_of(claim, m.group("b"))
        if has_a and not has_b:
            out.append(sentence[cursor : m.end("a")])
            cursor = m.end()
        elif has_b and not has_a:
            out.append(sentence[cursor : m.start("a")])
            cursor = m.start("b")
    return "".join(out) + sentence[cursor:]


def agreed_polarity(claim: str, sentence: str) -> bool:
    """The claim and `sentence` speak of the same policy verb with the same polarity ("Event tickets
    are non-refundable" / "we can't refund event tickets"), about the same thing, and neither puts
    a condition on it. A verb of the sentence coordinated with the claim's ("… cannot be refunded
    or exchanged") is not one the claim must speak of too."""
    if len(claim.split()) > MAX_CLAIM_WORDS or _CONDITIONAL.search(claim) or _CONDITIONAL.search(sentence):
        return False
    sentence = _without_alternatives(sentence, claim)
    agreed = False
    for family in _FAMILY.values():
        said, stated = _polarity(claim, family), _polarity(sentence, family)
        if said is None and stated is None:
            continue
        if said is None or stated is None or said[0] != stated[0]:
            return False  # a verb one side lacks, or reverses: not this rule's to confirm
        if not same_topic(_stems_without(claim, family), _stems_without(_verb_clause(sentence, family), family)):
            return False
        agreed = True
    return agreed
