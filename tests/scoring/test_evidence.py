"""Choosing a claim's evidence window (scoring.evidence.widen)."""

from __future__ import annotations

from scoring.evidence import widen
from scoring.text import content_stems

SENTENCES = [
    "Although Microsoft has released two patches, with a third coming in September, the security",
    "researchers who first discovered the leak believe it will be nearly impossible to fix it.",
    "Microsoft patched Secure Boot in two updates released this summer.",
]
CLAIM = "Microsoft has released two patches, with a third coming in September."


def stems() -> list[set[str]]:
    return [content_stems(s) for s in SENTENCES]


def test_the_best_sentence_alone_when_the_rest_adds_too_little():
    assert widen(CLAIM, stems(), min_gain=0.25) == [0]


def test_the_rest_of_a_cut_sentence_comes_with_its_first_piece_whatever_it_adds():
    cut = [frozenset({7}), frozenset({7}), frozenset()]
    assert widen(CLAIM, stems(), min_gain=0.25, cut_from=cut) == [0, 1]


def test_the_pieces_of_a_cut_sentence_stay_within_the_length_budget():
    cut = [frozenset({7}), frozenset({7}), frozenset()]
    lengths = [len(s) for s in SENTENCES]
    assert widen(CLAIM, stems(), cut_from=cut, lengths=lengths, max_length=lengths[0] + 10) == [0]
    assert widen(CLAIM, stems(), cut_from=cut, max_sentences=1) == [0]


def test_a_whole_best_sentence_takes_no_piece_of_another():
    # The best sentence (0) is whole; sentence 1 is a piece of some other cut sentence.
    cut = [frozenset(), frozenset({3}), frozenset({3})]
    assert widen(CLAIM, stems(), min_gain=0.25, cut_from=cut) == [0]
