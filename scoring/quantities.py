"""Quantities in prose compared by value: "50 mg" against "100 mg", "$10" against "$25".

The NLI model reads "The dose is 100 mg." as entailed by "The dose is 50 mg." often enough that
a number contradiction cannot be left to it. A claim's quantity (a number, in digits or
spelled out, with its unit: a currency sign before it or a unit word after it, "12-month" too) is
refuted by its evidence sentence when that sentence states the same unit with another number
about the same thing (the claim shares most of its content words with the sentence), and the
claim's value appears nowhere in the evidence.

A sentence of several clauses ("the dryer is covered for two years; its heating element for one
year") is read clause by clause: when one clause is clearly the claim's (it holds more of the
claim's words than any other) and states the unit with another number, a claim with one figure
of that unit is refuted even though its value stands in another clause, about something else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scoring.text import CARDINALS, content_stems, stem

_SPELLED = "|".join(sorted(CARDINALS, key=len, reverse=True))
_QUANTITY = re.compile(
    r"(?P<cur>[$€£¥])?\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\b(?:" + _SPELLED + r")\b)"
    r"(?:(?:\s?|-)(?P<unit>%|percent\b|[A-Za-z]{1,12}\b))?",
    re.IGNORECASE,
)
# Clause boundaries inside a sentence: a semicolon, or a comma before a contrasting conjunction.
_CLAUSE = re.compile(r";|,\s*(?=(?:while|whereas|but|except|and)\b)|\s(?=(?:while|whereas)\b)", re.IGNORECASE)
_NOT_UNITS = frozenset(
    "and or to of the a an in on at for by with from per than more less over under up about".split()  # noqa: SIM905
)
# A claim that only bounds or approximates its number, or gives a value it may change to, does not
# contradict another figure.
_HEDGED = re.compile(
    r"\b(?:up to|at least|at most|more than|less than|over|under|about|around|approximately|nearly|almost|"
    r"roughly|between|within|or more|or less|minimum|maximum|"
    # a value it may become, not the one it has: "can be extended to 3 years"
    r"extend(?:ed|able|s)?\s+to|upgrade[ds]?\s+to|increased?\s+to|raised?\s+to)\b",
    re.IGNORECASE,
)
MIN_SHARED = 0.5  # share of the claim's content words the evidence sentence must hold


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str
    start: int
    end: int


def quantities(text: str) -> list[Quantity]:
    out: list[Quantity] = []
    for m in _QUANTITY.finditer(text):
        unit = "$" if m.group("cur") else (m.group("unit") or "")
        unit = "%" if unit.lower() in {"%", "percent"} else stem(unit.lower())
        if not unit or unit in _NOT_UNITS:
            continue
        num = m.group("num")
        spelled = CARDINALS.get(num.lower())
        if spelled is not None and m.group("cur"):
            continue  # "$ one" is not an amount
        try:
            value = float(spelled if spelled is not None else num.replace(",", ""))
        except ValueError:
            continue
        out.append(Quantity(value, unit, m.start(), m.end()))
    return out


def _clauses(sentence: str) -> list[str]:
    return [c for c in _CLAUSE.split(sentence) if c.strip()]


def _clause_of(claim_stems: set[str], sentence: str) -> str | None:
    """The clause of `sentence` that is clearly the claim's: more of its words than any other."""
    clauses = _clauses(sentence)
    if len(clauses) < 2:
        return None
    scored = sorted(((len(claim_stems & content_stems(c)), c) for c in clauses), key=lambda x: -x[0])
    return scored[0][1] if scored[0][0] > scored[1][0] else None


def contradicted_quantity(claim: str, sentence: str, evidence: str) -> Quantity | None:
    """The claim's quantity that `sentence` contradicts, if any (see the module docstring)."""
    if _HEDGED.search(claim):
        return None
    claim_stems = content_stems(claim)
    if not claim_stems or len(claim_stems & content_stems(sentence)) / len(claim_stems) < MIN_SHARED:
        return None
    stated = {(q.unit, q.value) for q in quantities(evidence)}
    own = _clause_of({s for s in claim_stems if not s.isdigit() and s not in CARDINALS}, sentence)
    own_values: dict[str, set[float]] = {}
    for q in quantities(own or ""):
        own_values.setdefault(q.unit, set()).add(q.value)
    by_unit: dict[str, set[float]] = {}
    for q in quantities(sentence):
        by_unit.setdefault(q.unit, set()).add(q.value)
    claimed = quantities(claim)
    for q in claimed:
        # Only a claim with one figure of this unit: "bake 30 minutes, then 15 more" spans clauses.
        single = sum(1 for o in claimed if o.unit == q.unit) == 1
        if single and own_values.get(q.unit) and q.value not in own_values[q.unit]:
            return q  # the claim's own clause gives this unit another number
        if (q.unit, q.value) in stated:
            continue
        if by_unit.get(q.unit, set()) - {q.value}:
            return q
    return None
