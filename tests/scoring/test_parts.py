"""`scoring.parts`: where a compound claim is cut into statements the verifier checks one by one."""

from __future__ import annotations

import pytest

from scoring.parts import MAX_PARTS, claim_parts


@pytest.mark.parametrize(
    ("claim", "parts"),
    [
        (
            "The beer garden out back welcomes dogs and kids, and bartender Kayla earned praise for her samples.",
            ["The beer garden out back welcomes dogs and kids", "Bartender Kayla earned praise for her samples"],
        ),
        (
            "Service can be painfully slow - one table waited over an hour for food.",
            ["Service can be painfully slow", "One table waited over an hour for food"],
        ),
        (
            "Support is open on weekdays; weekend requests are answered on Monday.",
            ["Support is open on weekdays", "Weekend requests are answered on Monday"],
        ),
        (
            "Cards are accepted (though one visitor found the reader down), and it offers takeout but no delivery.",
            ["Cards are accepted", "It offers takeout but no delivery", "One visitor found the reader down"],
        ),
    ],
)
def test_clauses_are_cut_and_their_conjunctions_dropped(claim, parts):
    assert claim_parts(claim) == parts


@pytest.mark.parametrize(
    "claim",
    [
        # One statement: a list of nouns, verbs sharing a subject, a gloss in brackets.
        "Reviewers praise the thin-skinned har gow, warm egg tarts, siu mai and fluffy char siu bao.",
        "Front desk clerk Andre apologized and moved them to a quieter room.",
        "Gel manicures cost more ($45 with a design) than the basic polish.",
        "The refund reaches your card within five business days.",
        "",
    ],
)
def test_a_single_statement_has_no_parts(claim):
    assert claim_parts(claim) == []


def test_a_fragment_stays_with_the_statement_before_it():
    """'$19' or 'so on' checked alone is no statement: it is read with the part before it."""
    assert claim_parts("The sky-high pastrami on rye is the star - $19.") == []
    assert claim_parts("Drop-off is quick and friendly, and there's a parking lot, and so on.") == [
        "Drop-off is quick and friendly",
        "There's a parking lot, so on",
    ]


def test_a_long_list_of_clauses_is_left_whole():
    claim = "; ".join(f"item {i} costs {i} dollars each" for i in range(MAX_PARTS + 1))
    assert claim_parts(claim) == []
    assert len(claim_parts("; ".join(f"item {i} costs {i} dollars each" for i in range(MAX_PARTS)))) == MAX_PARTS
