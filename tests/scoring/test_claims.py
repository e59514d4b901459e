from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.claims import classify, segment_claims, strip_citations
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
    "(Passage 1)",
    " [2]",
    "Based on the passages, ",
    "Passage 2 states that ",
    "Note: ",
    "I think ",
    "; ",
    ", and ",
    "2) ",
    "(a) ",
    "• ",
    "Sorry! ",
    "Paris",
    " 9 AM",
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
    assert got == ["The office opens at nine;", "it closes at five."]


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


# Between spans only whitespace and list markers may be left out.
_GAP = re.compile(r"(?:\s|[-*•·▪‣–]|\(?\d{1,2}[.)]|\(?[a-zA-Z][.)])*")


def assert_well_formed(draft):
    claims = segment_claims(draft)
    prev_end = 0
    for c in claims:
        assert 0 <= c.start < c.end <= len(draft)
        assert draft[c.start : c.end] == c.text
        assert c.text == c.text.strip() and c.text
        assert c.start >= prev_end, "spans in order and non-overlapping"
        gap = draft[prev_end : c.start]
        assert _GAP.fullmatch(gap), f"lost {gap!r}"
        prev_end = c.end
        assert c.checkable == (c.reason == "")
    assert _GAP.fullmatch(draft[prev_end:]), f"lost {draft[prev_end:]!r}"


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_spans_cover_every_non_whitespace_character_but_list_markers(draft):
    assert_well_formed(draft)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_spans_cover_arbitrary_unicode(draft):
    assert_well_formed(draft)


def one(text):
    """(checkable, reason) of a text that is one span."""
    claims = segment_claims(text)
    assert len(claims) == 1, [c.text for c in claims]
    return claims[0].checkable, claims[0].reason


@pytest.mark.parametrize(
    "text",
    [
        "Based on the given passages, here is a summary:",
        "Based on the information provided in the passages, here is a summary:",
        "According to the passages:",
        "Here are some tips:",
        "Here are some ways to save money on groceries:",
        'Based on the given passages, here is the answer to the question "What is the weather like?"',
        "Here are the answers to your questions",
        "Based on the given passages, the main differences between UTVs and ATVs are:",
        "To make ghee at home, follow these steps based on the given passages:",
        'So, the answer to the question "How to make ghee" can be summarized in 10 steps as mentioned above.',
        "Passage 3 repeats the information from Passage 1.",
        "Passage 2 is not directly related to the question.",
        "Passages 1 and 2 provide some additional information.",
        "The first passage provides more details.",
        # The writer announcing what it will do.
        "Based on the given passages, I can provide the following information.",
        "I can provide you with some general information.",
        "Let me explain.",
        "Sure, let me break it down.",
        "Please see below.",
        # Headings and list stubs.
        "## Benefits of yoga",
        "**Side effects**",
        "Step 1.",
        "Option B:",
    ],
)
def test_meta_sentences_are_not_checkable(text):
    assert one(text) == (False, "meta")


@pytest.mark.parametrize(
    "text",
    [
        "The passages do not provide the store's opening hours.",
        "The provided passages do not contain information on how to fry chicken.",
        "Passage 2 does not provide any information about the warranty.",
        "However, none of the passages provide information about making the dish spicy.",
        "Unable to answer based on given passages.",
        "Note: Unable to answer based on given passages.",
        "I'm not sure about annual billing.",
        "I think you might be able to return it.",
        "You may want to check with your bank.",
        "It's possible that the parcel was delayed.",
        "I'm not sure, but you could try restarting it.",
        "I would suggest waiting a little longer.",
        "It might be worth checking your spam folder.",
        "A tax return copy is not explicitly mentioned in the passages provided.",
        "I think you might be able to get a refund if you contact support.",
        # Opinions: short and naming nothing.
        "In my opinion, the design is beautiful.",
        "I think it is the best option.",
        "Personally, I find it a little too sweet.",
    ],
)
def test_hedges_without_facts_are_not_checkable(text):
    assert one(text) == (False, "hedge")


@pytest.mark.parametrize(
    "text",
    [
        "I'm sorry about that!",
        "Sorry for the inconvenience.",
        "Let me know if you have any other questions!",
        "Let me know if you have any further questions or if there's anything else I can help with.",
        "I hope this helps!",
        "Thanks for reaching out.",
        "Happy to help!",
        "Is there anything else I can help you with?",
        "I hope this information is helpful.",
        "I hope you find this useful!",
        "We appreciate your patience.",
        "I'd be happy to help!",
        "I can help you with that.",
    ],
)
def test_pleasantries_are_greetings(text):
    assert one(text) == (False, "greeting")


@pytest.mark.parametrize("text", ["You're welcome!", "You are very welcome."])
def test_you_are_welcome_alone_is_a_pleasantry(text):
    assert one(text) == (False, "greeting")


@pytest.mark.parametrize(
    "text", ["You're welcome to bring your dog into the lobby.", "You are welcome to return it in store."]
)
def test_you_are_welcome_to_is_a_permission_and_checkable(text):
    assert one(text) == (True, "")


