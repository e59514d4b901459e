from __future__ import annotations

import math

import pytest

from scoring.errors import InvalidInput
from scoring.inputs import DraftInput, Passage, TokenLogprobs, validate_logprobs


def request(**over):
    body = {
        "question": "How long do refunds take?",
        "draft": "Refunds take 14 days.",
        "passages": [{"id": "kb-1", "text": "Refunds are processed within 14 days."}],
        "logprobs": {
            "tokens": ["Ref", "unds", " take", " 14", " days", "."],
            "logprobs": [-0.1, -0.01, -0.2, -1.5, -0.05, 0.0],
            "top_logprobs": [
                None,
                None,
                None,
                [{"token": " 14", "logprob": -1.5}, {"token": " 30", "logprob": -0.4}],
                None,
                None,
            ],
        },
        "metadata": {"intent": "refund", "prompt_version": "v7", "amount": 120, "customer_tier": "pro", "locale": "en"},
    }
    body.update(over)
    return body


def test_from_request_parses_every_field():
    d = DraftInput.from_request(request())
    assert d.draft == "Refunds take 14 days."
    assert d.passages == (Passage("kb-1", "Refunds are processed within 14 days."),)
    assert d.logprobs is not None and d.logprobs.tokens[3] == " 14"
    assert d.logprobs.top_logprobs is not None and d.logprobs.top_logprobs[3] == ((" 14", -1.5), (" 30", -0.4))
    assert (d.intent, d.prompt_version, d.amount, d.customer_tier) == ("refund", "v7", 120.0, "pro")
    assert dict(d.extra) == {"locale": "en"}


def test_request_round_trips():
    d = DraftInput.from_request(request())
    assert DraftInput.from_request(d.to_dict()) == d


def test_logprobs_and_metadata_are_optional():
    d = DraftInput.from_request({"draft": "Hello", "passages": []})
    assert d.logprobs is None and d.question == "" and d.amount is None


@pytest.mark.parametrize(
    ("logprobs", "field"),
    [
        ({"tokens": ["a", "b"], "logprobs": [-0.1]}, "logprobs.logprobs"),
        ({"tokens": ["a"], "logprobs": [math.nan]}, "logprobs.logprobs[0]"),
        ({"tokens": ["a"], "logprobs": [-math.inf]}, "logprobs.logprobs[0]"),
        ({"tokens": ["a"], "logprobs": [0.5]}, "logprobs.logprobs[0]"),
        ({"tokens": ["a"], "logprobs": ["-0.1"]}, "logprobs.logprobs[0]"),
        ({"tokens": ["a"], "logprobs": [True]}, "logprobs.logprobs[0]"),
        ({"tokens": [1], "logprobs": [-0.1]}, "logprobs.tokens[0]"),
        ({"tokens": "ab", "logprobs": [-0.1]}, "logprobs.tokens"),
        ({"tokens": ["a"], "logprobs": None}, "logprobs.logprobs"),
        ({"tokens": ["a"], "logprobs": [-0.1], "top_logprobs": [None, None]}, "logprobs.top_logprobs"),
        (
            {"tokens": ["a"], "logprobs": [-0.1], "top_logprobs": [[{"token": "a", "logprob": 2.0}]]},
            "logprobs.top_logprobs[0][0].logprob",
        ),
        (
            {"tokens": ["a"], "logprobs": [-0.1], "top_logprobs": [[{"logprob": -1.0}]]},
            "logprobs.top_logprobs[0][0].token",
        ),
        ({"tokens": ["a"], "logprobs": [-0.1], "top_logprobs": "x"}, "logprobs.top_logprobs"),
        ([1, 2], "logprobs"),
    ],
)
def test_inconsistent_logprobs_are_refused_with_the_field(logprobs, field):
    with pytest.raises(InvalidInput) as exc:
        DraftInput.from_request(request(logprobs=logprobs))
    assert exc.value.field == field
    with pytest.raises(InvalidInput):
        validate_logprobs(logprobs)


def test_float_noise_above_zero_is_accepted_and_clamped():
    lp = validate_logprobs({"tokens": ["a"], "logprobs": [1e-7]})
    assert lp.logprobs == (0.0,)


def test_validate_accepts_a_token_logprobs_object_and_dict_alternatives():
    lp = validate_logprobs({"tokens": ["a"], "logprobs": [-0.1], "top_logprobs": [{"a": -0.1, "b": -2.0}]})
    assert lp.top_logprobs == ((("a", -0.1), ("b", -2.0)),)
    assert validate_logprobs(lp) == lp
    assert isinstance(lp, TokenLogprobs)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"passages": []}, "draft"),
        ({"draft": 3}, "draft"),
        ({"draft": "x", "passages": {"id": "a"}}, "passages"),
        ({"draft": "x", "passages": [{"id": "a"}]}, "passages[0].text"),
        ({"draft": "x", "passages": [{"id": "a", "text": "t"}, {"id": "a", "text": "u"}]}, "passages[1].id"),
        ({"draft": "x", "metadata": {"amount": "12"}}, "metadata.amount"),
        ({"draft": "x", "metadata": {"intent": 4}}, "metadata.intent"),
        ({"draft": "x", "metadata": []}, "metadata"),
    ],
)
def test_bad_request_fields(body, field):
    with pytest.raises(InvalidInput) as exc:
        DraftInput.from_request(body)
    assert exc.value.field == field
    assert exc.value.to_dict()["field"] == field


def test_non_object_body():
    with pytest.raises(InvalidInput):
        DraftInput.from_request(["draft"])
