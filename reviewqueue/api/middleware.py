"""Refuse oversized bodies before anything parses them."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from reviewqueue.api.errors import error_json


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
