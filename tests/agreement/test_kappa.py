"""Cohen's kappa and raw agreement: a hand-computed example, scikit-learn on random data, and
the edges (no items, one label only)."""

from __future__ import annotations

import random

import pytest
from sklearn.metrics import cohen_kappa_score

from reviewqueue.agreement.stats import cohen_kappa, raw_agreement

# 10 drafts: both good 4, both bad 3, first good / second bad 2, first bad / second good 1.
HAND = [("good", "good")] * 4 + [("bad", "bad")] * 3 + [("good", "bad")] * 2 + [("bad", "good")]


def test_hand_computed_example() -> None:
    # p_o = 7/10 = 0.7. First rater: good 6, bad 4; second: good 5, bad 5.
    # p_e = (6·5 + 4·5) / 10² = 0.5, so κ = (0.7 − 0.5) / (1 − 0.5) = 0.4.
    assert raw_agreement(HAND) == pytest.approx(0.7)
    assert cohen_kappa(HAND) == pytest.approx(0.4)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("labels", [("good", "bad"), ("approved", "edited", "rejected")])
def test_matches_scikit_learn(seed: int, labels: tuple[str, ...]) -> None:
    rng = random.Random(seed)
    pairs = []
    for _ in range(rng.randint(5, 60)):
        a = rng.choice(labels)
        # Agree more often than chance, so κ is away from 0 in both directions across seeds.
        b = a if rng.random() < 0.6 else rng.choice(labels)
        pairs.append((a, b))
    first, second = zip(*pairs, strict=True)
    assert cohen_kappa(pairs) == pytest.approx(cohen_kappa_score(first, second))


def test_perfect_and_systematic_disagreement() -> None:
    assert cohen_kappa([("good", "good"), ("bad", "bad")]) == pytest.approx(1.0)
    assert cohen_kappa([("good", "bad"), ("bad", "good")]) == pytest.approx(-1.0)


def test_no_items_and_one_label_only_are_undefined() -> None:
    assert raw_agreement([]) is None and cohen_kappa([]) is None
    # 100 % raw agreement on one label says nothing about the rubric: κ is undefined, not 1.
    assert raw_agreement([("good", "good")] * 3) == 1.0
    assert cohen_kappa([("good", "good")] * 3) is None
