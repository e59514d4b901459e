"""Pick the evidence a claim is judged against: the sentence that shares most with it, widened by
the sentences that cover what the first one lacks (up to three, in document order).

A claim written from two sentences ("The X200 ships in two days. Shipping is free.") is entailed
by neither alone; checking the pair as one window lets the verifier see both. Retrieval is
lexical (IDF-weighted content words), so it costs no model call; the verifier then judges the
chosen window. The trainer builds its premises with the same function, so the model learns on
the windows it is shown in production.

A sentence longer than the model's window is cut into pieces (`scoring.verifier`); a claim drawn
from such a sentence is then read against a piece that ends mid-clause ("Although Microsoft has
released two patches, with a third coming in September, the security"), which the model calls
neutral or even contradicting. So the pieces of the best one's sentence come first, whatever
they add lexically: the trainer's premises are whole sentences too.
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
    cut_from: Sequence[frozenset[int]] | None = None,
) -> list[int]:
    """Indices (document order) of the sentences to check the claim against.

    The best sentence by weighted overlap first; then, while the claim still has weighted content
    the chosen sentences lack, the sentence covering most of the rest, if it adds at least
    `min_gain` of the claim's weight and the window stays within `max_length` (in the units of
    `lengths`). With `cut_from` (for each sentence, the ids of the cut sentences it holds a piece
    of), the other pieces of the best one's cut sentences are taken first, most gain first, as
    far as `max_sentences` and `max_length` allow.
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

    def fits(i: int) -> bool:
        return lengths is None or max_length is None or used + lengths[i] <= max_length

    if cut_from is not None and cut_from[best]:
        pieces = [i for i in range(len(sentence_stems)) if i != best and cut_from[i] & cut_from[best]]
        for i in sorted(pieces, key=lambda i: (-gain(i, covered), abs(i - best))):
            if len(chosen) >= max_sentences:
                break
            if fits(i):
                chosen.append(i)
                covered |= stems & sentence_stems[i]
                used += lengths[i] if lengths is not None else 0
    while len(chosen) < max_sentences and covered != stems:
        rest = [i for i in range(len(sentence_stems)) if i not in chosen]
        if not rest:
            break
        nxt = max(rest, key=lambda i: (gain(i, covered), -abs(i - best)))
        if gain(nxt, covered) < min_gain:
            break
        if not fits(nxt):
            break
        chosen.append(nxt)
        covered |= stems & sentence_stems[nxt]
        used += lengths[nxt] if lengths is not None else 0
    return sorted(chosen)
