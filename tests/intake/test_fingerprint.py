"""The idempotency fingerprint is canonical: the same request written differently is one request."""

from __future__ import annotations

import json
import unicodedata

import pytest

from reviewqueue.intake.drafts import fingerprint
from tests.factories import draft_body

CAFE_NFC = "caf\u00e9"
CAFE_NFD = "cafe\u0301"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ({"amount": 0}, {"amount": 0.0}),
        ({"amount": 0}, {"amount": -0.0}),
        ({"amount": 100}, {"amount": 1e2}),
        ({"x": [1, 2.0, {"y": 3.0}]}, {"x": [1.0, 2, {"y": 3}]}),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}),
        ({"outer": {"a": 1, "b": [True, None]}}, {"outer": {"b": [True, None], "a": 1}}),
        ({"draft": CAFE_NFC}, {"draft": CAFE_NFD}),
        ({CAFE_NFC: "key"}, {CAFE_NFD: "key"}),
        ({"passages": [{"text": "Å"}]}, {"passages": [{"text": "A\u030a"}]}),
    ],
    ids=[
        "0-vs-0.0",
        "0-vs-minus-0.0",
        "100-vs-1e2",
        "nested-numbers",
        "key-order",
        "nested-key-order",
        "nfc-vs-nfd-value",
        "nfc-vs-nfd-key",
        "angstrom",
    ],
)
def test_the_same_request_written_differently_has_one_fingerprint(a, b):
    assert fingerprint(a) == fingerprint(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ({"amount": 0.5}, {"amount": 0.50001}),
        ({"amount": 1}, {"amount": True}),
        ({"amount": 0}, {"amount": None}),
        ({"amount": 0}, {"amount": "0"}),
        ({"x": [1, 2]}, {"x": [2, 1]}),
        ({"draft": "cafe"}, {"draft": CAFE_NFC}),
        ({"draft": "ﬁ"}, {"draft": "fi"}),  # NFKC would fold the ligature; NFC keeps it a different text
    ],
)
def test_a_different_value_is_a_different_fingerprint(a, b):
    assert fingerprint(a) != fingerprint(b)


def test_whitespace_and_escapes_in_the_json_do_not_matter():
    body = draft_body(draft=CAFE_NFC)
    compact = json.loads(json.dumps(body, separators=(",", ":")))
    escaped = json.loads(json.dumps(body, ensure_ascii=True, indent=4))
    assert fingerprint(body) == fingerprint(compact) == fingerprint(escaped)
    assert unicodedata.is_normalized("NFC", CAFE_NFC) and not unicodedata.is_normalized("NFC", CAFE_NFD)
