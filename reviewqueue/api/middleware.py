"""Refuse oversized bodies before anything parses them; throttle failed API authentications."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from reviewqueue.api.errors import error_json
from reviewqueue.limits import FailureLimit, locked_for


class BodySizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Read per request, not once at start-up, so a settings override (tests, a reload) applies.
        limit = settings.REVIEWQUEUE_MAX_BODY_BYTES
        raw = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw)
        except ValueError:
            return error_json("invalid_content_length", "Content-Length is not a number.", 400)
        if length > limit:
            return error_json("body_too_large", f"The request body exceeds {limit} bytes.", 413, {"limit_bytes": limit})
        return self.get_response(request)


def _failure_limits() -> tuple[FailureLimit, FailureLimit]:
    limit, window = settings.REVIEWQUEUE_API_AUTH_FAILURES, settings.REVIEWQUEUE_API_AUTH_FAILURE_WINDOW_SECONDS
    return FailureLimit("api-key-prefix", limit, window), FailureLimit("api-address", limit, window)


def _key_prefix(header: str) -> str | None:
    scheme, _, key = header.partition(" ")
    parts = key.strip().split("_")
    if scheme != "Bearer" or len(parts) < 3 or parts[0] != "rq":
        return None
    return parts[1][:32]


class ApiAuthFailureThrottleMiddleware:
    """Wrong API keys are throttled per key prefix and per client address, before authentication.

    DRF checks its throttles only after authentication succeeded, so guessing the secret of a
    known prefix would never meet them; this counts the 401 answers instead. A locked prefix or
    address gets 429 with Retry-After without the key being looked up. Only requests that carry
    an Authorization header are counted (reviewers' session requests do not).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header or not request.path.startswith("/api/"):
            return self.get_response(request)
        by_prefix, by_address = _failure_limits()
        prefix = _key_prefix(header)
        address = request.META.get("REMOTE_ADDR", "") or "unknown"
        checks = [(by_address, address)] + ([(by_prefix, prefix)] if prefix is not None else [])
        wait = locked_for(checks)  # one cache read for both
        if wait is not None:
            refused = error_json(
                "throttled",
                f"Too many failed authentications; try again in {wait} seconds.",
                429,
                {"retry_after_seconds": wait},
            )
            refused["Retry-After"] = str(wait)
            return refused
        response = self.get_response(request)
        if response.status_code == 401:
            by_address.record_failure(address)
            if prefix is not None:
                by_prefix.record_failure(prefix)
        return response
