"""The browser-only middleware: on for pages, skipped on the JSON API, with the checks that matter kept."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django.test import Client, RequestFactory

from reviewqueue.web import middleware
from tests.api.conftest import service_client
from tests.factories import draft_body

pytestmark = pytest.mark.django_db


def test_they_are_the_originals_to_django():
    # The admin's checks (and anything else looking for them) find the subclasses.
    assert issubclass(middleware.MessageMiddleware, MessageMiddleware)
    assert issubclass(middleware.CsrfViewMiddleware, CsrfViewMiddleware)
    assert middleware.MessageMiddleware.__name__ == "MessageMiddleware"


@pytest.mark.parametrize(
    "path, runs",
    [
        ("/api/v1/drafts", False),
        ("/api/v1/items/claim-next", False),
        ("/", True),
        ("/login/", True),
        ("/api/v2/x", True),
    ],
)
def test_they_skip_exactly_the_api(path, runs):
    seen = {}

    def view(request):
        seen["htmx"] = hasattr(request, "htmx")
        seen["messages"] = hasattr(request, "_messages")
        from django.http import HttpResponse

        return HttpResponse("ok")

    request = RequestFactory().get(path, HTTP_HX_REQUEST="true")
    request.session = {}  # what SessionMiddleware, earlier in the chain, provides
    middleware.HtmxMiddleware(middleware.MessageMiddleware(view))(request)
    assert seen == {"htmx": runs, "messages": runs}


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
