from __future__ import annotations

from django.test import Client


def htmx_post(client: Client, url: str, data: dict[str, str] | None = None):
    return client.post(url, data or {}, HTTP_HX_REQUEST="true")


def body(response) -> str:
    return response.content.decode()
