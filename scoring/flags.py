"""Which words of an unsupported claim a reviewer should read first.

A claim judged `refuted` or `insufficient` is rarely wrong as a whole: what is wrong is usually a
name, a figure, a date or a phrase inside an otherwise faithful sentence. The claim is flagged at
the first of these that finds something:

1. a value a comparator found contradicted (records, quantities, schedules, scope, polarity):
   the engine knows its offsets and flags it directly, before anything here runs;
2. the content words no evidence has at all: what the draft invented;
3. for a refuted claim, the content words, and negations, that the claim's own evidence lacks (the
   sentences its verdict was read from): a name or figure moved from elsewhere in the source, a
   "not" added;
4. nothing found: a refuted claim as a whole, for what is wrong is how its words combine; an
   insufficient claim not at all (its verdict, which the review page shows, says enough).

Invented words come first because they are wrong on their own; a word from elsewhere in the
source may be the claim's legitimate second source. That is also why steps 3 and 4 are for refuted
claims only: an insufficient claim every word of which some passage has is most often a faithful
sentence the model could not match to one window (a paraphrase, a fact drawn from two passages).
On SummEdits (the dev file whose edits give gold spans; `scoring.folds`), flagging insufficient
claims at step 2 only raised span-overlap F1 on the fit fold from 22.9 to 23.1 (bootstrap 95%
interval of the gain -0.1 to +0.6) and on the report fold from 22.0 to 23.1 (+0.8 to +1.5), with
precision up and recall nearly unchanged. Cutting insufficient claims by their support instead
(P(entail) or the best window's entailment below a cut, the least supported claims of a draft, or
drafts scored unlikely to be hallucinated) did not generalise: the best of these on the fit fold
(best entailment < 0.3, +0.5 there) lost 1.3 on the report fold.

Neighbouring flagged words are joined into one range ("a 3-year extended warranty"). Citation
markers ("Passage 2", "[1]") are never flagged: they say where the draft found it, not what it
claims.
"""

from __future__ import annotations

from collections.abc import Sequence

from scoring.claims import citation_ranges
from scoring.text import STOPWORDS, content_stems, stem, word_spans, words

Ranges = tuple[tuple[int, int], ...]

# Words that reverse what a sentence says. They are stop words for lexical overlap, so they are
# compared on their own, and only against the claim's evidence (a "not" absent from every
# passage says little; absent from the sentence the claim restates, it reverses it).
NEGATIONS = frozenset({"not", "no", "never", "none", "nor", "neither", "nothing", "nobody", "without", "cannot"})

# Two flagged words at most this many words apart are one range: "a 3-year extended warranty"
# reads as one phrase, not as three words.
MAX_GAP = 2


def _is_negation(word: str) -> bool:
    return word in NEGATIONS or word.endswith(("n't", "n’t"))


def _negations(text: str) -> set[str]:
    """The negations in `text`, "doesn't" and "does not" alike (as "not")."""
    return {"not" if w.endswith(("n't", "n’t")) else w for w in words(text) if _is_negation(w)}


def unsupported_ranges(
    text: str,
    known_stems: set[str] | frozenset[str],
    *,
    known_negations: set[str] | None = None,
    skip: Sequence[tuple[int, int]] = (),
) -> Ranges:
    """Ranges of `text` holding content words whose stem is not in `known_stems`, neighbours
    joined; with `known_negations`, also its negations that set lacks. Words inside `skip`
    (citation markers) are never flagged."""
    spans = word_spans(text)
    flagged: list[int] = []
    for i, (a, b) in enumerate(spans):
        if any(s <= a < e for s, e in skip):
            continue
        w = text[a:b].lower()
        if _is_negation(w):
            if known_negations is not None and ("not" if w.endswith(("n't", "n’t")) else w) not in known_negations:
                flagged.append(i)
        elif w not in STOPWORDS and (len(w) > 1 or w.isdigit()) and stem(w) not in known_stems:
            flagged.append(i)
    ranges: list[tuple[int, int]] = []
    last = -MAX_GAP - 2
    for i in flagged:
        a, b = spans[i]
        if ranges and i - last <= MAX_GAP + 1:
            ranges[-1] = (ranges[-1][0], b)
        else:
            ranges.append((a, b))
        last = i
    return tuple(ranges)


def claim_flags(text: str, evidence_stems: set[str] | frozenset[str], window: str | None, *, refuted: bool) -> Ranges:
    """The part of an unsupported claim to read first, as offsets into `text` (steps 2-4 above):
    the words no evidence has; for a `refuted` claim, else the words and negations `window` (the
    text of its own evidence) lacks. () means the whole claim when refuted, nothing otherwise
    (`ScoreResult.flagged_spans`)."""
    skip = citation_ranges(text)
    invented = unsupported_ranges(text, evidence_stems, skip=skip)
    if invented or not refuted or window is None:
        return invented
    return unsupported_ranges(text, content_stems(window), known_negations=_negations(window), skip=skip)
