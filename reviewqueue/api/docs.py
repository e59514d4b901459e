"""The OpenAPI schema and Swagger UI, served only while REVIEWQUEUE_API_DOCS is on.

Swagger UI is drf-spectacular's split view (its init script is a separate request, not inline)
with a template that has no inline style, so the docs page adds to the site's CSP only the origins
it loads Swagger UI from (REVIEWQUEUE_API_DOCS_CSP_SOURCES), and only on that page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from reviewqueue.api.errors import error_json

View = Callable[..., HttpResponseBase]


def _when_enabled(view: View, *, csp_sources: bool = False) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # Read per request, so turning the docs off needs no URL reload (and tests can override it).
        if not settings.REVIEWQUEUE_API_DOCS:
            return error_json("not_found", "No such endpoint.", 404)
        response = view(request, *args, **kwargs)
        if csp_sources:
            sources = list(settings.REVIEWQUEUE_API_DOCS_CSP_SOURCES)
            # django-csp's per-response update (what its csp_update decorator sets).
            response._csp_update = {  # type: ignore[attr-defined]
                "script-src": sources,
                "style-src": sources,
                "img-src": sources,
            }
        return response

    return wrapped


schema_view = _when_enabled(SpectacularAPIView.as_view())
docs_view = _when_enabled(
    SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
    csp_sources=True,
)
