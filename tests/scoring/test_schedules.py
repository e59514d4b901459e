"""Weekdays in prose compared as sets (scoring.schedules)."""

from __future__ import annotations

import pytest

from scoring.schedules import confirmed_days, contradicted_days, schedule


def _check(claim: str, sentence: str, evidence: str | None = None) -> str | None:
    got = contradicted_days(claim, sentence, sentence if evidence is None else evidence)
    return None if got is None else claim[got.start : got.end]


def test_schedule_reads_open_and_closed_days() -> None:
    s = schedule("The desk is open Monday to Saturday and closed on Sundays.")
    assert s is not None and s.open == frozenset(range(6)) and s.closed == frozenset({6})
    s = schedule("We deliver every day except Tuesday.")
    assert s is not None and 1 not in s.open and s.closed == frozenset({1})
    assert schedule("Delivery is free on orders over $30.") is None


@pytest.mark.parametrize(
    ("claim", "sentence", "flagged"),
    [
        # A day outside the listed range.
        ("You can reach the help desk on a Sunday.", "The help desk is open Monday to Saturday.", "Sunday"),
        # A day the sentence closes.
        ("The pool is open on Thursdays.", "The pool is open daily but closed on Thursdays for cleaning.", "Thursdays"),
        # "Every day" against a list of days.
        ("The shuttle runs every day.", "The shuttle operates on Tuesdays and Thursdays only.", "every day"),
        # Closed on a day the sentence gives.
        ("The clinic is closed on Wednesdays.", "The clinic is open Monday to Friday from 8am.", "Wednesdays"),
    ],
)
def test_days_outside_the_schedule_are_a_contradiction(claim: str, sentence: str, flagged: str) -> None:
    assert _check(claim, sentence) == flagged


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        # Inside the range, or inside a group.
        ("You can reach the help desk on a Wednesday.", "The help desk is open Monday to Saturday."),
        ("The shuttle runs on Saturdays.", "The shuttle operates at weekends."),
        ("Parcels are delivered on Sundays too.", "Parcels are delivered seven days a week."),
        # Another team than the sentence's.
        ("Our email team replies on Saturdays.", "Our phone lines are open Monday through Friday."),
        # The claim negates its day the way the sentence does.
        ("You cannot visit the archive on a Monday.", "The archive is closed on Mondays."),
        # A negation elsewhere in the claim: its polarity is not the day's; left to the model.
        ("You won't be charged for Saturday deliveries.", "Deliveries run Monday to Friday."),
        # Days as conditions, not a schedule: the sentence says nothing about availability.
        ("Orders placed on Saturday ship on Monday.", "Orders placed on Friday after 2pm ship on Monday."),
        # About something else: the claim shares too few words with the sentence.
        ("The farmers market sells fresh bread on Sundays.", "The help desk is open Monday to Saturday."),
    ],
)
def test_no_contradiction_inside_the_schedule_or_elsewhere(claim: str, sentence: str) -> None:
    assert _check(claim, sentence) is None


def test_a_day_the_evidence_gives_elsewhere_is_not_refuted() -> None:
    # The best sentence is the weekday one, but another passage sentence gives Saturday.
    sentence = "Phone support is available Monday to Friday."
    evidence = sentence + " On Saturdays, phone support is available from 10am to 2pm."
    assert _check("Phone support is available on Saturdays.", sentence, evidence) is None


def test_times_and_availability_words_are_not_what_the_sentence_is_about() -> None:
    # "open ... from 10am to 2pm" is about the branches that "are closed on Sundays".
    assert _check("Branches open on Sundays from 10am to 2pm.", "Branches are closed on Sundays.") == "Sundays"
    # "collect" and "collections" are one word to the comparison.
    assert _check("The courier can collect your parcel on a Saturday.", "Courier collections run Monday to Friday.")


@pytest.mark.parametrize(
    ("claim", "sentence", "flagged"),
    [
        # "Pick up" is what a "collection" is, and a call is a phone's; "possible" is availability.
        (
            "You can pick up your bike from the depot on Sunday.",
            "Collection from the depot is possible Monday to Friday.",
            "Sunday",
        ),
        (
            "You can give us a call on Saturday afternoon.",
            "Our phone lines are open Monday through Friday.",
            "Saturday",
        ),
    ],
)
def test_a_predicate_worded_otherwise_is_the_same_schedule(claim: str, sentence: str, flagged: str) -> None:
    assert _check(claim, sentence) == flagged


@pytest.mark.parametrize(
    ("claim", "sentence", "confirmed"),
    [
        ("You can call the helpdesk on Thursdays.", "The helpdesk is open Monday to Friday, 8am to 6pm.", True),
        ("The helpdesk is open at weekends.", "The helpdesk operates 24/7.", True),
        # A schedule of every day is one whatever its verb.
        ("Collections also take place on Sundays.", "Collections are made seven days a week.", True),
        ("You can't visit the depot on a Sunday.", "The depot is open Monday to Saturday.", True),
        ("The depot is closed on Sundays.", "The depot is closed on Sundays and bank holidays.", True),
        # A day outside the schedule, a day it does not settle, another subject.
        ("You can call the helpdesk on Sundays.", "The helpdesk is open Monday to Friday.", False),
        ("The depot is open on Sundays.", "The depot is closed on bank holidays.", False),
        ("The email team replies on Tuesdays.", "The phone lines are open Monday to Friday.", False),
        # Days that are conditions, not availability, confirm nothing.
        ("Orders placed on a Monday ship on Tuesday.", "Orders placed on weekdays ship the next day.", False),
    ],
)
def test_confirmed_days(claim: str, sentence: str, confirmed: bool) -> None:
    assert confirmed_days(claim, sentence) is confirmed


def test_a_claim_that_its_subject_is_open_is_read_against_that_subjects_schedule() -> None:
    """A support answer adds an offer to the schedule it restates; its subject decides the topic."""
    ev = "The Aurora Spa at the Belmont Hotel is closed every Monday for maintenance."
    claim = "The spa will be open on Monday, so a 3 PM massage that day works perfectly."
    m = contradicted_days(claim, ev, ev)
    assert m is not None and claim[m.start : m.end] == "Monday"
    assert contradicted_days("The pool will be open on Monday, so book a lane.", ev, ev) is None
    # It refutes only: the rest of such a claim may say what the sentence does not.
    ev = "The branch is open Monday through Saturday from 9 AM to 5 PM."
    claim = "The branch is open Monday to Saturday, 9 to 5, and the drive-through stays open until 7 PM."
    assert not confirmed_days(claim, ev)
