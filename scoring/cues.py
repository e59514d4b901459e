"""The words that negate, restrict or condition a statement, in one place for every comparator.

The prose comparators (`negation`, `polarity`, `scope`, `schedules`, `refutation`,
`confirmations`) each ask whether a clause negates, puts a condition on what it says, or limits it
to some. They used to spell their own lists, and a negation word added to one was missing from the
others ("nothing" refuted in one module and was a plain word in the next). Each now builds its
pattern from the lists here and adds only what is its own (a schedule's "closed", a policy verb's
"refuses to").

- `NEGATION_WORDS`: the cue words ("not", "never", "cannot", "no longer", ...); `NT` the
  contraction ("can't", "won’t"); `NON` the prefix ("non-refundable", "nontransferable", not
  "nonetheless" nor a name, "non-GAAP").
- `DENYING_VERBS`: verbs that negate what follows them ("refuses to", "prohibits").
- `CONDITION_WORDS`: conditions and exceptions, which change what a negation covers ("unless",
  "except", "only if", ...).
- `RESTRICTION_WORDS`: what limits a statement to some ("only", "exclusively", ...).
- `LIGHT`: modal and light verbs and pronouns, which say nothing of what a rule is about, and
  `SYNONYMS`: the predicates a support answer words either way ("deliver" / "ship"), by stem.
- `CONTRAST_WORDS`: what opens a clause of its own ("but", "whereas", ...); each comparator cuts
  clauses with them, and with the punctuation and "and" its reading needs.
"""

from __future__ import annotations

import re

_BOUND = r"(?:more|less|later|earlier|fewer)"
NEGATION_WORDS = (
    rf"no\s+longer|not(?!\s+{_BOUND}\s+than\b)|no(?!\s+(?:matter|{_BOUND})\b)|"
    r"never|none|nor|neither|nothing|nobody|cannot|unable"
)
NT = r"n[’']t\b"
NON = r"\bnon-(?=(?-i:[a-z]))|\bnon(?=[a-z]+[ai]ble\b)"
# "whether or not" and "no matter" widen, they do not negate ("every member, whether or not they
# have bought anything"), and "no more than" / "not later than" bound a figure ("no more than five
# days" says what "3 to 5 days" says of its longest); those two are kept out of `NEGATION_WORDS`.
_NOT_NEGATING = r"(?<!whether\sor\s)"
# Verbs that negate what follows them ("refuses to refund", "prevents changes").
DENYING_VERBS = r"avoid\w*|prevent\w*|refus\w*|den(?:y|ies|ied)|forbid\w*|prohibit\w*"
CONDITION_WORDS = r"unless|except|excluding|only\s+if|provided(?:\s+that)?|as\s+long\s+as|other\s+than"
RESTRICTION_WORDS = r"only|exclusively|solely|limited\s+to|reserved\s+for|restricted\s+to"
# Words that open a contrasting clause ("refunds are given, but only for ...").
CONTRAST_WORDS = r"but|while|whereas|although|however"

# Modal and light verbs, pronoun contractions, and the words a negation leaves behind ("no longer").
LIGHT = re.compile(
    r"\b(?:can|could|may|might|must|will|would|shall|should|able|possible|allowed|permitted|"
    r"eligible|available|use[ds]?|longer|anymore|any|unfortunately|\w+'(?:ve|re|ll|d|s|m)|"
    r"i|me|my|we|us|you|they|them|it|our|your|their|customers?)\b(?![’']t\b)",  # "can't" keeps its "can"
    re.IGNORECASE,
)
# Predicates a support answer words either way, by the stem the crude stemmer gives each.
SYNONYMS: dict[str, str] = {
    "deliver": "ship",
    "send": "ship",
    "sent": "ship",
    "dispatch": "ship",
    "post": "ship",
    "mail": "ship",
    "together": "combin",
    "stack": "combin",
    "reopen": "reactivat",
    "restor": "reactivat",
    "modif": "chang",
    "modify": "chang",
    "edit": "chang",
    "updat": "chang",
    "returnable": "return",
    "refundable": "refund",
    "cancellable": "cancel",
    "accept": "take",
    "pick": "collect",
    "collection": "collect",
    "call": "phone",
    "ring": "phone",
    "buy": "purchas",
    "bought": "purchas",
    "purchase": "purchas",
}


def negation_pattern(extra: str = "", *, prefix: bool = True) -> re.Pattern[str]:
    """The negation cues, with `extra` words of the caller's own (a regex alternation) and, unless
    `prefix` is false, the "non-" prefix."""
    alternatives = NEGATION_WORDS + (f"|{extra}" if extra else "")
    pattern = rf"{_NOT_NEGATING}\b(?:{alternatives})\b|{NT}"
    if prefix:
        pattern += f"|{NON}"
    return re.compile(pattern, re.IGNORECASE)


def words_pattern(alternation: str) -> re.Pattern[str]:
    """A whole-word pattern of an alternation of words, case aside."""
    return re.compile(rf"\b(?:{alternation})\b", re.IGNORECASE)
