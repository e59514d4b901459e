from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.errors import ConfigurationError
from scoring.guardrails import GuardrailRules, check_guardrails

EVIDENCE = [
    "The warranty lasts two years. The setup fee is 1200 USD, due on January 5, 2024. "
    "Visit https://acme.example/help or write to help@acme.example. Your ticket is INV-2024-0042. "
    "Growth was 12 percent and revenue reached 1,200,000 last year. Support is open 7 days a week."
]


def kinds(draft, rules=None, evidence=EVIDENCE):
    return [(h.kind, h.text) for h in check_guardrails(draft, evidence, rules)]


@pytest.mark.parametrize(
    "draft",
    [
        "The warranty lasts 24 months.",  # two years
        "The setup fee is $1,200.",  # 1200 USD
        "It is due on Jan 5, 2024.",
        "It is due on 2024-01-05.",
        "It is due in January 2024.",
        "See https://acme.example/help.",
        "See www.acme.example/help for details.",
        "Mail help@acme.example today.",
        "Quote ticket INV-2024-0042.",
        "Growth was 12%.",
        "Revenue reached $1.2 million.",
        "Revenue reached 1.2m.",
        "Support is open seven days a week.",
        "We have 1 office.",  # 0 and 1 are below min_number
    ],
)
def test_values_present_in_the_evidence_are_not_hits(draft):
    assert kinds(draft) == []


@pytest.mark.parametrize(
    ("draft", "kind", "text"),
    [
        ("The warranty lasts 36 months.", "unsupported_duration", "36 months"),
        ("The setup fee is $1,500.", "unsupported_amount", "$1,500"),
        ("It is due on March 3, 2024.", "unsupported_date", "March 3, 2024"),
        ("See https://evil.example/pay now.", "unsupported_url", "https://evil.example/pay"),
        ("Mail billing@acme.example today.", "unsupported_email", "billing@acme.example"),
        ("Quote ticket INV-2024-0043.", "unsupported_id", "INV-2024-0043"),
        ("Growth was 15%.", "unsupported_percentage", "15%"),
        ("There are 42 stores.", "unsupported_number", "42"),
    ],
)
def test_values_absent_from_every_passage_are_hits_with_offsets(draft, kind, text):
    hits = check_guardrails(draft, EVIDENCE)
    assert [(h.kind, h.text) for h in hits] == [(kind, text)]
    h = hits[0]
    assert draft[h.start : h.end] == text
    assert h.rule == f"unsupported:{kind.removeprefix('unsupported_')}" and h.action == "review"


def test_no_passages_means_every_value_is_unsupported():
    assert kinds("Call us on day 3 for $20.", evidence=[]) == [
        ("unsupported_number", "3"),
        ("unsupported_amount", "$20"),
    ]


def test_allow_list_and_allow_patterns():
    rules = GuardrailRules.from_dict({"version": "q1", "allow": ["42"], "allow_patterns": [r"INV-\d{4}-\d{4}"]})
    assert kinds("There are 42 stores. Ticket INV-2024-9999.", rules) == []


def test_block_regex_rules():
    rules = GuardrailRules.from_dict(
        {
            "version": "q2",
            "block": [
                {"name": "guarantee", "pattern": r"\bguarantee[ds]?\b"},
                {"name": "competitor", "pattern": "globex", "action": "review"},
            ],
        }
    )
    hits = check_guardrails("We Guarantee results, unlike Globex.", EVIDENCE, rules)
    assert [(h.kind, h.rule, h.action, h.text) for h in hits] == [
        ("blocked_pattern", "guarantee", "block", "Guarantee"),
        ("blocked_pattern", "competitor", "review", "Globex"),
    ]


def test_check_kinds_can_be_limited():
    rules = GuardrailRules.from_dict({"version": "q3", "check": ["url"]})
    assert kinds("There are 42 stores at https://x.example.", rules) == [("unsupported_url", "https://x.example")]


def test_rules_round_trip_and_merge():
    rules = GuardrailRules.from_dict({"version": "q4", "block": ["secret"], "allow": ["24/7"], "min_number": 10})
    assert GuardrailRules.from_dict(rules.to_dict()) == rules
    merged = GuardrailRules().merged(rules)
    assert merged.allow == ("24/7",) and merged.block == rules.block


@pytest.mark.parametrize(
    "bad",
    [
        {"check": ["phone"]},
        {"block": [{"name": "x", "pattern": "("}]},
        {"block": [{"name": "x", "pattern": "a", "action": "explode"}]},
        {"allow_patterns": ["[z-a]"]},
        ["not", "a", "dict"],
    ],
)
def test_bad_rules_are_refused(bad):
    with pytest.raises(ConfigurationError):
        GuardrailRules.from_dict(bad)


