"""The OpenAPI schema, Swagger UI and ReDoc, served only while REVIEWQUEUE_API_DOCS is on.

Both UIs come from drf-spectacular-sidecar's static files, so the docs work offline. Swagger UI
is drf-spectacular's split view (its init script is a separate request, not inline) with a
template that has no inline style, so it runs under the site's CSP as it is;
REVIEWQUEUE_API_DOCS_CSP_SOURCES adds origins for a docs page served from elsewhere, on the docs
pages only. ReDoc writes <style> elements at run time, so its page alone allows inline styles.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from reviewqueue.api.errors import error_json

View = Callable[..., HttpResponseBase]


def _when_enabled(view: View, *, csp_sources: bool = False, inline_styles: bool = False) -> View:
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
                "style-src": [*sources, *(["'unsafe-inline'"] if inline_styles else [])],
                "img-src": sources,
            }
        return response

    return wrapped


schema_view = _when_enabled(SpectacularAPIView.as_view())
docs_view = _when_enabled(
    SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
    csp_sources=True,
)
redoc_view = _when_enabled(
    SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html"),
    csp_sources=True,
    inline_styles=True,
)
