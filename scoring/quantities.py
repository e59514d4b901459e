"""Quantities in prose compared by value: "50 mg" against "100 mg", "$10" against "$25".

The NLI model reads "The dose is 100 mg." as entailed by "The dose is 50 mg." often enough that
a number contradiction cannot be left to it. A claim's quantity (a number with its unit: a
currency sign before it or a unit word after it) is refuted by its evidence sentence when that
sentence states the same unit with another number about the same thing (the claim shares most
of its content words with the sentence), and the claim's value appears nowhere in the evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scoring.text import content_stems, stem

_QUANTITY = re.compile(
    r"(?P<cur>[$€£¥])?\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s?(?P<unit>%|percent\b|[A-Za-z]{1,12}\b))?"
)
_NOT_UNITS = frozenset(
    "and or to of the a an in on at for by with from per than more less over under up about".split()  # noqa: SIM905
)
# A claim that only bounds or approximates its number does not contradict another figure.
_HEDGED = re.compile(
    r"\b(?:up to|at least|at most|more than|less than|over|under|about|around|approximately|nearly|almost|"
    r"roughly|between|within|or more|or less|minimum|maximum)\b",
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
        try:
            value = float(m.group("num").replace(",", ""))
        except ValueError:
            continue
        out.append(Quantity(value, unit, m.start(), m.end()))
    return out


def contradicted_quantity(claim: str, sentence: str, evidence: str) -> Quantity | None:
    """The claim's quantity that `sentence` contradicts, if any (see the module docstring)."""
    if _HEDGED.search(claim):
        return None
    claim_stems = content_stems(claim)
    if not claim_stems or len(claim_stems & content_stems(sentence)) / len(claim_stems) < MIN_SHARED:
        return None
    stated = {(q.unit, q.value) for q in quantities(evidence)}
    by_unit: dict[str, set[float]] = {}
    for q in quantities(sentence):
        by_unit.setdefault(q.unit, set()).add(q.value)
    for q in quantities(claim):
        if (q.unit, q.value) in stated:
            continue
        if by_unit.get(q.unit, set()) - {q.value}:
            return q
    return None
