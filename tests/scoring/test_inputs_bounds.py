"""`DraftInput.from_request` bounds what the API parser would have refused, for callers that
bypass it: non-finite numbers, out-of-range integers, deep or large metadata extras."""

from __future__ import annotations

import math

import pytest

from scoring.errors import InvalidInput
from scoring.inputs import MAX_EXTRA_CHARS, MAX_EXTRA_KEYS, DraftInput


def body(**metadata: object) -> dict[str, object]:
    return {"draft": "The X200 has a two-year warranty.", "metadata": metadata}


def lp_body(extra: object, where: str = "alt") -> dict[str, object]:
    alt: dict[str, object] = {"token": "a", "logprob": -0.1}
    lp: dict[str, object] = {"tokens": ["a"], "logprobs": [-0.1], "top_logprobs": [[alt]]}
    (alt if where == "alt" else lp)["extra"] = extra
    return {"draft": "a", "logprobs": lp}


@pytest.mark.parametrize(
    ("metadata", "field"),
    [
        ({"tokens_used": math.nan}, "metadata.tokens_used"),
        ({"tokens_used": math.inf}, "metadata.tokens_used"),
        ({"nested": {"a": [1, -math.inf]}}, "metadata.nested.a[1]"),
        ({"amount": 10**400}, "metadata.amount"),
        ({"big": 2**63}, "metadata.big"),
        ({"deep": {"a": {"b": {"c": {"d": {}}}}}}, "metadata.deep.a.b.c.d"),
        ({"odd": {1, 2}}, "metadata.odd"),
        ({"long": "x" * (MAX_EXTRA_CHARS + 1)}, "metadata.long"),
        ({f"k{i}": i for i in range(MAX_EXTRA_KEYS + 1)}, "metadata"),
    ],
)
def test_unstorable_metadata_is_refused_with_the_field(metadata, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as caught:
        DraftInput.from_request(body(**metadata))
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("extra", "where", "field"),
    [
        (math.nan, "alt", "logprobs.top_logprobs[0][0].extra"),
        ([1, math.inf], "alt", "logprobs.top_logprobs[0][0].extra[1]"),
        (10**30, "top", "logprobs.extra"),
        ({"a": {"b": {"c": {"d": {}}}}}, "top", "logprobs.extra.a.b.c.d"),
    ],
)
def test_unstorable_logprob_extras_are_refused(extra, where, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as caught:
        DraftInput.from_request(lp_body(extra, where))
    assert caught.value.field == field


def test_a_logprob_too_large_for_a_float_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        DraftInput.from_request({"draft": "a", "logprobs": {"tokens": ["a"], "logprobs": [-(10**400)]}})
    assert caught.value.field == "logprobs.logprobs[0]"


def test_small_extras_pass() -> None:
    parsed = DraftInput.from_request(body(ticket={"id": 17, "tags": ["a"], "score": 0.5}, flag=True, note=None))
    assert dict(parsed.extra)["ticket"] == {"id": 17, "tags": ["a"], "score": 0.5}
    DraftInput.from_request(lp_body([97, 98]))
