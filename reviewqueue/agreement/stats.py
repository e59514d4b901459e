"""Agreement between two raters on the same items: raw agreement and Cohen's kappa. Pure
functions over (first, second) label pairs; no Django."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


def raw_agreement(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Share of items both raters labelled the same; None with no items."""
    if not pairs:
        return None
    return sum(1 for a, b in pairs if a == b) / len(pairs)


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> float | None:
    """κ = (p_o − p_e) / (1 − p_e): observed agreement corrected for the agreement two raters
    with these label frequencies would reach by chance. None with no items; when chance
    agreement is already 1 (both raters used one and the same label throughout) κ is undefined
    and None too — 100 % raw agreement then says nothing about the rubric."""
    n = len(pairs)
    if n == 0:
        return None
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    p_o = sum(1 for a, b in pairs if a == b) / n
    p_e = sum(first[c] * second[c] for c in first.keys() | second.keys()) / (n * n)
    if p_e >= 1.0:
        return None
    return (p_o - p_e) / (1.0 - p_e)
