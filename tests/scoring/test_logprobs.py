from __future__ import annotations

import math

import pytest

from scoring.inputs import TokenLogprobs
from scoring.logprobs import align_tokens, compute_logprob_signals, seq_logprob

SEED_VALUES = [-0.25, -0.1, -0.15, -0.3, -0.2, -0.05]


def lp(tokens, values, top=None):
    return TokenLogprobs(tuple(tokens), tuple(values), top)


def test_seq_logprob_of_the_seed_example_is_minus_0_175():
    assert seq_logprob(SEED_VALUES) == pytest.approx(-0.175)
    tokens = ["the", " boy", " went", " to", " the", " playground"]
    s = compute_logprob_signals("the boy went to the playground", lp(tokens, SEED_VALUES))
    assert s.seq_logprob == pytest.approx(-0.175)
    assert s.min_logprob == pytest.approx(-0.3)
    assert s.n_counted == 6
    assert s.aligned


def test_share_below_floor():
    tokens = ["a", " b", " c", " d"]
    s = compute_logprob_signals("a b c d", lp(tokens, [-0.1, -3.0, -2.0, -5.0]), floor=math.log(0.1))
    # -3.0 and -5.0 are below log(0.1) = -2.303; -2.0 is not.
    assert s.share_below_floor == pytest.approx(0.5)


def test_whitespace_punctuation_and_special_tokens_do_not_count():
    tokens = ["the", " boy", " went", " to", " the", " playground", ".", "\n\n", "<|endoftext|>"]
    values = [*SEED_VALUES, -0.0001, -0.0, -0.0]
    s = compute_logprob_signals("the boy went to the playground.\n\n<|endoftext|>", lp(tokens, values))
    assert s.seq_logprob == pytest.approx(-0.175)
    assert s.n_tokens == 9 and s.n_counted == 6


def test_boilerplate_tokens_do_not_inflate_the_score():
    draft = "Paris is big. I hope this helps!"
    tokens = ["Paris", " is", " big", ".", " I", " hope", " this", " helps", "!"]
    values = [-1.0, -1.0, -1.0, 0.0, -0.01, -0.01, -0.01, -0.01, 0.0]
    s = compute_logprob_signals(draft, lp(tokens, values))
    assert s.seq_logprob == pytest.approx(-1.0)


def test_entropy_and_margin_from_top_logprobs():
    # Alternatives p = 0.5, 0.25, 0.25 → entropy = 1.5 ln 2, margin = 0.25.
    top = (
        (("a", math.log(0.5)), ("b", math.log(0.25)), ("c", math.log(0.25))),
        None,
    )
    s = compute_logprob_signals("a d", lp(["a", " d"], [math.log(0.5), -0.1], top))
    assert s.mean_entropy == pytest.approx(1.5 * math.log(2))
    assert s.mean_margin == pytest.approx(0.25)


def test_top_logprobs_are_renormalised_over_the_given_alternatives():
    # Two alternatives with p = 0.3 and 0.3: renormalised 0.5/0.5 → entropy ln 2, margin 0.
    top = ((("x", math.log(0.3)), ("y", math.log(0.3))),)
    s = compute_logprob_signals("x", lp(["x"], [math.log(0.3)], top))
    assert s.mean_entropy == pytest.approx(math.log(2))
    assert s.mean_margin == pytest.approx(0.0)


def test_sentence_averages_are_aligned_to_character_offsets():
    draft = "Cats purr. Dogs bark loudly."
    tokens = ["Cats", " purr", ".", " Dogs", " bark", " loudly", "."]
    values = [-0.2, -0.4, 0.0, -1.0, -2.0, -3.0, 0.0]
    s = compute_logprob_signals(draft, lp(tokens, values))
    assert [(x.start, x.end) for x in s.sentences] == [(0, 10), (11, 28)]
    assert draft[s.sentences[0].start : s.sentences[0].end] == "Cats purr."
    assert s.sentences[0].mean_logprob == pytest.approx(-0.3)
    assert s.sentences[1].mean_logprob == pytest.approx(-2.0)
    assert s.sentences[1].n_tokens == 3


def test_low_confidence_spans_merge_adjacent_tokens_and_skip_the_leading_space():
    draft = "The fee is forty two dollars."
    tokens = ["The", " fee", " is", " forty", " two", " dollars", "."]
    values = [-0.1, -0.1, -0.1, -4.0, -3.5, -0.2, 0.0]
    s = compute_logprob_signals(draft, lp(tokens, values))
    assert s.low_confidence_spans == ((11, 20),)
    assert draft[11:20] == "forty two"


def test_alignment_tolerates_tokens_that_do_not_concatenate_to_the_draft():
    offsets, exact = align_tokens("Hello world", ("Hello", "world", "zzz"))
    assert offsets[0] == (0, 5)
    assert offsets[1] == (6, 11)
    assert offsets[2] is None
    assert not exact


def test_no_countable_tokens_gives_none_not_a_crash():
    s = compute_logprob_signals("  ", lp([" ", " "], [-0.1, -0.2]))
    assert s.seq_logprob is None and s.min_logprob is None and s.share_below_floor is None


def test_signals_round_trip_through_dict():
    from scoring.logprobs import LogprobSignals

    s = compute_logprob_signals("a b. c", lp(["a", " b", ".", " c"], [-0.1, -3.0, 0.0, -0.5]))
    assert LogprobSignals.from_dict(s.to_dict()) == s
