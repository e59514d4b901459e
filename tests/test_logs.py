"""Logs are JSON lines that carry the `extra=` fields and the request id."""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC, datetime

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from reviewqueue.logs import JsonFormatter, RequestIdMiddleware


@pytest.fixture
def lines():
    """A logger writing through the project's formatter; returns the parsed lines so far."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.logs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield logger, lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


def test_extra_fields_are_written(lines) -> None:
    logger, read = lines
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    logger.info("moved %d", 3, extra={"action": "review.sweep.lease", "examined": 5, "moved": 3, "at": when})
    (entry,) = read()
    assert entry["message"] == "moved 3" and entry["level"] == "INFO" and entry["logger"] == "tests.logs"
    assert (entry["action"], entry["examined"], entry["moved"]) == ("review.sweep.lease", 5, 3)
    assert entry["at"] == str(when)  # not JSON: written as text, not dropped
    assert "request_id" not in entry  # outside a request


def test_exceptions_are_written(lines) -> None:
    logger, read = lines
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("failed", extra={"action": "sweep.row_failed"})
    (entry,) = read()
    assert entry["action"] == "sweep.row_failed" and "ValueError: boom" in entry["exc_info"]


def _logging_view(logger: logging.Logger):
    def view(request: HttpRequest) -> HttpResponse:
        logger.warning("inside", extra={"action": "test.inside"})
        return HttpResponse("ok")

    return view


def test_request_id_is_made_up_logged_and_answered(lines) -> None:
    logger, read = lines
    response = RequestIdMiddleware(_logging_view(logger))(RequestFactory().get("/"))
    (entry,) = read()
    assert entry["request_id"] == response["X-Request-ID"] and len(entry["request_id"]) == 32


@pytest.mark.parametrize(("given", "kept"), [("abc-123.x_Y", True), ("bad id\n", False), ("x" * 65, False)])
def test_a_callers_request_id_is_kept_only_if_plain(lines, given: str, kept: bool) -> None:
    logger, read = lines
    request = RequestFactory().get("/", headers={"X-Request-ID": given})
    response = RequestIdMiddleware(_logging_view(logger))(request)
    (entry,) = read()
    assert (response["X-Request-ID"] == given) is kept
    assert entry["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client) -> None:
    assert client.get("/healthz").has_header("X-Request-ID")
