"""The shared negation, condition and restriction words (scoring.cues)."""

from __future__ import annotations

import pytest

from scoring.cues import LIGHT, negation_pattern


@pytest.mark.parametrize(
    ("text", "negates"),
    [
        ("Opened items cannot be returned.", True),
        ("We can’t refund event tickets.", True),
        ("Nothing is refunded after 30 days.", True),
        ("Booking fees are non-refundable.", True),
        # Widening and bounding words are no negation.
        ("Every member gets a voucher, whether or not they have bought anything.", False),
        ("Delivery is free no matter the order value.", False),
        ("Shipping takes no more than five business days.", False),
        ("Check in not later than two hours before departure.", False),
        # Nor is a word that only begins like one.
        ("Nonetheless, the fee applies.", False),
    ],
)
def test_negation_cues(text: str, negates: bool) -> None:
    assert bool(negation_pattern().search(text)) is negates


def test_callers_add_their_own_words_and_may_leave_the_prefix_out() -> None:
    closed = negation_pattern("closed", prefix=False)
    assert closed.search("The branch is closed on Sundays.")
    assert not closed.search("Non-members pay a fee.")


def test_light_words_keep_a_contraction_whole() -> None:
    assert "can't" in LIGHT.sub(" ", "Unfortunately we can't refund tickets.")
    assert "can " not in LIGHT.sub(" ", "You can get a refund.")
