"""A claim confirmed by its evidence sentence's typed values (scoring.confirmations)."""

from __future__ import annotations

import pytest

from scoring.confirmations import confirmed, unstated_value


@pytest.mark.parametrize(
    ("claim", "sentence", "expected"),
    [
        # figures
        ("Delivery is free on orders over £40.", "Orders over £40 get free delivery.", True),
        ("Your data is kept for 24 months.", "Your data is kept for two years.", True),
        # days
        ("The clinic is open on Wednesdays.", "The clinic is open Monday to Friday.", True),
        # policy verb
        ("We're unable to refund gift wrapping.", "Gift wrapping is non-refundable.", True),
        # negation on one side only: never confirmed, whatever the figures
        ("Orders over £40 do not get free delivery.", "Orders over £40 get free delivery.", False),
        # another figure, another subject, nothing typed
        ("Your data is kept for 6 months.", "Your data is kept for two years.", False),
        ("Invoices are kept for two years.", "Your data is kept for two years.", False),
        ("The clinic has a pharmacy.", "The clinic is open Monday to Friday.", False),
    ],
)
def test_confirmed(claim: str, sentence: str, expected: bool) -> None:
    assert confirmed(claim, sentence) is expected


@pytest.mark.parametrize(
    ("claim", "evidence", "unstated"),
    [
        # a figure no evidence gives, in a unit that converts
        ("Priority chat answers within two minutes.", "Priority chat is for Enterprise customers only.", True),
        ("Refunds take 10 days.", "Refunds take 3 to 5 days.", True),
        # a figure the evidence admits, converted or bounded
        ("Your data is kept for 24 months.", "Your data is kept for two years.", False),
        ("An order of $75 ships free.", "Orders over $50 ship free.", False),
        # a figure in a unit that does not convert is not read ("3 seats")
        ("The plan has 3 seats.", "The plan is for small teams.", False),
        # a day outside every schedule the evidence gives
        ("Our email team replies on Saturdays.", "Our phone lines are open Monday through Friday.", True),
        ("Deliveries take place on Sundays.", "Deliveries are made seven days a week.", False),
        # a claim that negates, or evidence with no days, is left alone
        ("The desk is not staffed on Saturdays.", "The desk is open Monday to Friday.", False),
        ("The desk replies on Saturdays.", "The desk answers every message.", False),
    ],
)
def test_unstated_value(claim: str, evidence: str, unstated: bool) -> None:
    assert unstated_value(claim, evidence) is unstated
