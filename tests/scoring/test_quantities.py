"""Quantities in prose compared by value."""

from __future__ import annotations

from scoring.quantities import Quantity, confirmed_quantities, contradicted_quantity, quantities, unstated_quantity


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


def test_compound_spelled_figures_are_one_value() -> None:
    text = "Up to five hundred dollars, twenty-five seats, two thousand five hundred and ten points, a $2 million fund."
    got = [(q.value, q.unit) for q in quantities(text)]
    assert got == [(500.0, "$"), (25.0, "seat"), (2510.0, "point"), (2_000_000.0, "$")]
    ev = "Each member may bring twenty-five guests."
    assert contradicted_quantity("Each member may bring twenty-two guests.", ev, ev) is not None
    assert contradicted_quantity("Each member may bring 25 guests.", ev, ev) is None


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


def test_units_of_one_dimension_convert() -> None:
    ev = "Customers can cancel free of charge up to 48 hours before check-in."
    assert contradicted_quantity("Cancelling two days before check-in is free of charge.", ev, ev) is None
    ev = "Refunds arrive in 5 days."
    q = contradicted_quantity("Refunds arrive in 5 hours.", ev, ev)
    assert q is not None and q.unit == "hour"
    ev = "The blender has a warranty of two years."
    assert contradicted_quantity("The blender has a warranty of 24 months.", ev, ev) is None
    assert contradicted_quantity("The blender has a warranty of 18 months.", ev, ev) is not None
    assert [(q.value, q.unit) for q in quantities("It costs 1200 USD.")] == [(1200.0, "$")]


def test_a_figure_carries_its_bound() -> None:
    ev = "Orders over $50 ship free."
    assert contradicted_quantity("Your order of $75 ships free.", ev, ev) is None
    assert contradicted_quantity("Orders over $30 ship free.", ev, ev) is not None
    ev = "Refunds are issued within 14 days of the return."
    assert contradicted_quantity("Refunds are issued within 30 days of the return.", ev, ev) is not None
    assert contradicted_quantity("Refunds are issued in 10 days of the return.", ev, ev) is None
    ev = "Standard shipping takes 3 to 5 business days."
    assert [(q.low, q.value, q.bound) for q in quantities(ev)] == [(3.0, 5.0, "range")]
    assert contradicted_quantity("Standard shipping takes 4 business days.", ev, ev) is None
    assert contradicted_quantity("Standard shipping takes 9 business days.", ev, ev) is not None
    # A bound against a figure of another kind proves nothing.
    assert contradicted_quantity("Standard shipping takes no more than 5 business days.", ev, ev) is None
    # About a figure: far off is a contradiction, near is not.
    assert contradicted_quantity("Standard shipping takes about two weeks.", ev, ev) is not None
    assert contradicted_quantity("Standard shipping takes about a week.", ev, ev) is None


def test_a_deadline_before_an_event_bounds_the_time_left_from_below() -> None:
    ev = "Bookings can be cancelled free of charge up to 48 hours before arrival."
    assert contradicted_quantity("Bookings can be cancelled free as late as 12 hours before arrival.", ev, ev)
    assert contradicted_quantity("Bookings can be cancelled free 72 hours before arrival.", ev, ev) is None


def test_unlimited_against_a_cap_in_its_own_clause() -> None:
    ev = "The Starter plan allows at most 3 projects; unlimited projects need the Growth plan."
    q = contradicted_quantity("The Starter plan allows unlimited projects.", ev, ev)
    assert q is not None and q.unit == "unlimited"
    assert contradicted_quantity("The Growth plan allows unlimited projects.", ev, ev) is None


def test_the_clause_tie_goes_to_the_claims_head_word() -> None:
    ev = "The sofa frame is guaranteed for 10 years; the cushion covers are guaranteed for 2 years."
    assert contradicted_quantity("The sofa cushion covers are guaranteed for two years.", ev, ev) is None
    assert contradicted_quantity("The cushion covers are guaranteed for 10 years, like the frame.", ev, ev)
    ev = "The oven is covered for 3 years, with the exception of the light bulb, which is covered for 6 months."
    assert contradicted_quantity("The light bulb is covered for 3 years.", ev, ev) is not None


def test_a_part_the_claim_names_takes_its_own_clause() -> None:
    # The claim repeats the first clause's subject, but names the exception's part.
    ev = "The oven is covered for 3 years, with the exception of the light bulb, which is covered for 6 months."
    q = contradicted_quantity("Every part of the oven, light bulb included, is covered for 3 years.", ev, ev)
    assert q is not None and (q.value, q.unit) == (3.0, "year")
    assert contradicted_quantity("The oven is covered for 3 years.", ev, ev) is None
    assert contradicted_quantity("The oven's light bulb is covered for six months.", ev, ev) is None
    # A list of warranties, one figure for each thing.
    ev = "The dishwasher comes with a 10-year pump warranty and a 2-year parts and labour warranty."
    q = contradicted_quantity("Parts and labour on the dishwasher are covered for 10 years.", ev, ev)
    assert q is not None and q.value == 10.0
    assert contradicted_quantity("The dishwasher's pump has a 10-year warranty.", ev, ev) is None


def test_a_lifetime_is_longer_than_any_period() -> None:
    ev = "Our scooters carry a lifetime warranty on the deck and a 2-year warranty on the motor."
    q = contradicted_quantity("The scooter motor has a lifetime warranty.", ev, ev)
    assert q is not None and claim_text(q, "The scooter motor has a lifetime warranty.") == "lifetime"
    assert contradicted_quantity("The scooter deck has a lifetime warranty.", ev, ev) is None
    assert [(q.value, q.unit) for q in quantities("covered for the first year")] == [(1.0, "year")]


