"""Proper names a claim gives that no evidence gives.

A name the evidence never mentions ("Cardiff" where the article says Swansea, "Dr. Patel" where
the record names Dr. Shah) is the commonest thing a summary or an answer invents, and the one the
NLI model reads worst: the rest of the sentence matches its evidence, so the pair reads entailed.
On the dev files' report folds a supported claim holding such a name came from a bad draft 61%
of the time on LFQA (17% for supported claims without one) and 84% on SummEdits (60%).

A name here is a capitalised word inside a sentence (after a lower-case word, a digit or a comma:
the first word of a sentence is capitalised whatever it is). It is stated when the evidence or
the question has it as a word, or a word sharing its first letters ("American" / "America",
"Canadians" / "Canada"). All-capital tokens (acronyms, codes) are left to the guardrails; days
and months to the schedule and date comparators.
"""

from __future__ import annotations

import functools
import re

# A capitalised word after a lower-case letter, a digit or a clause mark and a space.
_NAME = re.compile(r"(?<=[a-z0-9,;)’'\"”]\s)[A-Z][a-z][A-Za-z’'-]*")
# A name after a title, wherever it stands: "Dr. Patel".
_TITLED = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|Prof|St|Mt)\.?\s+([A-Z][a-z][A-Za-z’'-]*)")
_WORD = re.compile(r"[a-z][a-z’'-]*")
_NOT_NAMES = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday january february march april may june
    july august september october november december mr mrs ms dr prof st mt jr sr passage passages
    source sources document documents
    """.split()  # noqa: SIM905 - a word list reads better as text
)
PREFIX = 4  # letters a name shares with an evidence word at least, to be the same name


def unstated_names(claim: str, evidence: str) -> list[tuple[int, int]]:
    """The claim's names (offsets) that no word of the evidence states."""
    known = _words(evidence)
    out = []
    spans = {(m.start(), m.end()) for m in _NAME.finditer(claim)}
    spans |= {(m.start(1), m.end(1)) for m in _TITLED.finditer(claim)}
    for a, b in sorted(spans):
        word = _plain(claim[a:b])
        if word in _NOT_NAMES or word.removesuffix("s") in _NOT_NAMES or _stated(word, known):
            continue
        out.append((a, b))
    return out


def _stated(word: str, known: dict[str, frozenset[str]]) -> bool:
    return any(_same_name(word, k) for k in known.get(word[:PREFIX], ()))


def _plain(word: str) -> str:
    """The word lower-cased, without a possessive or hyphens ("Wi-Fi" is "wifi")."""
    return re.sub(r"['’]s?$", "", word.lower()).replace("-", "")


def _same_name(a: str, b: str) -> bool:
    """Whether two words are one name, inflected: they agree but for their last two letters
    ("american" / "america", "chinese" / "china"), and on `PREFIX` letters at least."""
    n = max(PREFIX, min(len(a), len(b)) - 2)
    return a[:n] == b[:n]


@functools.lru_cache(maxsize=16)
def _words(evidence: str) -> dict[str, frozenset[str]]:
    """The evidence's words, lower-cased, by their first letters (kept for the draft's next
    claim, which reads the same evidence)."""
    index: dict[str, set[str]] = {}
    for w in _WORD.findall(evidence.lower()):
        w = _plain(w)
        index.setdefault(w[:PREFIX], set()).add(w)
    return {k: frozenset(v) for k, v in index.items()}
