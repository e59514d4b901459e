"""Whether a policy allows it, compared in prose (scoring.polarity)."""

from __future__ import annotations

import pytest

from scoring.polarity import contradicted_polarity


def _check(claim: str, sentence: str) -> str | None:
    got = contradicted_polarity(claim, sentence)
    return None if got is None else claim[got.start : got.end]


@pytest.mark.parametrize(
    ("claim", "sentence", "flagged"),
    [
        ("We will refund your delivery fee.", "Delivery fees are non-refundable.", "refund"),
        ("Student tickets are transferable.", "Student tickets are not transferable.", "transferable"),
        ("The basic plan includes priority support.", "The basic plan does not include priority support.", "includes"),
        ("Sale items can be exchanged.", "Sale items cannot be exchanged.", "exchanged"),
        # A conditional permission against a flat prohibition.
        (
            "We can refund the activation fee if you cancel within a week.",
            "Activation fees are non-refundable.",
            "refund",
        ),
        # The evidence allows what the claim says is not allowed.
        ("Pets are not allowed in the cabin.", "Pets are allowed in the cabin.", "allowed"),
    ],
)
def test_a_reversed_policy_verb_is_a_contradiction(claim: str, sentence: str, flagged: str) -> None:
    assert _check(claim, sentence) == flagged


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        # Same polarity, written another way.
        ("Delivery fees are not refundable.", "Delivery fees are non-refundable."),
        ("You should avoid allowing the battery to drain.", "Don't allow the battery to drain."),
        # Another subject, not another polarity.
        ("Unopened games can be returned.", "Opened games cannot be returned."),
        # The evidence is narrower than the claim: it says nothing of the claim's case.
        ("Your booking can be cancelled.", "Bookings that have already started cannot be cancelled."),
        # A permission says nothing of the claim's special case.
        ("Delivery fees are not refunded after 30 days.", "Delivery fees are refundable."),
        # Conditions and exceptions are left to the model.
        ("Sale items can be exchanged.", "Sale items cannot be exchanged unless they are faulty."),
        # Each verb keeps its own negation: "not refundable and cannot be exchanged".
        ("Gift cards cannot be exchanged for cash.", "Gift cards are not refundable and cannot be exchanged for cash."),
    ],
)
def test_no_contradiction_when_the_polarity_agrees_or_the_subject_differs(claim: str, sentence: str) -> None:
    assert _check(claim, sentence) is None
