from __future__ import annotations

import pytest

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
