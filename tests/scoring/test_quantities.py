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
    # A unit of another dimension is no contradiction.
    assert contradicted_quantity("Refunds arrive in 5 parcels.", sentence, "Refunds arrive in 5 days.") is None
    # A value it may be changed to is not the value it has.
    ev = "The headphones are covered by a 1-year warranty."
    assert contradicted_quantity("The warranty can be extended to 3 years.", ev, ev) is None


def test_spelled_and_hyphenated_figures_are_quantities() -> None:
    got = [(q.value, q.unit) for q in quantities("A 12-month warranty, two years of updates and three seats.")]
    assert got == [(12.0, "month"), (2.0, "year"), (3.0, "seat")]
    ev = "The Team plan includes three seats."
    assert contradicted_quantity("The Team plan includes five seats.", ev, ev) is not None


def test_the_claims_own_clause_decides_when_the_sentence_has_several() -> None:
    ev = "The dryer is covered for two years; its heating element is covered for one year."
    q = contradicted_quantity("The heating element is covered for two years.", ev, ev)
    assert q is not None and (q.value, q.unit) == (2.0, "year")
    # The clause the claim is about states its figure.
    assert contradicted_quantity("The dryer is covered for two years.", ev, ev) is None
    assert contradicted_quantity("The heating element is covered for one year.", ev, ev) is None


def test_a_claim_with_several_figures_of_a_unit_is_not_read_clause_by_clause() -> None:
    ev = "Bake for 30 minutes; turn and bake 15 minutes longer."
    assert contradicted_quantity("Bake for 30 minutes, then turn and bake for another 15 minutes.", ev, ev) is None