def test_another_kind_or_an_unnamed_part_is_not_contradicted() -> None:
    ev = "Standard delivery takes 3 to 5 working days."
    assert contradicted_quantity("Express delivery takes 1 to 2 working days.", ev, ev) is None
    assert contradicted_quantity("Standard delivery takes 1 to 2 working days.", ev, ev) is not None
    ev = "The dryer is under warranty for 2 years."
    assert contradicted_quantity("The dryer's drum is covered for 10 years.", ev, ev) is None
    assert contradicted_quantity("The dryer is covered for 10 years.", ev, ev) is not None


def test_weeks_convert_loosely_and_nothing_else_does() -> None:
    ev = "You can return most items within 30 days of delivery."
    assert contradicted_quantity("You can return most items within four weeks of delivery.", ev, ev) is None
    assert contradicted_quantity("You can return most items within two weeks of delivery.", ev, ev) is not None
    ev = "The battery is covered for one year."
    assert contradicted_quantity("The battery is covered for 13 months.", ev, ev) is not None


def test_words_the_stemmer_leaves_apart_are_shared() -> None:
    ev = "The late cancellation fee is $25."
    q = contradicted_quantity("If you cancel late, you'll be charged a $40 fee.", ev, ev)
    assert q is not None and q.value == 40.0


def test_a_figure_is_confirmed_whatever_carries_it() -> None:
    ev = "Refunds are issued within 3-5 business days of us receiving the parcel."
    assert confirmed_quantities("It takes 3 to 5 business days to issue your refund after we get the parcel.", ev)
    ev = "The laptop comes with a 2-year warranty; the screen is covered for 1 year."
    assert confirmed_quantities("The laptop's screen is only covered for the first year.", ev)
    assert not confirmed_quantities("The laptop's screen is covered for the first two years.", ev)


def claim_text(q: Quantity, claim: str) -> str:
    return claim[q.start : q.end]


def test_one_unit_written_as_a_word_and_rates_are_not_lengths() -> None:
    got = [(q.value, q.unit) for q in quantities("Points expire a year after; take 50 mg a day, once a day.")]
    assert got == [(1.0, "year"), (50.0, "mg")]


def test_confirmed_quantities() -> None:
    ev = "Customers can cancel free of charge up to 48 hours before check-in."
    assert confirmed_quantities("Customers can cancel free of charge two days before check-in.", ev)
    ev = "Loyalty points expire 12 months after they are earned."
    assert confirmed_quantities("Loyalty points expire a year after they are earned.", ev)
    assert not confirmed_quantities("Loyalty points expire 6 months after they are earned.", ev)
    # Same figure, another subject: not confirmed.
    assert not confirmed_quantities("Gift vouchers expire 12 months after purchase.", ev)


def test_a_figure_about_something_else_does_not_clear_a_bound() -> None:
    # The warranty's "two years" says nothing of the registration deadline: the sentence about
    # registering decides, and it says 30 days.
    sentence = "Products must be registered within 30 days of purchase."
    ev = "All X200 blenders come with a two-year limited warranty. " + sentence
    assert contradicted_quantity("Products must be registered within 60 days of purchase.", sentence, ev) is not None
    assert contradicted_quantity("Products must be registered within 30 days of purchase.", sentence, ev) is None
    # an exact or ranged figure inside the bound bears it out
    ev = "Standard delivery takes 3 to 5 days. Orders over $50 ship free."
    assert contradicted_quantity("Standard delivery takes under 5 days.", ev, ev) is None


def test_a_cap_is_an_upper_bound() -> None:
    ev = "Courses are capped at 16 learners per class to keep groups small."
    assert quantities(ev)[0].bound == "upper"
    assert contradicted_quantity("We keep classes small, with a maximum of 20 learners.", ev, ev) is not None
    assert contradicted_quantity("Classes are small, with at most 16 learners.", ev, ev) is None
    ev = "Compensation for lost parcels is limited to £100 per parcel."
    assert contradicted_quantity("If your parcel goes missing, you can be compensated up to £250.", ev, ev) is not None


def test_the_unit_is_not_what_a_figure_is_about() -> None:
    """ "two weeks' notice" shares "notice" with the sentence, not "week": the topic is the rest."""
    ev = "Contracts run for 24 months, after which you can leave without a fee by giving 30 days' notice."
    claim = "Once your two-year contract ends, you'll only need to give us two weeks' notice to leave."
    q = contradicted_quantity(claim, ev, ev)
    assert q is not None and claim[q.start : q.end] == "two weeks"
    assert contradicted_quantity(claim.replace("two weeks", "30 days"), ev, ev) is None


def test_pounds_in_words_are_not_money() -> None:
    """Sterling is written '£' or 'GBP'; 'pounds' in words is as often a weight."""
    review = "Coach Priya rewrote my program and my deadlift went up 40 lbs."
    assert unstated_quantity("A program added 40 pounds to their deadlift.", review) is None
    ev = "The bag weighs 2 kg."
    assert contradicted_quantity("The bag weighs 5 lbs.", ev, ev) is not None
    assert contradicted_quantity("The bag weighs 4.4 lbs.", ev, ev) is None


def test_a_limit_or_maximum_stated_as_a_figure_is_an_upper_bound() -> None:
    ev = "The daily ATM withdrawal limit on Westbridge Bank Everyday accounts is $1,200."
    claim = "On your Everyday account you can take out up to 1,500 USD from ATMs each day."
    assert contradicted_quantity(claim, ev, ev) is not None
    assert contradicted_quantity(claim.replace("1,500 USD", "$1,200"), ev, ev) is None
    ev = "The maximum payout for personal belongings under a Basic renters policy is $15,000."
    assert contradicted_quantity("Your Basic policy will reimburse up to 20,000 dollars for belongings.", ev, ev)