def test_numbers_with_words_are_numbers_not_ids():
    ev = ["He was identified as Jonathan Camilien, 26. The island is reachable 60-days-a-year."]
    assert kinds("The victim was a 26-year-old man.", evidence=ev) == []
    assert kinds("It is reachable 60 days a year.", evidence=ev) == []
    # An age reads as a duration ("27-year"); either way 27 is in no passage.
    assert kinds("The victim was a 27-year-old man.", evidence=ev) == [("unsupported_duration", "27-year")]


def test_spans_limit_checks_to_claims_and_context_counts_as_given():
    draft = "Here's the summary in 53 words: Revenue was $70."
    assert kinds(draft) == [("unsupported_number", "53"), ("unsupported_amount", "$70")]
    hits = check_guardrails(draft, EVIDENCE, spans=[(32, len(draft))])
    assert [h.text for h in hits] == ["$70"]
    assert check_guardrails(draft, EVIDENCE, spans=[(32, len(draft))], context=("I was charged $70, why?",)) == []


def test_block_rules_apply_outside_claim_spans():
    rules = GuardrailRules.from_dict({"version": "b", "block": ["secret"]})
    hits = check_guardrails("Hi secret friend! Revenue was 1,200,000.", EVIDENCE, rules, spans=[(18, 40)])
    assert [(h.kind, h.text) for h in hits] == [("blocked_pattern", "secret")]


# --- structure is not a claim: citations and list numbering -------------------------------

SMALL_EVIDENCE = ["The clinic opens at 9:00 and serves 40 patients a day."]


@pytest.mark.parametrize(
    "draft",
    [
        "The clinic serves 40 patients a day (Passage 2).",
        "The clinic serves 40 patients a day, according to passage 3.",
        "Passages 1 and 3 say the clinic serves 40 patients a day.",
        "As passage 1 and 3 note, it serves 40 patients.",
        "It serves 40 patients [1].",
        "It serves 40 patients [2][3].",
        "It serves 40 patients [1, 4].",
        "Source 3 says it serves 40 patients.",
        "Document 2 says it serves 40 patients; doc 7 agrees.",
        "It serves 40 patients (Passage 1) (Source: passage 3).",
        "Repeat steps 7 and 8 until done.",
    ],
)
def test_citation_markers_never_count(draft):
    assert kinds(draft, evidence=SMALL_EVIDENCE) == []


@pytest.mark.parametrize(
    "draft",
    [
        "1. It serves 40 patients.\n2. It opens at 9:00.\n13. Done.",
        "Steps:\n3) Arrive early.\n4) Wait.",
        "Step 3: arrive early.\nStep 4: wait.",
        "Options: (a) call (b) write",
        "Top picks:\n#5 the clinic\n#6 the pharmacy",
        "The reasons: 7. it is close",
        "Do this: (3) call the clinic (4) wait",
    ],
)
def test_list_numbering_never_counts(draft):
    assert kinds(draft, evidence=SMALL_EVIDENCE) == []


def test_numbers_inside_names_are_not_checked_but_real_numbers_next_to_citations_are():
    assert kinds("The COVID-19 wave hit; indole-3-carbinol helps.", evidence=["COVID and indole-3-carbinol"]) == []
    assert kinds("It serves 45 patients a day (Passage 1).", evidence=SMALL_EVIDENCE) == [("unsupported_number", "45")]
    assert kinds("Passage 2 says 12 doctors work there.", evidence=SMALL_EVIDENCE) == [("unsupported_number", "12")]


# --- values compared by value, not by string ----------------------------------------------

HOURS = ['{"hours": {"Monday": "11:0-20:0", "Friday": "9:30-22:0"}} Dinner from 6 to 9pm. Closed at midnight.']


@pytest.mark.parametrize(
    "draft",
    [
        "On Monday it opens at 11 a.m. and closes at 8:00 PM.",
        "On Monday it closes at 8 PM.",
        "On Monday it closes at 8pm.",
        "It closes at 20:00 on Mondays.",
        "On Monday the hours are 11:00 AM to 8:00 PM.",
        "On Friday it opens at 9:30 am and closes at 10 p.m.",
        "Dinner is served from 6 pm to 9 pm.",
        "It closes at 12 am.",
    ],
)
def test_24_hour_record_times_match_12_hour_times(draft):
    assert kinds(draft, evidence=HOURS) == []


@pytest.mark.parametrize(
    ("draft", "hit"),
    [
        ("On Monday it closes at 7 PM.", ("unsupported_time", "7 PM")),
        ("On Monday it opens at 10:30.", ("unsupported_time", "10:30")),
        ("It closes at 7:00 p.m.", ("unsupported_time", "7:00 p.m.")),
    ],
)
def test_wrong_times_are_hits(draft, hit):
    assert kinds(draft, evidence=HOURS) == [hit]


