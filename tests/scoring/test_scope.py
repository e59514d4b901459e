"""Who a rule applies to, compared in prose (scoring.scope)."""

from __future__ import annotations

import pytest

from scoring.scope import contradicted_scope


def _check(claim: str, sentence: str, evidence: str | None = None) -> str | None:
    got = contradicted_scope(claim, sentence, sentence if evidence is None else evidence)
    return None if got is None else claim[got.start : got.end]


@pytest.mark.parametrize(
    ("claim", "sentence", "flagged"),
    [
        # Widened with a universal quantifier.
        ("Every subscriber gets the offline mode.", "Offline mode is reserved for Premium subscribers.", "Every"),
        ("Anyone can book the meeting rooms.", "Meeting rooms can be booked by Business plan members only.", "Anyone"),
        (
            "Gift wrapping is free regardless of the order value.",
            "Gift wrapping is free only on orders over $75.",
            "regardless of",
        ),
        # Handed to another group of the same kind.
        (
            "Silver cardholders get airport lounge access.",
            "Airport lounge access is limited to Gold cardholders.",
            "Silver",
        ),
        ("The Starter plan includes the API.", "The API is included on the Team plan only.", "Starter"),
        (
            "Economy passengers can choose a seat for free.",
            "Free seat selection is available exclusively to First class passengers.",
            "Economy",
        ),
        # "Whether or not" widens; it does not negate.
        (
            "Every subscriber gets a welcome gift, whether or not they have paid.",
            "The welcome gift is sent only to subscribers who have renewed at least once.",
            "Every",
        ),
        # "Also" hands the rule to what the restriction leaves out.
        (
            "The 45-day price guarantee also covers marketplace orders.",
            "The 45-day price guarantee covers orders shipped by us only.",
            "also",
        ),
        # An "X-only" feature, and a feature handed to named groups, are restricted to them.
        ("Single sign-on is available on the Starter plan.", "Single sign-on is a Business-only feature.", "Starter"),
        (
            "Phone support is included with the Basic plan.",
            "Phone support is available to Premium and Enterprise subscribers.",
            "Basic",
        ),
    ],
)
def test_a_widened_or_moved_restriction_is_a_contradiction(claim: str, sentence: str, flagged: str) -> None:
    assert _check(claim, sentence) == flagged


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        # The claim keeps the restriction.
        ("Premium subscribers get the offline mode.", "Offline mode is reserved for Premium subscribers."),
        ("Any order over $75 gets free gift wrapping.", "Gift wrapping is free only on orders over $75."),
        ("All Gold cardholders get airport lounge access.", "Airport lounge access is limited to Gold cardholders."),
        # The sentence restricts nothing.
        ("All passengers need a boarding pass.", "Passengers need a boarding pass to board."),
        # The claim restricts or negates: left to the model.
        ("Only Gold cardholders get lounge access.", "Airport lounge access is limited to Gold cardholders."),
        ("Silver cardholders do not get lounge access.", "Airport lounge access is limited to Gold cardholders."),
        # A group word without a group noun ("business days") is no group.
        ("Refunds take five business days.", "Refunds are issued only to the original card within five days."),
        # About something else.
        ("Every order ships in recycled packaging.", "Airport lounge access is limited to Gold cardholders."),
        # "Also" that keeps the restriction.
        (
            "The price guarantee also covers orders shipped by us.",
            "The price guarantee covers orders shipped by us only.",
        ),
        # Named groups widened with a universal word: without "only" the sentence may not list
        # every group, so only another group of the kind is read as moved.
        ("All plans include phone support.", "Phone support is available to Premium and Enterprise subscribers."),
    ],
)
def test_no_contradiction_when_the_restriction_holds(claim: str, sentence: str) -> None:
    assert _check(claim, sentence) is None


def test_a_group_the_evidence_mentions_is_left_to_the_model() -> None:
    # Another passage states the Silver terms: the best sentence alone does not decide.
    sentence = "Airport lounge access is limited to Gold cardholders."
    evidence = sentence + " Silver cardholders get two lounge passes a year."
    assert _check("Silver cardholders get airport lounge access.", sentence, evidence) is None
