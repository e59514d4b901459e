import pytest

from scoring.refutation import contradiction_holds, polarity_marks


@pytest.mark.parametrize(
    ("text", "marks"),
    [
        ("Refunds take 14 days.", set()),
        ("Refunds don't take 14 days.", {"negated"}),
        ("Setup fees are non-refundable.", {"negated"}),
        ("Gift cards are nontransferable.", {"negated"}),
        ("Non-GAAP earnings per share were $1.40.", set()),
        ("Members can no longer freeze their membership.", {"negated"}),
        ("The voucher comes without an expiry date.", {"negated"}),
        ("Priority support is for Enterprise customers only.", {"restricted"}),
        ("Returns are accepted, except on clearance items.", {"restricted"}),
        ("Only unopened items cannot be returned.", {"negated", "restricted"}),
        # Words that merely begin like a cue are not cues.
        ("Nonetheless the notice period is a month; nothingness aside.", set()),
    ],
)
def test_polarity_marks(text, marks):
    assert polarity_marks(text) == marks


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        (
            "You can export any report to PDF from the mobile app.",
            "The mobile app does not support exporting reports to PDF.",
        ),
        ("Annual subscriptions are non-refundable.", "Annual subscriptions can be refunded in full within 30 days."),
        (
            "Orders shipped to Hawaii also qualify for free returns.",
            "Free returns apply only to the continental United States.",
        ),
    ],
)
def test_a_contradiction_across_a_polarity_difference_holds(claim, evidence):
    assert contradiction_holds(claim, evidence)


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        # A close paraphrase the model reads as contradicting its window.
        (
            "Some place names come from the people who inhabit or once inhabited the land.",
            "Some place names simply come from the people who inhabit the land.",
        ),
        # Look-alikes: the same kind of statement about another thing is not a refutation.
        ("Same-day delivery is available in Birmingham.", "Same-day delivery is available in London and Manchester."),
        ("We do not ship to Hawaii.", "We do not ship to PO boxes."),
    ],
)
def test_a_contradiction_without_a_polarity_difference_does_not_hold(claim, evidence):
    assert not contradiction_holds(claim, evidence)