def test_a_bare_hour_in_a_chat_supports_a_time():
    assert kinds("They meet at 7 pm.", evidence=["Jacob: 7? 8? Alex: Let's make it 7."]) == []
    assert kinds("They meet at 9 pm.", evidence=["Jacob: 7? 8? Alex: Let's make it 7."]) == [
        ("unsupported_time", "9 pm")
    ]


@pytest.mark.parametrize(
    ("draft", "evidence"),
    [
        ("The warranty lasts two years.", "The warranty lasts 24 months."),
        ("The warranty lasts 24 months.", "The warranty lasts two years."),
        ("It costs $1,200.", "It costs 1200 USD."),
        ("It costs 1200 USD.", "It costs $1,200."),
        ("It costs $1,200.", "Price: 1,200.00"),
        ("It costs USD 1,200.", "It costs $1200."),
        ("Revenue was 1.2 million.", "Revenue was 1,200,000."),
        ("Revenue was $1,200,000.", "Revenue was $1.2m."),
        ("They lost 5 million dollars.", "we may lose 5 mln bucks"),
        ("50% of users agree.", "50 percent of users agree."),
        ("50% of users agree.", "Half of the users agree."),
        ("He finished 3rd.", "He finished third."),
        ("He finished 3rd.", "He finished in place three."),
        ("He came 21st.", "He came twenty-first."),
        ("It was big in the 1990s.", "It was big in 1990."),
        ("It was big in 1990.", "It was big in the 1990s."),
        ("It was big in the '90s.", "It was big in 1994."),
        ("Apple was incorporated in 1977.", "Apple was incorporated January 3, 1977."),
        ("He was born January 8 , 1935.", "Born January 8, 1935."),
        ("He was elected in 2017.", "PUBLISHED DATETIME: 2017-11-07T20:21:00"),
        ("It runs in the 2018–19 year.", "It runs over the 2018-2019 year."),
        ("There were 25 machines.", "they got twenty - five machines"),
        ("It arose 4 billion years ago.", "It appeared almost four billion years ago."),
        ("The cap is 12.50 Euros.", "not more than twelve dot fifty Euros"),
    ],
)
def test_format_only_differences_are_not_hits(draft, evidence):
    assert kinds(draft, evidence=[evidence]) == []


@pytest.mark.parametrize(
    ("draft", "evidence", "hit"),
    [
        ("The warranty lasts three years.", "The warranty lasts 24 months.", ("unsupported_duration", "three years")),
        ("It costs $1,300.", "It costs 1200 USD.", ("unsupported_amount", "$1,300")),
        ("Revenue was 1.3 million.", "Revenue was 1,200,000.", ("unsupported_number", "1.3 million")),
        ("60% of users agree.", "Half of the users agree.", ("unsupported_percentage", "60%")),
        ("He finished 4th.", "He finished third.", ("unsupported_number", "4th")),
        ("It was big in the 1980s.", "It was big in 1990.", ("unsupported_date", "1980s")),
        ("Apple was incorporated in 1976.", "Apple was incorporated January 3, 1977.", ("unsupported_number", "1976")),
        ("It was signed on March 4, 1977.", "Signed January 3, 1977.", ("unsupported_date", "March 4, 1977")),
        ("It runs in the 2018–20 years.", "It runs over the 2018-2019 year.", ("unsupported_date", "2018–20")),
        ("There were 26 machines.", "they got twenty - five machines", ("unsupported_number", "26")),
    ],
)
def test_genuinely_different_values_still_hit(draft, evidence, hit):
    assert kinds(draft, evidence=[evidence]) == [hit]


def test_time_kind_is_backward_compatible_with_stored_rules():
    assert "time" in GuardrailRules().check
    # Rules stored before "time" existed checked times as numbers: they still check them.
    old = GuardrailRules.from_dict({"version": "old", "check": ["number", "date", "url"]})
    assert "time" in old.check
    assert [h.kind for h in check_guardrails("Open at 7 PM.", HOURS, old)] == ["unsupported_time"]
    assert GuardrailRules.from_dict(old.to_dict()) == old
    # A list without numbers does not gain times.
    assert GuardrailRules.from_dict({"check": ["url"]}).check == ("url",)


_PIECES = ["www.doc1.com ", "passage 2", "[1]", "8 PM", "20:0", "$1,200", "1990s", "2018–19", "Step 3:", "\n", "1. "]
_PIECES += [" ", "x", "9", "COVID-19", "doc1", "two years", "24 months", "'90s", "noon", "3rd", "half"]
_GR_TEXT = st.lists(st.sampled_from(_PIECES), max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(_GR_TEXT, _GR_TEXT)
def test_hits_re_slice_from_the_draft(draft, evidence):
    for h in check_guardrails(draft, [evidence]):
        assert draft[h.start : h.end] == h.text
