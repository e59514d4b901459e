"""A bounded schemathesis run against the API with 0 server errors (issue 15).

The schema is the one the app serves (/api/v1/schema, drf-spectacular), fetched through the WSGI
app; every operation gets a bounded number of generated requests, called in-process through the
same WSGI app, authenticated as a service (API key) or as a signed-in reviewer (session + CSRF)
for the reviewer operations. Hypothesis is derandomized, so CI sees the same cases every run.
Only "not a server error" is checked: a 4xx with the stable error body is a fine answer to
hostile input, a 500 never is. One exception: `POST /api/v1/assist` has no LLM endpoint
configured here, so a valid request is refused with 503 `llm_not_configured` in the stable error
body (the documented answer for an LLM that cannot be called); any other 5xx there still fails.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
import schemathesis
from django.conf import settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from tests.api.conftest import CSRF_TOKEN
from tests.factories import World, make_pending_item

EXAMPLES_PER_OPERATION = 25
OPERATIONS = 14
ASSIST = "/api/v1/assist"
# A body assist accepts, given to half its cases (as real ids are to the item and draft paths):
# else nearly every generated object is a 400 and the path past validation is never reached.
ASSIST_BODY = {
    "question": "How long is the warranty on the X200 blender?",
    "passages": [{"id": "kb-17", "text": "All X200 blenders come with a two-year limited warranty."}],
}

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture
def api_schema():  # type: ignore[no-untyped-def]
    # As Django's test client does: a request must not close the test's connection (the test's
    # transaction holds the personas) at its start and end.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema?format=json", WSGIHandler())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def auth(world: World, client, settings):  # type: ignore[no-untyped-def]
    """Headers and cookies per caller. A few pending items give claim-next and friends real rows."""
    settings.REVIEWQUEUE_API_RATE_PER_CLIENT = "100000/min"  # the run itself must not be throttled
    settings.REVIEWQUEUE_API_RATE_PER_TENANT = "100000/min"
    items = [make_pending_item(world) for _ in range(4)]
    client.force_login(world.reviewer)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {
        "ids": {"item_id": [item.pk for item in items], "draft_id": [item.draft_id for item in items]},
        "service": ({"Authorization": f"Bearer {world.api_key}"}, {}),
        "reviewer": (
            {"X-CSRFToken": CSRF_TOKEN},
            {settings.SESSION_COOKIE_NAME: session, settings.CSRF_COOKIE_NAME: CSRF_TOKEN},
        ),
    }


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    # Enqueued drafts must not reach a worker another test run may have listening on the broker.
    from reviewqueue.intake import services

    monkeypatch.setattr(services, "draft_dispatch", lambda *, draft_id, expires: True)


def _fuzz(operation, headers: dict[str, str], cookies: dict[str, str], ids: dict[str, list[int]]) -> Counter[int]:  # type: ignore[no-untyped-def]
    """Run one operation's bounded, derandomized examples; returns the status codes answered.
    Path ids are the generated ones or, as often, rows that exist (else nearly every case is a 404)."""
    statuses: Counter[int] = Counter()
    param = next((name for name in ("item_id", "draft_id") if "{" + name + "}" in operation.path), None)
    real = st.sampled_from([None, *ids[param]]) if param else st.none()
    body = st.sampled_from([None, ASSIST_BODY]) if operation.path == ASSIST else st.none()

    @hypothesis_settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), real_id=real, real_body=body)
    def run(case, real_id, real_body) -> None:  # type: ignore[no-untyped-def]
        if real_id is not None:
            case.path_parameters = {**case.path_parameters, param: real_id}
        if real_body is not None:
            case.body = dict(real_body)
        # The schema's security schemes make schemathesis generate its own Authorization header
        # and session cookie; ours replace them, or most cases would only test authentication.
        case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"} | headers
        case.cookies = dict(cookies)
        if operation.path == ASSIST:
            response = case.call()
            if response.status_code == 503:
                _assert_llm_not_configured(response)
            else:
                case.validate_response(response, checks=[not_a_server_error])
        else:
            response = case.call_and_validate(checks=[not_a_server_error])
        statuses[response.status_code] += 1

    run()
    return statuses


def _assert_llm_not_configured(response) -> None:  # type: ignore[no-untyped-def]
    """The one 5xx assist may answer here: no LLM endpoint, in the stable error body."""
    body = json.loads(response.content)
    assert list(body) == ["error"] and set(body["error"]) == {"code", "message", "details"}, body
    assert body["error"]["code"] == "llm_not_configured", body


def test_api_answers_generated_requests_without_server_errors(api_schema, auth) -> None:  # type: ignore[no-untyped-def]
    # One Hypothesis run per operation (schemathesis' own pytest fixture loader does not work with
    # pytest 9, so the operations are walked here); a failure names the operation and the case.
    calls: dict[str, Counter[int]] = {}
    for result in api_schema.get_all_operations():
        operation = result.ok()
        # The label export takes a lead's session too; a service key reaches its filters.
        service = operation.path.startswith("/api/v1/drafts") or operation.path in (ASSIST, "/api/v1/labels")
        caller = "service" if service else "reviewer"
        calls[f"{operation.method.upper()} {operation.path}"] = _fuzz(operation, *auth[caller], ids=auth["ids"])
    total = sum((c for c in calls.values()), Counter())
    print(f"schemathesis: {total.total()} requests over {len(calls)} operations: {dict(sorted(total.items()))}")
    assert len(calls) == OPERATIONS, calls
    # Authenticated for real: the callers' reads succeed, not only 401s.
    assert calls["GET /api/v1/queues"][200] > 0 and calls["GET /api/v1/drafts/{draft_id}"][200] > 0, calls
    assert calls["GET /api/v1/labels"][200] > 0 and calls["GET /api/v1/labels"][400] > 0, calls
    # Assist was reached past validation (its LLM is unconfigured here: 503 llm_not_configured),
    # and refused hostile bodies with a 4xx.
    assist = calls[f"POST {ASSIST}"]
    assert assist[503] > 0 and sum(n for code, n in assist.items() if 400 <= code < 500) > 0, assist
    assert set(assist) <= {400, 409, 413, 415, 503}, assist
    assert total[401] == 0 and total[429] == 0, calls


def test_the_run_covers_every_operation(api_schema) -> None:  # type: ignore[no-untyped-def]
    operations = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}
    assert len(operations) == OPERATIONS, operations
    assert ("POST", ASSIST) in operations
    assert settings.REST_FRAMEWORK["EXCEPTION_HANDLER"] == "reviewqueue.api.errors.exception_handler"
