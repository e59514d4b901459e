"""Whether a policy allows it, compared in prose (scoring.polarity)."""

from __future__ import annotations

import pytest

from scoring.polarity import agreed_polarity, contradicted_polarity


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


def test_the_verbs_own_clause_is_compared() -> None:
    sentence = "A voucher can't be exchanged for a refund, and its balance can't be paid out in cash."
    assert _check("You can get a full refund on an unused voucher.", sentence) == "refund"


def test_a_negation_reaches_across_light_verbs_and_pronouns() -> None:
    sentence = "A voucher can't be exchanged for a refund, and its balance can't be paid out in cash."
    # "unable to give you a cash refund" negates the refund, as the sentence does.
    assert _check("We're unable to give you a cash refund for a voucher.", sentence) is None
    assert _check("We can give you a cash refund for a voucher.", sentence) == "refund"


def test_an_adjective_naming_a_kind_is_not_the_policy() -> None:
    sentence = "Non-refundable tickets are not refunded if you cancel; only airport taxes can be reclaimed."
    # "a non-refundable ticket" names the ticket; "gets you ... back" is the refund the claim states.
    assert _check("Cancelling a non-refundable ticket gets you the full price back.", sentence) == "price back"
    assert _check("Cancelling a non-refundable ticket does not get you the price back.", sentence) is None


def test_a_condition_the_claim_shares_narrows_nothing() -> None:
    sentence = "Gift cards cannot be exchanged once they have been activated."
    assert _check("You can still exchange a gift card after activating it.", sentence) == "exchange"
    # Another order in time: the claim's case is not the sentence's.
    assert _check("You can exchange a gift card before activating it.", sentence) is None


def test_a_universal_claim_is_refuted_by_one_case_otherwise() -> None:
    sentence = "Memberships cancelled within 14 days of joining are refunded in full."
    assert _check("Memberships are never refunded.", sentence) == "refunded"
    # Its subject is enough, whatever condition it adds.
    assert _check("Memberships are never refunded once the card has been charged.", sentence) == "refunded"
    assert (
        _check(
            "Memberships are never refunded before the first visit.", "Memberships are refunded after the first visit."
        )
        is None
    )
    # Without the universal, the narrower sentence says nothing of the claim's case.
    assert _check("Memberships bought with vouchers are not refunded.", sentence) is None


def test_changes_are_a_policy_verb() -> None:
    assert _check("You can change the date of a saver ticket.", "Saver tickets do not allow changes.") == "change"


@pytest.mark.parametrize(
    ("claim", "sentence", "agreed"),
    [
        ("Unfortunately we can't refund concert tickets.", "Concert tickets are non-refundable.", True),
        ("The setup fee isn't refundable.", "Setup fees cannot be refunded under any circumstances.", True),
        ("Opened games are not returnable.", "Opened games cannot be returned.", True),
        # A verb coordinated with the claim's holds on its own; the claim need not speak of it.
        (
            "Since gift cards are non-refundable, we cannot refund your gift card.",
            "Gift cards cannot be refunded or exchanged for cash.",
            True,
        ),
        (
            "Concert tickets are not transferable to friends.",
            "Concert tickets are non-refundable and non-transferable to friends.",
            True,
        ),
        # Opposite polarity, a condition, another subject, a narrower sentence: not agreed.
        ("You can refund concert tickets.", "Concert tickets are non-refundable.", False),
        ("Tickets are refunded unless the show has started.", "Tickets are refunded.", False),
        ("Parking fees are non-refundable.", "Concert tickets are non-refundable.", False),
        ("Annual plans are non-refundable.", "Annual plans are non-refundable after the first 30 days.", False),
        # A coordinated verb the claim does speak of stays, and must agree.
        ("You can exchange gift cards for cash.", "Gift cards cannot be refunded or exchanged for cash.", False),
    ],
)
def test_agreed_polarity(claim: str, sentence: str, agreed: bool) -> None:
    assert agreed_polarity(claim, sentence) is agreed
