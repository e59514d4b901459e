"""The OpenAPI schema is generated (drf-spectacular), valid, warning-free, and served with Swagger."""

from __future__ import annotations

import yaml
from django.core.management import call_command

from tests.api.conftest import service_client

OPERATIONS = {
    ("/api/v1/drafts", "post"),
    ("/api/v1/drafts/{draft_id}", "get"),
    ("/api/v1/queues", "get"),
    ("/api/v1/items/claim-next", "post"),
    ("/api/v1/items/{item_id}", "get"),
    ("/api/v1/items/{item_id}/heartbeat", "post"),
    ("/api/v1/items/{item_id}/release", "post"),
    ("/api/v1/items/{item_id}/submit", "post"),
    ("/api/v1/items/{item_id}/escalate", "post"),
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
    # The init script is its own request (no inline script under the CSP); it names the schema.
    script = client.get("/api/v1/docs?script=")
    assert script.status_code == 200
    assert b"/api/v1/schema" in script.content