@pytest.mark.parametrize(
    "text",
    [
        "(Passage 1)",
        "[1]",
        "[2][3]",
        "Passage 2.",
        "(Source: passage 3)",
        "(Passages 1 and 2)",
        "doc 1",
        "Sources: [1], [2]",
        "(Passage 2, paragraph 3)",
    ],
)
def test_citation_fragments_are_not_claims(text):
    assert one(text) == (False, "citation")


def test_a_citation_with_its_place_is_cut_from_the_claim_the_verifier_reads():
    assert strip_citations("The plan costs $12 (Passage 2, paragraph 3).") == "The plan costs $12."


def test_a_heading_line_is_meta_and_the_lines_under_it_are_claims():
    assert texts("## Benefits of yoga\nYoga improves flexibility.\n**Risks**\nIt can strain the wrists.") == [
        ("## Benefits of yoga", False, "meta"),
        ("Yoga improves flexibility.", True, ""),
        ("**Risks**", False, "meta"),
        ("It can strain the wrists.", True, ""),
    ]


def test_citation_tail_fragment_is_split_off_and_a_trailing_citation_stays_in_the_claim():
    assert texts("The plan costs $12 per month. (Passage 2)") == [
        ("The plan costs $12 per month.", True, ""),
        ("(Passage 2)", False, "citation"),
    ]
    assert texts("Prevents cancer (Passage 2).") == [("Prevents cancer (Passage 2).", True, "")]
    assert texts("- Improves liver health (Passage 3)\n- (Passage 1)") == [
        ("Improves liver health (Passage 3)", True, ""),
        ("(Passage 1)", False, "citation"),
    ]
    assert strip_citations("Prevents cancer (Passages 2 and 3) [4].") == "Prevents cancer."
    assert strip_citations("(Passage 1)") == "(Passage 1)"


@pytest.mark.parametrize(
    ("draft", "prefix", "claim"),
    [
        (
            "Based on the passages, the X200 has a two-year warranty.",
            "Based on the passages,",
            "the X200 has a two-year warranty.",
        ),
        (
            "Based on the given passages, it appears that the store opens at 9 AM.",
            "Based on the given passages, it appears that",
            "the store opens at 9 AM.",
        ),
        (
            "According to passage 2, the deduction is limited to $1,500.",
            "According to passage 2,",
            "the deduction is limited to $1,500.",
        ),
        ("Passage 2 states that refunds take 5 days.", "Passage 2 states that", "refunds take 5 days."),
        ("Note: refunds take 5 days.", "Note:", "refunds take 5 days."),
        ("Passage 1: Take a small section of hair.", "Passage 1:", "Take a small section of hair."),
    ],
)
def test_a_meta_prefix_is_split_off_and_the_claim_stays_checkable(draft, prefix, claim):
    got = texts(draft)
    assert [(t, c) for t, c, _ in got] == [(prefix, False), (claim, True)]
    assert got[0][2] in {"meta", "citation"}


@pytest.mark.parametrize(
    "text",
    [
        "I think the store opens at 9 AM.",
        "I'm not sure, but the store opens at 9 AM.",
        "You may want to check with Apple Support.",
        "It's possible that the parcel reached Paris on Monday.",
        "The passages do not give the price, but it costs $40.",
        "Passage 1 discusses the TLC Diet, which promotes whole grains and fish.",
        "Passage 3 mentions the cost of installation, which was $7 per square foot.",
        "Sorry, the refund for order 5512 was sent on May 3.",
        "Sure, the refund window is 30 days from delivery for all orders.",
        "According to a new study by Consumer Reports, Southwest offers the most award tickets.",
        "Unmet needs: Passage 3 highlights that happy marriages may lack fulfilment.",
        "There is no scientific evidence to support this theory.",
        "Equal access to education (not explicitly stated in the passages, but widely assumed).",
        "Supports healthy brain function (Passage 1)",
        # What a passage is said to contain can be wrong: these are checked.
        "Passages 1 and 2 provide information on foods that can help raise HDL levels.",
        "Passage 2 provides instructions on how to glue pieces of Styrofoam together.",
        "The first passage discusses how to prepare chicken for baking.",
        "The document discusses the Go-there decision and the need for a discourse model.",
        "Note: The passages don't mention the cooking time, so it's advisable to check the pork often.",
        "It is also possible that people become familiar with cilantro from an early age and like it.",
        # Commitments, named opinions and announcements that go on to say something are claims.
        "We can offer you a replacement.",
        "I will give you a refund.",
        "I can explain how refunds work: you get 50% back.",
        "In my opinion, the Model 3 is the best electric car under $40,000.",
        "I believe the main reason for the decline was the poor harvest in the northern provinces that year.",
        "**Price:** $40",
        "Step 2: Preheat the oven to 200 degrees.",
    ],
)
def test_look_alikes_that_state_facts_stay_checkable(text):
    claims = segment_claims(text)
    assert any(c.checkable for c in claims), [(c.text, c.reason) for c in claims]
    assert claims[-1].checkable
