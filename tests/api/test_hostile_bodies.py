"""Hostile JSON: non-finite numbers, deep nesting, unbounded extras and amounts at the column's
limit are a 400 naming the field on every JSON endpoint, never a 500 or a stored row."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from reviewqueue.api.parsers import MAX_DEPTH
from reviewqueue.review import services
from reviewqueue.review.models import Draft
from tests.api.conftest import assert_error, service_client, session_client
from tests.factories import draft_body, make_pending_item
from tests.review.helpers import row_counts

BODY_ENDPOINTS = [
    "/api/v1/drafts",
    "/api/v1/items/claim-next",
    "/api/v1/items/{item}/submit",
    "/api/v1/items/{item}/escalate",
]


@pytest.fixture
def post(world):  # type: ignore[no-untyped-def]
    make_pending_item(world)
    item = services.review_item_claim_next(user=world.reviewer, now=timezone.now())

    def _post(template: str, raw: str, key: str = "hostile"):  # type: ignore[no-untyped-def]
        if template == "/api/v1/drafts":
            client, extra = service_client(world.api_key), {"HTTP_IDEMPOTENCY_KEY": key}
        else:
            client, extra = session_client(world.reviewer), {}
        return client.post(template.format(item=item.pk), raw, content_type="application/json", **extra)

    return _post


def _enqueue_raw(**metadata_raw: str) -> str:
    """A valid enqueue body with raw JSON text spliced in as metadata values."""
    body = json.dumps(draft_body())
    extra = "".join(f', "{k}": {v}' for k, v in metadata_raw.items())
    return body.replace('"metadata": {', '"metadata": {' + extra[2:] + ", ", 1)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"])
@pytest.mark.parametrize("field", ["amount", "tokens_used"])
def test_non_finite_numbers_in_metadata_are_400_naming_the_field(post, constant, field) -> None:  # type: ignore[no-untyped-def]
    before = row_counts()
    response = post("/api/v1/drafts", _enqueue_raw(**{field: constant}))
    error = assert_error(response, 400, "invalid")
    assert list(error["details"]["fields"]) == [f"metadata.{field}"]
    assert row_counts() == before


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "1e400"])
def test_non_finite_numbers_in_top_logprobs_extras_are_400(post, constant) -> None:  # type: ignore[no-untyped-def]
    body = draft_body()
    body["logprobs"] = {
        "tokens": ["a"],
        "logprobs": [-0.1],
        "top_logprobs": [[{"token": "a", "logprob": -0.1, "extra": "__X__"}]],
    }
    response = post("/api/v1/drafts", json.dumps(body).replace('"__X__"', constant))
    error = assert_error(response, 400, "invalid")
    assert list(error["details"]["fields"]) == ["logprobs.top_logprobs[0][0].extra"]


@pytest.mark.parametrize("template", BODY_ENDPOINTS)
@pytest.mark.parametrize("constant", ["NaN", "Infinity", "1e400"])
def test_non_finite_numbers_are_400_on_every_endpoint(post, template, constant) -> None:  # type: ignore[no-untyped-def]
    response = post(template, f'{{"note": "x", "queue_id": {constant}}}')
    error = assert_error(response, 400, "invalid")
    assert list(error["details"]["fields"]) == ["queue_id"]


@pytest.mark.parametrize("template", BODY_ENDPOINTS)
@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1_000, 100_000])
def test_deep_nesting_is_400_on_every_endpoint(post, template, depth) -> None:  # type: ignore[no-untyped-def]
    before = row_counts()
    response = post(template, '{"a": ' + "[" * depth + "]" * depth + "}")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["code"] in {"invalid", "malformed_json"}
    assert row_counts() == before


def test_nesting_within_the_limit_in_metadata_is_refused_by_the_extras_bound(post) -> None:  # type: ignore[no-untyped-def]
    response = post("/api/v1/drafts", _enqueue_raw(nested='{"a": {"b": {"c": {"d": {"e": 1}}}}}'))
    error = assert_error(response, 400, "invalid")
    assert list(error["details"]["fields"]) == ["metadata.nested.a.b.c.d"]


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ("100000000000000000000", "metadata.big"),  # beyond 64 bits
        ('"' + "x" * 20_000 + '"', "metadata.big"),
    ],
)
def test_unbounded_metadata_extras_are_refused(post, raw, field) -> None:  # type: ignore[no-untyped-def]
    error = assert_error(post("/api/v1/drafts", _enqueue_raw(big=raw)), 400, "invalid")
    assert list(error["details"]["fields"]) == [field]


def test_small_metadata_extras_are_stored(post) -> None:  # type: ignore[no-untyped-def]
    response = post("/api/v1/drafts", _enqueue_raw(ticket='{"id": 17, "tags": ["a", "b"], "score": 0.5}'))
    assert response.status_code == 201, response.content[:300]
    stored = Draft.objects.get(pk=response.json()["id"]).metadata
    assert stored["ticket"] == {"id": 17, "tags": ["a", "b"], "score": 0.5}


# 1.3e308 (found by schemathesis): more digits than the decimal context, which failed quantize (500).
@pytest.mark.parametrize(
    "amount", ["999999999999.995", "999999999999.999", "1000000000000", "1e13", "1.3199871264925568e+308", "1e30"]
)
def test_an_amount_the_column_cannot_hold_is_400(post, amount) -> None:  # type: ignore[no-untyped-def]
    before = row_counts()
    error = assert_error(post("/api/v1/drafts", _enqueue_raw(amount=amount)), 400, "invalid")
    assert list(error["details"]["fields"]) == ["metadata.amount"]
    assert row_counts() == before


def test_the_largest_amount_the_column_holds_is_stored(post) -> None:  # type: ignore[no-untyped-def]
    response = post("/api/v1/drafts", _enqueue_raw(amount="999999999999.99"))
    assert response.status_code == 201, response.content[:300]
    assert str(Draft.objects.get(pk=response.json()["id"]).amount) == "999999999999.99"


@pytest.mark.parametrize(
    ("template", "raw"),
    [
        ("/api/v1/items/{item}/escalate", '{"queue_id": 100000000000000000000, "note": "x"}'),
        ("/api/v1/items/claim-next", '{"queue_ids": [100000000000000000000]}'),
    ],
)
def test_ids_beyond_the_bigint_column_are_refused_not_500(post, template, raw) -> None:  # type: ignore[no-untyped-def]
    response = post(template, raw)
    assert 400 <= response.status_code < 500, response.content[:300]


def test_a_path_id_beyond_the_bigint_column_is_404(world) -> None:  # type: ignore[no-untyped-def]
    client = service_client(world.api_key)
    assert_error(client.get("/api/v1/drafts/100000000000000000000"), 404, "not_found")
    assert_error(session_client(world.reviewer).get("/api/v1/items/100000000000000000000"), 404, "not_found")
