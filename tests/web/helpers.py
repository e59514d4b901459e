from __future__ import annotations

from django.test import Client


def htmx_post(client: Client, url: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return client.post(url, data or {}, HTTP_HX_REQUEST="true")


def body(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()
