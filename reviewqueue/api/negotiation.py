"""Content negotiation with a short path for what nearly every API client sends.

The API renders JSON only. DRF's negotiation parses the Accept header into media-type objects
and ranks them on every request, about 4% of an enqueue's CPU, to arrive at JSON for the
headers services actually send: none, `*/*` or `application/json`. Those are answered directly;
anything else (a `?format=`, a list, parameters, a type the API cannot produce) takes DRF's path,
which also gives its 406.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

_PLAIN_ACCEPTS = {"", "*/*", "application/json"}


class JSONFirstNegotiation(DefaultContentNegotiation):
    def select_renderer(
        self,
        request: Request,
        renderers: Iterable[BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[BaseRenderer, str] | Any:
        renderers = list(renderers)  # APIView passes a list; the stubs allow any iterable
        first = renderers[0] if renderers else None
        if (
            first is not None
            and first.media_type == "application/json"
            and not format_suffix
            and request.META.get("HTTP_ACCEPT", "").strip() in _PLAIN_ACCEPTS
            and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
        ):
            # What DRF would choose for these headers: the first renderer, at its own media type.
            return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)
