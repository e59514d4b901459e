"""Clients for the two kinds of caller: services (API key) and reviewers (session + CSRF)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from rest_framework.test import APIClient

CSRF_TOKEN = "k" * 32  # a valid unmasked CSRF secret (32 alphanumerics)


def service_client(api_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key}")
    return client


def session_client(user: Any) -> APIClient:
    """A signed-in reviewer whose POSTs carry a valid CSRF cookie + header, as the browser UI's do."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_TOKEN
    client.credentials(HTTP_X_CSRFTOKEN=CSRF_TOKEN)
    return client


@pytest.fixture
def as_service(world) -> APIClient:  # type: ignore[no-untyped-def]
    return service_client(world.api_key)


@pytest.fixture
def as_user() -> Callable[[Any], APIClient]:
    return session_client


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The one stable error body: {"error": {"code", "message", "details"}}."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["error"]
    error = body["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], dict)
    return error
