"""`scoring.elapsed`: how long ago against how long a policy's window lasts."""

from __future__ import annotations

import pytest

from scoring.elapsed import elapsed_check

RETURNS = "Returns must be made within 30 days of delivery."
PARTS = "Volt e-bikes come with a 5-year warranty on the frame and a 2-year warranty on the battery and motor."


@pytest.mark.parametrize(
    ("claim", "sentence", "holds", "elapsed"),
    [
        ("Since your order arrived 12 days ago, you're still within the return window.", RETURNS, True, "12 days"),
        ("Since your order arrived 45 days ago, you're still within the return window.", RETURNS, False, "45 days"),
        ("Your order arrived 45 days ago, so it's outside the return window.", RETURNS, True, "45 days"),
        ("Your order arrived 12 days ago, so it's too late to return it.", RETURNS, False, "12 days"),
        # The part's own window, not the product's.
        ("Your battery is three years old, but it's still covered under the warranty.", PARTS, False, "three years"),
        ("Your frame is three years old, and it's still covered.", PARTS, True, "three years"),
        ("The motor failed after 18 months, so it's still under warranty.", PARTS, True, "18 months"),
    ],
)
def test_the_window_applied_to_the_customers_case(claim: str, sentence: str, holds: bool, elapsed: str) -> None:
    check = elapsed_check(claim, sentence)
    assert check is not None and check.holds is holds
    assert claim[check.start : check.end] == elapsed


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        ("You can return it within 30 days.", RETURNS),  # no elapsed time: the window restated
        ("Your order arrived 12 days ago.", RETURNS),  # neither inside nor outside said
        ("After 30 days, you can no longer get a refund.", "Annual plans are non-refundable after the first 30 days."),
        ("Since you bought it 10 days ago, it's still covered.", "Covered for 1 year, or 2 years with Plus."),
    ],
)
def test_no_window_applied(claim: str, sentence: str) -> None:
    assert elapsed_check(claim, sentence) is None
