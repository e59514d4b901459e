"""Every endpoint refuses bad callers and bad input with the stable error body and no partial rows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from reviewqueue.review import services
from reviewqueue.review.models import Queue, ReviewItem
from reviewqueue.tenancy.services import service_client_revoke
from tests.api.conftest import CSRF_TOKEN, assert_error, service_client, session_client
from tests.factories import draft_body, make_draft, make_pending_item
from tests.review.helpers import row_counts

SERVICE = [("post", "/api/v1/drafts"), ("get", "/api/v1/drafts/{draft}")]
REVIEWER = [
    ("get", "/api/v1/queues"),
    ("post", "/api/v1/items/claim-next"),
    ("get", "/api/v1/items/{item}"),
    ("post", "/api/v1/items/{item}/claim"),
    ("post", "/api/v1/items/{item}/heartbeat"),
    ("post", "/api/v1/items/{item}/release"),
    ("post", "/api/v1/items/{item}/submit"),
    ("post", "/api/v1/items/{item}/escalate"),
]
ITEM_ENDPOINTS = [e for e in REVIEWER if "{item}" in e[1]]
ITEM_ACTIONS = ["heartbeat", "release", "submit", "escalate"]
UNKNOWN = 10**9


@dataclass
class Scene:
    world: object
    item: ReviewItem  # claimed by world.reviewer in the billing queue
    draft_id: int

    def url(self, template: str, *, item: int | None = None, draft: int | None = None) -> str:
        return template.format(item=item or self.item.pk, draft=draft or self.draft_id)

    def valid_body(self, action: str) -> dict | None:
        return {
            "submit": {"disposition": "approved"},
            "escalate": {"queue_id": self.world.l2_queue.pk, "note": "for l2"},
            "claim-next": {},
            "drafts": draft_body(),
        }.get(action)


@pytest.fixture
def scene(world) -> Scene:
    make_pending_item(world)
    item = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    return Scene(world=world, item=item, draft_id=item.draft_id)


def call(client: APIClient, method: str, url: str, body=None, **extra):
    if method == "get":
        return client.get(url, **extra)
    return client.post(url, body if body is not None else {}, format="json", **extra)


def action_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def body_for(scene: Scene, url: str):
    return scene.valid_body(action_of(url))


# --- authentication --------------------------------------------------------------------------
@pytest.mark.parametrize(("method", "template"), SERVICE + REVIEWER)
def test_no_credentials_is_401(scene, method, template):
    url = scene.url(template)
    before = row_counts()
    response = call(APIClient(), method, url, body_for(scene, url), HTTP_IDEMPOTENCY_KEY="k")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"
    assert row_counts() == before


@pytest.mark.parametrize(("method", "template"), SERVICE)
@pytest.mark.parametrize(
    "header",
    ["Bearer rq_nothere_secret", "Bearer rq_", "Bearer not-a-key", "Token {key}", "Bearer ", "{key}"],
)
def test_bad_api_key_is_401(scene, method, template, header):
    url = scene.url(template)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header.format(key=scene.world.api_key))
    before = row_counts()
    response = call(client, method, url, draft_body(), HTTP_IDEMPOTENCY_KEY="k")
    assert_error(response, 401, "authentication_failed")
    assert row_counts() == before


def test_tampered_api_key_is_401(scene):
    key = scene.world.api_key
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert_error(service_client(tampered).get(scene.url("/api/v1/drafts/{draft}")), 401, "authentication_failed")


@pytest.mark.parametrize(("method", "template"), SERVICE)
def test_revoked_api_key_is_401(scene, method, template):
    client = service_client(scene.world.api_key)
    assert client.get(scene.url("/api/v1/drafts/{draft}")).status_code == 200
    service_client_revoke(client=scene.world.client, now=timezone.now())
    before = row_counts()
    response = call(client, method, scene.url(template), draft_body(), HTTP_IDEMPOTENCY_KEY="k")
    assert_error(response, 401, "authentication_failed")
    assert row_counts() == before


@pytest.mark.parametrize(("method", "template"), SERVICE)
def test_reviewer_session_cannot_use_service_endpoints(scene, method, template):
    before = row_counts()
    response = call(
        session_client(scene.world.reviewer), method, scene.url(template), draft_body(), HTTP_IDEMPOTENCY_KEY="k"
    )
    assert_error(response, 403, "forbidden")
    assert row_counts() == before


@pytest.mark.parametrize(("method", "template"), REVIEWER)
def test_service_key_cannot_use_reviewer_endpoints(scene, method, template):
    url = scene.url(template)
    before = row_counts()
    response = call(service_client(scene.world.api_key), method, url, body_for(scene, url))
    assert_error(response, 403, "forbidden")
    assert row_counts() == before


@pytest.mark.parametrize(("method", "template"), [e for e in REVIEWER if e[0] == "post"])
def test_session_post_without_csrf_token_is_403(scene, method, template):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(scene.world.reviewer)
    client.cookies["csrftoken"] = CSRF_TOKEN  # the cookie alone is not enough
    url = scene.url(template)
    before = row_counts()
    error = assert_error(call(client, method, url, body_for(scene, url)), 403, "forbidden")
    assert "CSRF" in error["message"]
    assert row_counts() == before
    scene.item.refresh_from_db()
    assert scene.item.state == "claimed" and scene.item.lease_owner == scene.world.reviewer


def test_session_post_with_a_wrong_csrf_token_is_403(scene):
    client = session_client(scene.world.reviewer)
    client.credentials(HTTP_X_CSRFTOKEN="z" * 32)
    assert_error(client.post("/api/v1/items/claim-next", {}, format="json"), 403, "forbidden")


# --- tenancy and membership -----------------------------------------------------------------
def test_other_tenants_client_cannot_see_the_draft(scene):
    response = service_client(scene.world.other_api_key).get(scene.url("/api/v1/drafts/{draft}"))
    assert_error(response, 404, "not_found")


@pytest.mark.parametrize(("method", "template"), ITEM_ENDPOINTS)
def test_stranger_from_another_tenant_gets_404(scene, method, template):
    url = scene.url(template)
    before = row_counts()
    assert_error(call(session_client(scene.world.stranger), method, url, body_for(scene, url)), 404, "not_found")
    assert row_counts() == before


def test_stranger_sees_only_own_tenants_queues(scene):
    response = session_client(scene.world.stranger).get("/api/v1/queues")
    assert response.status_code == 200
    assert {q["tenant"] for q in response.json()["queues"]} == {scene.world.other_tenant.slug}


def test_stranger_cannot_claim_in_another_tenants_queue(scene):
    before = row_counts()
    response = session_client(scene.world.stranger).post(
        "/api/v1/items/claim-next", {"queue_ids": [scene.world.queue.pk]}, format="json"
    )
    assert_error(response, 403, "forbidden")
    assert row_counts() == before


@pytest.mark.parametrize(("method", "template"), ITEM_ENDPOINTS)
def test_outsider_in_the_same_tenant_gets_403(scene, method, template):
    url = scene.url(template)
    before = row_counts()
    assert_error(call(session_client(scene.world.outsider), method, url, body_for(scene, url)), 403, "forbidden")
    assert row_counts() == before


def test_outsider_sees_no_queues_and_claims_nothing(scene):
    client = session_client(scene.world.outsider)
    assert client.get("/api/v1/queues").json() == {"queues": []}
    make_pending_item(scene.world)
    before = row_counts()
    assert client.post("/api/v1/items/claim-next", {}, format="json").status_code == 204
    assert_error(
        client.post("/api/v1/items/claim-next", {"queue_ids": [scene.world.queue.pk]}, format="json"), 403, "forbidden"
    )
    assert row_counts() == before


@pytest.mark.parametrize("action", ITEM_ACTIONS)
def test_reviewer_not_in_the_items_queue_gets_403(scene, action):
    world = scene.world
    make_pending_item(world, queue=world.l2_queue)
    l2_item = services.review_item_claim_next(user=world.reviewer, now=timezone.now(), queue_ids=[world.l2_queue.pk])
    before = row_counts()
    response = session_client(world.other_reviewer).post(
        f"/api/v1/items/{l2_item.pk}/{action}", scene.valid_body(action) or {}, format="json"
    )
    assert_error(response, 403, "forbidden")
    assert row_counts() == before


# --- unknown ids and paths --------------------------------------------------------------------
@pytest.mark.parametrize(("method", "template"), [e for e in SERVICE + REVIEWER if "{" in e[1]])
def test_unknown_id_is_404(scene, method, template):
    url = scene.url(template, item=UNKNOWN, draft=UNKNOWN)
    client = service_client(scene.world.api_key) if "/drafts" in template else session_client(scene.world.reviewer)
    before = row_counts()
    assert_error(call(client, method, url, body_for(scene, url)), 404, "not_found")
    assert row_counts() == before


def test_unknown_api_path_is_404_with_the_error_body(scene):
    assert_error(service_client(scene.world.api_key).get("/api/v1/nope"), 404, "not_found")
    assert_error(service_client(scene.world.api_key).get("/api/v1/drafts/abc"), 404, "not_found")


def test_wrong_method_is_405(scene):
    assert_error(session_client(scene.world.reviewer).get("/api/v1/items/claim-next"), 405, "method_not_allowed")
    assert_error(
        service_client(scene.world.api_key).delete(scene.url("/api/v1/drafts/{draft}")), 405, "method_not_allowed"
    )


# --- wrong state, lost lease, SLA passed ---------------------------------------------------------
@pytest.mark.parametrize("action", ITEM_ACTIONS)
def test_action_on_a_resolved_item_is_409_invalid_state(scene, action):
    world = scene.world
    services.review_item_submit(user=world.reviewer, item_id=scene.item.pk, disposition="approved", now=timezone.now())
    before = row_counts()
    response = session_client(world.reviewer).post(
        f"/api/v1/items/{scene.item.pk}/{action}", scene.valid_body(action) or {}, format="json"
    )
    assert_error(response, 409, "invalid_state")
    assert row_counts() == before


@pytest.mark.parametrize("reclaimed", [False, True])
@pytest.mark.parametrize("action", ITEM_ACTIONS)
def test_action_on_a_lost_lease_is_409_lease_lost(scene, action, reclaimed):
    world = scene.world
    client = session_client(world.reviewer)
    with time_machine.travel(scene.item.lease_expires_at + timedelta(seconds=1), tick=False):
        if reclaimed:
            services.review_item_claim_next(user=world.other_reviewer, now=timezone.now())
        before = row_counts()
        response = client.post(f"/api/v1/items/{scene.item.pk}/{action}", scene.valid_body(action) or {}, format="json")
    error = assert_error(response, 409, "lease_lost")
    assert error["details"] == {"item_id": scene.item.pk}
    assert row_counts() == before
    scene.item.refresh_from_db()
    assert scene.item.state == "claimed"
    assert scene.item.lease_owner == (world.other_reviewer if reclaimed else world.reviewer)


@pytest.mark.parametrize("action", ["release", "submit", "escalate"])
def test_action_after_the_sla_passed_is_409(scene, action):
    world = scene.world
    item = make_pending_item(world, queue=world.l2_queue)
    with time_machine.travel(item.due_at - timedelta(seconds=30), tick=False):
        services.review_item_claim_next(user=world.reviewer, now=timezone.now(), queue_ids=[world.l2_queue.pk])
    body = {"queue_id": world.queue.pk, "note": "x"} if action == "escalate" else scene.valid_body(action)
    with time_machine.travel(item.due_at, tick=False):
        before = row_counts()
        response = session_client(world.reviewer).post(f"/api/v1/items/{item.pk}/{action}", body or {}, format="json")
    assert_error(response, 409, "sla_expired")
    assert row_counts() == before


# --- malformed and invalid bodies ------------------------------------------------------------------
def _poster(scene: Scene, template: str) -> tuple[APIClient, str, dict]:
    if template == "/api/v1/drafts":
        return service_client(scene.world.api_key), template, {"HTTP_IDEMPOTENCY_KEY": "bad-body"}
    return session_client(scene.world.reviewer), scene.url(template), {}


BODY_ENDPOINTS = [
    "/api/v1/drafts",
    "/api/v1/items/claim-next",
    "/api/v1/items/{item}/submit",
    "/api/v1/items/{item}/escalate",
]


@pytest.mark.parametrize("template", BODY_ENDPOINTS)
@pytest.mark.parametrize("raw", ['{"draft": ', "{'single': 'quotes'}", "[1, 2", "\x00", "NaN-ish"])
def test_malformed_json_is_400(scene, template, raw):
    client, url, extra = _poster(scene, template)
    before = row_counts()
    response = client.post(url, raw, content_type="application/json", **extra)
    assert_error(response, 400, "malformed_json")
    assert row_counts() == before


@pytest.mark.parametrize("template", BODY_ENDPOINTS)
@pytest.mark.parametrize("body", ["[]", '"text"', "42", "null", "[{}]"])
def test_body_that_is_not_an_object_is_400(scene, template, body):
    client, url, extra = _poster(scene, template)
    before = row_counts()
    response = client.post(url, body, content_type="application/json", **extra)
    assert_error(response, 400, "invalid")
    assert row_counts() == before


@pytest.mark.parametrize("template", BODY_ENDPOINTS)
def test_form_encoded_body_is_415(scene, template):
    client, url, extra = _poster(scene, template)
    before = row_counts()
    response = client.post(url, "draft=hello", content_type="application/x-www-form-urlencoded", **extra)
    assert_error(response, 415, "unsupported_media_type")
    assert row_counts() == before


INVALID_DRAFTS = [
    ("draft", {"draft": None}),
    ("draft", {"draft": 5}),
    ("draft", {"draft": ["a"]}),
    ("draft", {"draft": "   "}),
    ("draft", {"draft": "x" * 50_001}),
    ("question", {"question": {"q": 1}}),
    ("passages", {"passages": "kb-17"}),
    ("passages[0]", {"passages": ["text only"]}),
    ("passages[0].text", {"passages": [{"id": "a", "text": 3}]}),
    ("passages[1].id", {"passages": [{"id": "a", "text": "x"}, {"id": "a", "text": "y"}]}),
    ("metadata", {"metadata": ["warranty"]}),
    ("metadata.amount", {"metadata": {"amount": "12.50"}}),
    ("metadata.amount", {"metadata": {"amount": -1}}),
    ("metadata.amount", {"metadata": {"amount": True}}),
    ("metadata.intent", {"metadata": {"intent": 7}}),
    ("metadata.generator_model", {"metadata": {"generator_model": "m" * 201}}),
    ("logprobs", {"logprobs": [-0.1]}),
    ("logprobs.logprobs", {"logprobs": {"tokens": ["a", "b"], "logprobs": [-0.1]}}),
    ("logprobs.logprobs[0]", {"logprobs": {"tokens": ["a"], "logprobs": [0.5]}}),
    ("logprobs.logprobs[0]", {"logprobs": {"tokens": ["a"], "logprobs": ["x"]}}),
    ("queue", {"queue": 12}),
    ("surprise", {"surprise": True}),
]


@pytest.mark.parametrize(("field", "override"), INVALID_DRAFTS, ids=[f for f, _ in INVALID_DRAFTS])
def test_invalid_draft_fields_are_400_naming_the_field(scene, field, override):
    body = draft_body()
    body.update(override)
    if override.get("draft", "") is None:
        del body["draft"]
    before = row_counts()
    response = service_client(scene.world.api_key).post(
        "/api/v1/drafts", body, format="json", HTTP_IDEMPOTENCY_KEY="invalid"
    )
    error = assert_error(response, 400, "invalid")
    assert list(error["details"]["fields"]) == [field]
    assert row_counts() == before


@pytest.mark.parametrize("key", [None, "", "   ", "k" * 201, "tab\tkey"])
def test_missing_or_bad_idempotency_key_is_400(scene, key):
    extra = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    before = row_counts()
    response = service_client(scene.world.api_key).post("/api/v1/drafts", draft_body(), format="json", **extra)
    error = assert_error(response, 400, "invalid")
    assert error["details"] == {"field": "Idempotency-Key"}
    assert row_counts() == before


def test_unknown_queue_name_is_404(scene):
    before = row_counts()
    response = service_client(scene.world.api_key).post(
        "/api/v1/drafts", draft_body(queue="nope"), format="json", HTTP_IDEMPOTENCY_KEY="q"
    )
    assert_error(response, 404, "not_found")
    assert row_counts() == before


INVALID_REVIEW = [
    ("submit", {}, "disposition"),
    ("submit", {"disposition": 5}, "disposition"),
    ("submit", {"disposition": "escalated"}, "disposition"),
    ("submit", {"disposition": "approved", "note": ["x"]}, "note"),
    ("submit", {"disposition": "approved", "note": "n" * 5001}, "note"),
    ("submit", {"disposition": "edited", "final_text": None}, "final_text"),
    ("submit", {"disposition": "rejected", "reason_code": {"code": "unsafe"}}, "reason_code"),
    ("escalate", {}, "queue_id"),
    ("escalate", {"note": "x"}, "queue_id"),
    ("escalate", {"queue_id": "l2", "note": "x"}, "queue_id"),
    ("escalate", {"queue_id": 0, "note": "x"}, "queue_id"),
    ("escalate", {"queue_id": 1}, "note"),
    ("escalate", {"queue_id": 1, "note": None}, "note"),
    # JSON types are strict: DRF alone would coerce 5 → "5" and "5" → 5.
    ("submit", {"disposition": "edited", "final_text": 123}, "final_text"),
    ("submit", {"disposition": "approved", "note": 5}, "note"),
    ("submit", {"disposition": "rejected", "reason_code": 7}, "reason_code"),
    ("escalate", {"queue_id": "QUEUE", "note": "x"}, "queue_id"),
    ("escalate", {"queue_id": True, "note": "x"}, "queue_id"),
    ("escalate", {"queue_id": 1.5, "note": "x"}, "queue_id"),
    ("escalate", {"queue_id": "L2", "note": 9}, "note"),
    ("claim-next", {"queue_ids": ["QUEUE"]}, "queue_ids"),
    ("claim-next", {"queue_ids": "1"}, "queue_ids"),
    ("claim-next", {"queue_ids": ["x"]}, "queue_ids"),
    ("claim-next", {"queue_ids": [0]}, "queue_ids"),
]


@pytest.mark.parametrize(("action", "body", "field"), INVALID_REVIEW)
def test_invalid_review_bodies_are_400_naming_the_field(scene, action, body, field):
    # "QUEUE" is the billing queue's id as a string, "L2" the escalation target's id as an integer.
    fill = {"QUEUE": str(scene.world.queue.pk), "L2": scene.world.l2_queue.pk}
    body = {
        k: fill.get(v, v) if isinstance(v, str) else [fill.get(x, x) for x in v] if isinstance(v, list) else v
        for k, v in body.items()
    }
    url = "/api/v1/items/claim-next" if action == "claim-next" else f"/api/v1/items/{scene.item.pk}/{action}"
    before = row_counts()
    response = session_client(scene.world.reviewer).post(url, body, format="json")
    error = assert_error(response, 400, "invalid")
    assert field in error["details"]["fields"]
    assert row_counts() == before
    scene.item.refresh_from_db()
    assert scene.item.state == "claimed"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"disposition": "edited", "final_text": " "}, "final_text"),
        ({"disposition": "rejected", "reason_code": "not_in_the_list"}, "reason_code"),
        ({"disposition": "rejected"}, "reason_code"),
    ],
)
def test_submit_rules_checked_by_the_service_are_400(scene, body, field):
    before = row_counts()
    response = session_client(scene.world.reviewer).post(f"/api/v1/items/{scene.item.pk}/submit", body, format="json")
    error = assert_error(response, 400, "invalid")
    assert error["details"]["field"] == field
    assert row_counts() == before


def test_escalate_to_own_queue_is_400_and_to_foreign_queue_404(scene):
    world = scene.world
    client = session_client(world.reviewer)
    url = f"/api/v1/items/{scene.item.pk}/escalate"
    before = row_counts()
    assert_error(client.post(url, {"queue_id": world.queue.pk, "note": "x"}, format="json"), 400, "invalid")
    foreign = Queue.objects.get(tenant=world.other_tenant)
    assert_error(client.post(url, {"queue_id": foreign.pk, "note": "x"}, format="json"), 404, "not_found")
    assert row_counts() == before


# --- body size --------------------------------------------------------------------------------
@pytest.mark.parametrize("template", BODY_ENDPOINTS)
def test_oversized_body_is_413(scene, settings, template):
    client, url, extra = _poster(scene, template)
    client.get("/api/v1/queues")  # middleware already loaded before the limit changes
    settings.REVIEWQUEUE_MAX_BODY_BYTES = 2048
    body = draft_body(draft="x" * 3000) if "drafts" in template else {"disposition": "approved", "note": "n" * 3000}
    before = row_counts()
    response = client.post(url, body, format="json", **extra)
    error = assert_error(response, 413, "body_too_large")
    assert error["details"] == {"limit_bytes": 2048}
    assert row_counts() == before
    # Just under the limit goes through to validation as usual.
    small = client.post(url, "{}", content_type="application/json", **extra)
    assert small.status_code != 413


def test_draft_just_under_the_limit_is_accepted(scene, settings):
    settings.REVIEWQUEUE_MAX_BODY_BYTES = 4096
    client = service_client(scene.world.api_key)
    assert (
        client.post(
            "/api/v1/drafts", draft_body(draft="y" * 3000), format="json", HTTP_IDEMPOTENCY_KEY="fits"
        ).status_code
        == 201
    )


def test_invalid_content_length_is_400(scene):
    response = service_client(scene.world.api_key).post(
        "/api/v1/drafts", "{}", content_type="application/json", CONTENT_LENGTH="lots", HTTP_IDEMPOTENCY_KEY="x"
    )
    assert_error(response, 400, "invalid_content_length")


def test_draft_of_another_client_in_the_same_tenant_is_visible(scene):
    # Tenancy is the boundary for reads: a tenant's services share its drafts.
    from reviewqueue.tenancy.services import service_client_create

    _, key = service_client_create(tenant=scene.world.tenant, name="second")
    draft = make_draft(scene.world)
    assert service_client(key).get(f"/api/v1/drafts/{draft.pk}").status_code == 200


@pytest.mark.parametrize(
    ("field", "override"),
    [
        ("draft", {"draft": "Refunds\u0000 take 5 days."}),
        ("question", {"question": "Why\ud800?"}),
        ("passages[0].text", {"passages": [{"id": "kb", "text": "nul \u0000 inside"}]}),
        ("metadata.intent", {"metadata": {"intent": "\udfff"}}),
        ("metadata.extra[0]", {"metadata": {"extra": ["a\u0000"]}}),
    ],
)
def test_unstorable_characters_are_400_not_500(scene, field, override):
    # NUL cannot be stored in PostgreSQL text/jsonb and a lone surrogate cannot be encoded at all:
    # both must be refused as input errors, on every database.
    body = draft_body()
    body.update(override)
    before = row_counts()
    # json.dumps escapes the characters (\u0000, \ud800) the way a real client sends them.
    response = service_client(scene.world.api_key).post(
        "/api/v1/drafts", json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY="nul"
    )
    error = assert_error(response, 400, "invalid")
    assert list(error["details"]["fields"]) == [field]
    assert row_counts() == before


@pytest.mark.parametrize(
    "body", [{"disposition": "edited", "final_text": "a\u0000b"}, {"disposition": "approved", "note": "\ud800"}]
)
def test_unstorable_characters_in_review_input_are_400(scene, body):
    before = row_counts()
    response = session_client(scene.world.reviewer).post(
        f"/api/v1/items/{scene.item.pk}/submit", json.dumps(body), content_type="application/json"
    )
    assert_error(response, 400, "invalid")
    assert row_counts() == before


def test_unexpected_server_error_keeps_the_error_body(scene, monkeypatch):
    def crash(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "review_item_heartbeat", crash)
    client = session_client(scene.world.reviewer)
    client.raise_request_exception = False
    response = client.post(f"/api/v1/items/{scene.item.pk}/heartbeat")
    error = assert_error(response, 500, "server_error")
    assert "boom" not in error["message"]  # no internals leak


def test_reviewer_removed_from_the_tenant_can_no_longer_claim(scene):
    from reviewqueue.tenancy.models import Membership

    world = scene.world
    make_pending_item(world)
    # Their tenant membership is revoked; the queue group was left behind by mistake.
    Membership.objects.filter(user=world.other_reviewer, tenant=world.tenant).delete()
    client = session_client(world.other_reviewer)
    assert client.get("/api/v1/queues").json() == {"queues": []}
    before = row_counts()
    assert client.post("/api/v1/items/claim-next", {}, format="json").status_code == 204
    assert row_counts() == before


@pytest.mark.parametrize("template", ["/api/v1/drafts/{id}", "/api/v1/items/{id}", "/api/v1/items/{id}/submit"])
def test_id_beyond_the_integer_range_is_404(scene, template):
    url = template.format(id=10**20)
    client = service_client(scene.world.api_key) if "drafts" in url else session_client(scene.world.reviewer)
    client.raise_request_exception = False
    method = "post" if url.endswith("submit") else "get"
    assert_error(call(client, method, url, {"disposition": "approved"}), 404, "not_found")
