"""The OpenAPI schema is generated (drf-spectacular), valid, warning-free, and served with Swagger."""

from __future__ import annotations

import functools
import re
from datetime import timedelta
from typing import Any

import jsonschema
import pytest
import yaml
from django.core.management import call_command

from reviewqueue.review.models import Decision, Disposition, DraftStatus, ItemState, Outcome
from tests.api.conftest import service_client, session_client
from tests.factories import draft_body, make_pending_item

OPERATIONS = {
    ("/api/v1/drafts", "post"),
    ("/api/v1/drafts", "get"),
    ("/api/v1/drafts/{draft_id}", "get"),
    ("/api/v1/queues", "get"),
    ("/api/v1/items/claim-next", "post"),
    ("/api/v1/items/{item_id}", "get"),
    ("/api/v1/items/{item_id}/claim", "post"),
    ("/api/v1/items/{item_id}/heartbeat", "post"),
    ("/api/v1/items/{item_id}/release", "post"),
    ("/api/v1/items/{item_id}/submit", "post"),
    ("/api/v1/items/{item_id}/escalate", "post"),
    ("/api/v1/drafts/{draft_id}/feedback", "post"),
    ("/api/v1/labels", "get"),
}


def test_schema_generates_without_warnings_and_validates(tmp_path):
    out = tmp_path / "schema.yml"
    # --fail-on-warn turns any drf-spectacular warning or error into a non-zero exit.
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    operations = {(path, method) for path, item in schema["paths"].items() for method in item}
    assert operations >= OPERATIONS
    assert schema["components"]["securitySchemes"]["ApiKey"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A service API key (rq_…).",
    }
    create = schema["paths"]["/api/v1/drafts"]["post"]
    assert {p["name"] for p in create["parameters"]} >= {"Idempotency-Key"}
    assert {"201", "200", "400", "401", "409", "413"} <= set(create["responses"])
    assert "Error" in schema["components"]["schemas"]


def test_schema_and_swagger_are_served(db):
    client = service_client("unused")
    client.credentials()  # anonymous
    schema = client.get("/api/v1/schema")
    assert schema.status_code == 200
    assert b"openapi" in schema.content
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert docs["Content-Type"].startswith("text/html")
    assert b"swagger-ui" in docs.content and b"/api/v1/docs?script=" in docs.content
    # The start-up script is a file of its own, and it points at our schema.
    script = client.get("/api/v1/docs?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert b"/api/v1/schema" in script.content


@pytest.mark.parametrize("path", ["/api/v1/docs", "/api/v1/redoc"])
def test_the_api_docs_work_offline_and_under_a_strict_csp(db, path):
    """Swagger UI and ReDoc come from the app's own static files (drf-spectacular-sidecar): no CDN,
    no other host, no inline script or style (the Content-Security-Policy is 'self')."""
    from django.contrib.staticfiles import finders

    client = service_client("unused")
    client.credentials()
    html = client.get(path).content.decode()
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    assert "<style" not in html and "style=" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None, "inline script"
    assets = re.findall(r'(?:src|href)="(/static/[^"?]+)', html)
    assert any("drf_spectacular_sidecar" in a for a in assets), assets
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), asset


# --- typed: enums, one authentication per operation, the key's constraints, responses ---------


@functools.cache
def _schema() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)  # type: ignore[no-any-return]


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 → JSON Schema: `nullable: true` becomes "or null"."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _json_schema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def assert_matches(response: Any, path: str, method: str) -> None:
    schema = _schema()
    spec = schema["paths"][path][method]["responses"][str(response.status_code)]
    body_schema = spec["content"]["application/json"]["schema"]
    document = {**_json_schema(body_schema), "components": _json_schema(schema["components"])}
    jsonschema.validate(response.json(), document)


def test_the_domains_enums_are_named_in_the_schema(db):
    schemas = _schema()["components"]["schemas"]
    for name, choices in [
        ("DecisionEnum", Decision),
        ("DispositionEnum", Disposition),
        ("OutcomeEnum", Outcome),
        ("DraftStatusEnum", DraftStatus),
        ("ItemStateEnum", ItemState),
    ]:
        assert schemas[name]["enum"] == list(choices.values), name
    assert schemas["SubmitDispositionEnum"]["enum"] == ["approved", "edited", "rejected"]


