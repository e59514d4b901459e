from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.claims import classify, segment_claims
from scoring.text import split_sentences

PIECES = [
    *list("abcXYZ 019.,;:!?-*\n\t'\"$%()é…"),
    "Dr.",
    " e.g. ",
    "1. ",
    "\n- ",
    " and ",
    ", but ",
    "Hi! ",
    "Here's the summary:",
]
TEXT = st.lists(st.sampled_from(PIECES), max_size=120).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_claim_offsets_round_trip(draft):
    claims = segment_claims(draft)
    prev_end = 0
    for c in claims:
        assert draft[c.start : c.end] == c.text
        assert c.text == c.text.strip() and c.text
        assert c.start >= prev_end  # sorted, non-overlapping
        prev_end = c.end


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_round_trip_on_arbitrary_unicode(draft):
    for c in segment_claims(draft):
        assert draft[c.start : c.end] == c.text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_sentence_spans_round_trip(text):
    for a, b in split_sentences(text):
        assert text[a:b].strip() == text[a:b] != ""


def texts(draft):
    return [(c.text, c.checkable, c.reason) for c in segment_claims(draft)]


def test_questions_greetings_hedges_and_meta_are_not_checkable():
    draft = (
        "Hi there! Here's the summary: The plan costs $12 per month. "
        "I'm not sure about annual billing. Does that help? Thanks!"
    )
    assert texts(draft) == [
        ("Hi there!", False, "greeting"),
        ("Here's the summary:", False, "meta"),
        ("The plan costs $12 per month.", True, ""),
        ("I'm not sure about annual billing.", False, "hedge"),
        ("Does that help?", False, "question"),
        ("Thanks!", False, "greeting"),
    ]


def test_meta_line_on_its_own_is_not_checkable():
    claims = segment_claims("Here's the summary:\nThe plan costs $12 per month.")
    assert [(c.text, c.checkable) for c in claims] == [
        ("Here's the summary:", False),
        ("The plan costs $12 per month.", True),
    ]


def test_list_items_are_separate_claims_without_their_markers():
    draft = (
        "Benefits:\n- Dental cover starts after 90 days.\n- Vision cover is included.\n"
        "1. Claims go to the portal.\n2) Appeals take 30 days."
    )
    got = [c.text for c in segment_claims(draft) if c.checkable]
    assert got == [
        "Dental cover starts after 90 days.",
        "Vision cover is included.",
        "Claims go to the portal.",
        "Appeals take 30 days.",
    ]


def test_semicolon_clauses_are_split():
    got = [c.text for c in segment_claims("The office opens at nine; it closes at five.")]
    assert got == ["The office opens at nine", "it closes at five."]


def test_long_multi_clause_sentence_is_split_at_a_conjunction_short_one_is_not():
    short = "He founded the company in 1990, and sold it in 2001."
    assert len(segment_claims(short)) == 1
    long = (
        "The company was founded in 1990 by two engineers who had previously worked at a large "
        "telecom firm in Boston, and it was sold in 2001 to a private equity group for an "
        "undisclosed sum after years of losses."
    )
    parts = segment_claims(long)
    assert len(parts) == 2
    assert parts[1].text.startswith("and it was sold in 2001")


def test_abbreviations_and_decimals_do_not_split_sentences():
    got = [c.text for c in segment_claims("Dr. Smith charged $3.50 on Jan. 5 for the visit. It was paid.")]
    assert got == ["Dr. Smith charged $3.50 on Jan. 5 for the visit.", "It was paid."]


def test_classify_short_fragments():
    assert classify("Yes.") == (False, "too_short")
    assert classify("In 2019.") == (True, "")
    assert classify("Sure, the refund window is 30 days from delivery for all orders.") == (True, "")


def test_long_announcements_ending_in_a_colon_are_meta():
    draft = (
        "Based on the given passages, here are the steps to brush your teeth with braces:\n"
        "Brush down from the top on each tooth.\n"
        'Therefore, the answer to the question "How to wash your teeth" can be summarized as:\n'
        "The company reported revenue growth across every region this year, with details below:"
    )
    got = [(c.checkable, c.reason) for c in segment_claims(draft)]
    assert got == [(False, "meta"), (True, ""), (False, "meta"), (True, "")]
