"""Middleware the browser pages need and the JSON API does not, skipped under /api/v1/.

The API answers JSON to services and reviewer clients: it shows no flash messages, reads no htmx
headers, and DRF makes its own CSRF check for session-authenticated calls (APIView is csrf_exempt
to the middleware anyway). Running these three on every API request cost about 5% of an
enqueue's CPU. CommonMiddleware stays on everywhere: it is what sets Content-Length.

Each class here is the original one, subclassed, so Django's and the admin's checks still find
it in MIDDLEWARE.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.messages.middleware import MessageMiddleware as _MessageMiddleware
from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware as _CsrfViewMiddleware
from django_htmx.middleware import HtmxMiddleware as _HtmxMiddleware

API_PREFIX = "/api/v1/"

M = TypeVar("M", bound=type)


def browser_only(middleware: M) -> M:
    """`middleware`, passing API requests straight through to the next layer."""

    class Skipping(middleware):  # type: ignore[misc, valid-type]
        def __call__(self, request: HttpRequest) -> Any:
            if request.path_info.startswith(API_PREFIX):
                get_response: Callable[[HttpRequest], Any] = self.get_response
                return get_response(request)  # in ASGI mode a coroutine, awaited by the caller
            return super().__call__(request)

    Skipping.__name__ = Skipping.__qualname__ = middleware.__name__
    Skipping.__module__ = __name__
    return Skipping  # type: ignore[return-value]


MessageMiddleware = browser_only(_MessageMiddleware)
CsrfViewMiddleware = browser_only(_CsrfViewMiddleware)
HtmxMiddleware = browser_only(_HtmxMiddleware)