def test_each_operation_names_the_one_authentication_it_accepts(db):
    for path, item in _schema()["paths"].items():
        if not path.startswith("/api/v1/") or path == "/api/v1/schema":
            continue
        for method, operation in item.items():
            if path == "/api/v1/labels":  # a service, or an ops lead signed in
                assert operation["security"] == [{"ApiKey": []}, {"cookieAuth": []}], (path, method)
                continue
            expected = "ApiKey" if path.startswith(("/api/v1/drafts", "/api/v1/assist")) else "cookieAuth"
            assert operation["security"] == [{expected: []}], (path, method)


def test_the_idempotency_key_has_its_constraints(db):
    (key,) = [p for p in _schema()["paths"]["/api/v1/drafts"]["post"]["parameters"] if p["name"] == "Idempotency-Key"]
    assert key["required"] is True and key["in"] == "header"
    assert key["schema"]["maxLength"] == 200 and key["schema"]["minLength"] == 1


def test_responses_match_the_schema(world, clock, as_service):
    created = as_service.post("/api/v1/drafts", draft_body(), format="json", HTTP_IDEMPOTENCY_KEY="schema-1")
    assert created.status_code == 201
    assert_matches(created, "/api/v1/drafts", "post")
    replay = as_service.post("/api/v1/drafts", draft_body(), format="json", HTTP_IDEMPOTENCY_KEY="schema-1")
    assert_matches(replay, "/api/v1/drafts", "post")

    item = make_pending_item(world)
    reviewer = session_client(world.reviewer)
    queues = reviewer.get("/api/v1/queues")
    assert_matches(queues, "/api/v1/queues", "get")
    claimed = reviewer.post("/api/v1/items/claim-next", {}, format="json")
    assert_matches(claimed, "/api/v1/items/claim-next", "post")
    assert_matches(reviewer.get(f"/api/v1/items/{item.pk}"), "/api/v1/items/{item_id}", "get")
    beat = reviewer.post(f"/api/v1/items/{item.pk}/heartbeat")
    assert_matches(beat, "/api/v1/items/{item_id}/heartbeat", "post")
    clock.shift(timedelta(seconds=5))
    done = reviewer.post(f"/api/v1/items/{item.pk}/submit", {"disposition": "approved"}, format="json")
    assert_matches(done, "/api/v1/items/{item_id}/submit", "post")

    detail = as_service.get(f"/api/v1/drafts/{item.draft_id}")
    assert detail.json()["review"]["disposition"] == "approved"
    assert_matches(detail, "/api/v1/drafts/{draft_id}", "get")
    page = as_service.get("/api/v1/drafts", {"limit": 1})
    assert page.json()["next"] is not None
    assert_matches(page, "/api/v1/drafts", "get")


@pytest.mark.parametrize("status", [400, 401, 404, 409])
def test_error_responses_match_the_error_schema(world, clock, as_service, status):
    responses = {
        400: lambda: as_service.get("/api/v1/drafts", {"status": "nope"}),
        401: lambda: service_client("rq_bad").get("/api/v1/drafts"),
        404: lambda: as_service.get("/api/v1/drafts/999999"),
        409: lambda: as_service.post(
            "/api/v1/drafts", draft_body(draft="other"), format="json", HTTP_IDEMPOTENCY_KEY="k"
        ),
    }
    if status == 409:
        as_service.post("/api/v1/drafts", draft_body(), format="json", HTTP_IDEMPOTENCY_KEY="k")
    response = responses[status]()
    assert response.status_code == status
    path, method = ("/api/v1/drafts", "post") if status == 409 else ("/api/v1/drafts", "get")
    if status == 404:
        path = "/api/v1/drafts/{draft_id}"
    assert_matches(response, path, method)


def test_the_label_export_is_typed_per_format(db):
    operation = _schema()["paths"]["/api/v1/labels"]["get"]
    content = operation["responses"]["200"]["content"]
    assert content["text/csv"]["schema"] == {"type": "string"}
    row = _schema()["components"]["schemas"][content["application/x-ndjson"]["schema"]["$ref"].rsplit("/", 1)[1]]
    assert {"label", "weight", "features", "raw_score", "reviewer", "labelled_at"} <= set(row["properties"])
    (label_ref,) = row["properties"]["label"]["allOf"]
    label_enum = _schema()["components"]["schemas"][label_ref["$ref"].rsplit("/", 1)[1]]
    assert (label_enum["type"], label_enum["enum"]) == ("integer", [0, 1])
    params = {p["name"] for p in operation["parameters"]}
    assert params >= {"format", "queue", "prompt_version", "model", "fusion", "since", "until", "cursor", "limit"}
    assert {"400", "401", "403", "404"} <= set(operation["responses"])
