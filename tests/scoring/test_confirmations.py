"""A claim confirmed by its evidence sentence's typed values (scoring.confirmations)."""

from __future__ import annotations

import pytest

from scoring.confirmations import confirmed


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
