"""Quantities in prose compared by value."""

from __future__ import annotations

from scoring.quantities import contradicted_quantity, quantities


def test_quantities_carry_their_unit() -> None:
    got = [(q.value, q.unit) for q in quantities("Take 50 mg twice; it costs $1,200 or 15% off, within 14 days.")]
    assert got == [(50.0, "mg"), (1200.0, "$"), (15.0, "%"), (14.0, "day")]


def test_another_figure_for_the_same_thing_is_a_contradiction() -> None:
    ev = "The recommended dose is 50 mg once a day."
    q = contradicted_quantity("The recommended dose is 100 mg once a day.", ev, ev)
    assert q is not None and (q.value, q.unit) == (100.0, "mg")
    plan = "The Basic plan costs $10 per month."
    assert contradicted_quantity("The Basic plan costs $25 per month.", plan, plan) is not None


def test_no_contradiction_when_the_value_is_stated_bounded_or_about_something_else() -> None:
    ev = "Returns are accepted within 30 days. Refunds arrive in 5 days."
    sentence = "Refunds arrive in 5 days."
    # The claim's value is stated elsewhere in the evidence.
    assert contradicted_quantity("Refunds arrive in 30 days.", sentence, ev) is None
    # A bound is not a figure.
    assert contradicted_quantity("Refunds arrive in up to 7 days.", sentence, "Refunds arrive in 5 days.") is None
    # The sentence is about something else.
    assert contradicted_quantity("Shipping to Canada takes 9 days.", sentence, "Refunds arrive in 5 days.") is None
    # Another unit is no contradiction.
    assert contradicted_quantity("Refunds arrive in 5 hours.", sentence, "Refunds arrive in 5 days.") is None
