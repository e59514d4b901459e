"""Pick the evidence a claim is judged against: the sentence that shares most with it, widened by
the sentences that cover what the first one lacks (up to three, in document order).

A claim written from two sentences ("The X200 ships in two days. Shipping is free.") is entailed
by neither alone; checking the pair as one window lets the verifier see both. Retrieval is
lexical (IDF-weighted content words), so it costs no model call; the verifier then judges the
chosen window. The trainer builds its premises with the same function, so the model learns on
the windows it is shown in production.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from scoring.text import content_stems


def _weights(claim: set[str], sentence_stems: Sequence[set[str]]) -> dict[str, float]:
    n = len(sentence_stems)
    return {s: math.log(1 + n / (1 + sum(1 for st in sentence_stems if s in st))) for s in claim}


def widen(
    claim: str | set[str],
    sentence_stems: Sequence[set[str]],
    *,
    max_sentences: int = 3,
    min_gain: float = 0.15,
    lengths: Sequence[int] | None = None,
    max_length: int | None = None,
) -> list[int]:
    """Indices (document order) of the sentences to check the claim against.

    The best sentence by weighted overlap first; then, while the claim still has weighted content
    the chosen sentences lack, the sentence covering most of the rest, if it adds at least
    `min_gain` of the claim's weight and the window stays within `max_length` (in the units of
    `lengths`).
    """
    if not sentence_stems:
        return []
    stems = content_stems(claim) if isinstance(claim, str) else set(claim)
    weight = _weights(stems, sentence_stems)
    total = sum(weight.values()) or 1.0

    def gain(i: int, covered: set[str]) -> float:
        return sum(weight[s] for s in (stems & sentence_stems[i]) - covered) / total

    best = max(range(len(sentence_stems)), key=lambda i: (gain(i, set()), -i))
    chosen = [best]
    covered = stems & sentence_stems[best]
    used = lengths[best] if lengths is not None else 0
    while len(chosen) < max_sentences and covered != stems:
        rest = [i for i in range(len(sentence_stems)) if i not in chosen]
        if not rest:
            break
        nxt = max(rest, key=lambda i: (gain(i, covered), -abs(i - best)))
        if gain(nxt, covered) < min_gain:
            break
        if lengths is not None and max_length is not None and used + lengths[nxt] > max_length:
            break
        chosen.append(nxt)
        covered |= stems & sentence_stems[nxt]
        used += lengths[nxt] if lengths is not None else 0
    return sorted(chosen)
