"""Negated claims against negated or plain evidence sentences (scoring.negation)."""

from __future__ import annotations

import pytest

from scoring.confirmations import confirmed
from scoring.negation import agreed_negation, denies_another_thing, reversed_negation


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        # another verb for the same predicate, other modal verbs
        ("Sorry, we can't deliver to a military address.", "We do not ship to military addresses."),
        # a negated "or" list denies each item alone
        ("We don't deliver to pickup points.", "We do not deliver to lockers or pickup points."),
        ("We don't deliver to lockers.", "We do not deliver to lockers or pickup points."),
        # "no longer" against "cannot", the same words otherwise
        ("Archived projects can no longer be edited.", "Archived projects cannot be edited."),
        # "free of charge" is a charge negated
        ("Setup is free of charge.", "We do not charge for setup."),
        ("Customers are never charged for setup.", "Setup is done at no cost."),
    ],
)
def test_the_same_negated_predicate_agrees(claim: str, sentence: str) -> None:
    assert agreed_negation(claim, sentence)
    assert confirmed(claim, sentence)


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        # another predicate of the same subject
        ("Archived projects cannot be deleted.", "Archived projects cannot be edited or shared."),
        # an exception or a condition changes what the negation covers
        ("Archived projects cannot be edited.", "Archived projects cannot be edited unless an admin unlocks them."),
        ("Only archived projects cannot be edited.", "Archived projects cannot be edited."),
        # twice negated is plain; plain against negated is not agreement
        ("It is not true that archived projects cannot be edited.", "Archived projects cannot be edited."),
        ("Archived projects can be edited.", "Archived projects cannot be edited."),
        # another order in time
        ("Orders cannot be cancelled before they ship.", "Orders cannot be cancelled after they ship."),
    ],
)
def test_no_agreement_otherwise(claim: str, sentence: str) -> None:
    assert not agreed_negation(claim, sentence)


@pytest.mark.parametrize(
    ("claim", "sentence", "flagged"),
    [
        ("Yes, we can ship your parcel to a military address.", "We do not ship to military addresses.", "ship"),
        ("We charge a fee for setup.", "Setup is free of charge.", "charge"),
        ("Archived projects cannot be edited.", "Archived projects can be edited by their owner.", "cannot"),
        ("We deliver to pickup points.", "We do not deliver to lockers or pickup points.", "deliver"),
        # "without any charge" is "free", and "not free" is charged
        (
            "You can repay your car loan early without any charge.",
            "Early repayment of a car loan is not free: a charge of 1% applies.",
            "charge",
        ),
    ],
)
def test_a_reversed_negation_is_a_contradiction(claim: str, sentence: str, flagged: str) -> None:
    found = reversed_negation(claim, sentence)
    assert found is not None
    assert claim[found.start : found.end] == flagged


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        # a word that negates without a cue says what the cue says
        ("The router comes without a power adapter.", "A power adapter is not included with the router."),
        ("Setup is free of charge.", "We do not charge for setup."),
        ("Feel free to charge your phone in the lounge.", "Phones cannot be charged in the lounge."),
        # opposite words: another subject, not another polarity
        ("Unopened items can be returned.", "Opened items cannot be returned."),
        # another predicate, a condition, a figure
        ("Archived projects can be viewed.", "Archived projects cannot be edited."),
        ("Archived projects can be edited by admins only.", "Archived projects cannot be edited."),
        ("Orders over 30 kg can be shipped.", "Orders over 30 kg cannot be shipped."),
        # the same polarity
        ("Archived projects cannot be edited.", "Archived projects cannot be edited."),
    ],
)
def test_no_reversal_otherwise(claim: str, sentence: str) -> None:
    assert reversed_negation(claim, sentence) is None


@pytest.mark.parametrize(
    ("claim", "sentence", "another"),
    [
        # each side has two words the other lacks: a negation of another thing
        (
            "The web app exports invoices to spreadsheets.",
            "The mobile app does not export receipts to PDF files.",
            True,
        ),
        # the claim says all the sentence denies, and more: still a refutation
        (
            "The mobile app exports receipts to PDF files every week.",
            "The mobile app does not export receipts to PDF files.",
            False,
        ),
        # a negated claim, a plain sentence: not this rule's (a summary that inserts a negation
        # says more than its source, in words the source lacks: on SummEdits' fit fold reading it
        # as another thing kept 26 of its 121 refuted bad summaries from being refuted)
        (
            "The web app does not export invoices to spreadsheets.",
            "The mobile app exports receipts to PDF files.",
            False,
        ),
    ],
)
def test_a_negation_of_another_thing(claim: str, sentence: str, another: bool) -> None:
    assert denies_another_thing(claim, sentence) is another
