"""Django's own middleware on pages and the JSON API alike: the checks that matter, on each."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tests.api.conftest import service_client
from tests.factories import draft_body

pytestmark = pytest.mark.django_db


def test_pages_still_redirect_to_the_slash():
    assert Client().get("/login").status_code == 301


def test_pages_still_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.reviewer)
    assert client.post("/claim-next/").status_code == 403


def test_pages_still_show_messages(world, client_for):
    # Claiming from empty queues flashes a message on the page it redirects to.
    response = client_for(world.reviewer).post("/claim-next/", follow=True)
    assert "Nothing to claim right now" in response.content.decode()


def test_api_responses_keep_the_frame_and_sniffing_headers_and_set_no_csrf_cookie(world):
    response = service_client(world.api_key).post(
        "/api/v1/drafts", draft_body(), format="json", HTTP_IDEMPOTENCY_KEY="mw-1"
    )
    assert response.status_code == 201
    assert response["Content-Length"] == str(len(response.content))  # not chunked
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert settings.CSRF_COOKIE_NAME not in response.cookies
