"""Structured logs: one JSON object per line, with the `extra=` fields and the request id.

Call sites log as usual, `logger.info("…", extra={"action": "review.lease.expired", "item_id": …})`;
`JsonFormatter` writes the message, the level, the logger, every `extra` field and, inside a
request, the request id that `RequestIdMiddleware` took from `X-Request-ID` (or made up) and
sends back in the response, so one request's lines can be found together across processes.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is kept only if it is short and plain: it is echoed in a header and in every log line.
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

request_id: ContextVar[str] = ContextVar("request_id", default="")

# What every LogRecord has; anything else on a record came from `extra=`.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if rid := request_id.get():
            entry["request_id"] = rid
        entry.update((key, value) for key, value in vars(record).items() if key not in _RECORD_FIELDS)
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        # default=str: an extra that JSON cannot hold (a datetime, a model) is written as text,
        # never dropped and never a crash inside logging.
        return json.dumps(entry, default=str, ensure_ascii=False)


class RequestIdMiddleware:
    """Gives each request an id for its log lines and answers it in `X-Request-ID`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        rid = given if _VALID_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response[REQUEST_ID_HEADER] = rid
        return response
