"""Content-Security-Policy on every response, and pages that pass it without inline exceptions."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from reviewqueue.review.models import ReviewItem
from tests.api.conftest import assert_error
from tests.factories import World

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_strict(response) -> None:
    policy = directives(response)
    for name in ("script-src", "style-src"):
        assert policy[name] == ["'self'"], policy
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


def assert_no_inline(html: str) -> None:
    """What the policy would block: inline scripts, inline event handlers, style attributes/elements."""
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert all("src=" in attrs for attrs in scripts), scripts
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"<[^>]+\sstyle\s*=", html), "inline style attribute"
    assert "<style" not in html
    assert "javascript:" not in html


def test_every_kind_of_response_carries_the_policy(world: World, client_for, claimed_item: ReviewItem) -> None:
    anonymous = Client()
    reviewer = client_for(world.reviewer)
    responses = [
        anonymous.get(reverse("web:login")),
        anonymous.get("/healthz"),
        anonymous.get("/no-such-page/"),
        anonymous.get("/api/v1/queues"),  # 401 JSON
        reviewer.get(reverse("web:home")),
        reviewer.get(reverse("web:item", args=[claimed_item.pk])),
        reviewer.get(reverse("web:recent")),
    ]
    for response in responses:
        assert_strict(response)


def test_pages_have_no_inline_script_handler_or_style(world: World, client_for, claimed_item: ReviewItem) -> None:
    reviewer = client_for(world.reviewer)
    for response in (
        Client().get(reverse("web:login")),
        reviewer.get(reverse("web:home")),
        reviewer.get(reverse("web:item", args=[claimed_item.pk])),
        reviewer.get(reverse("web:recent")),
    ):
        assert response.status_code == 200
        assert_no_inline(response.content.decode())


def test_docs_page_is_served_from_our_own_files_under_the_strict_policy() -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    policy = directives(response)
    for name in ("script-src", "style-src"):
        assert policy[name] == ["'self'"], policy
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert_no_inline(response.content.decode())
    assert "cdn." not in response.content.decode()
    assert_strict(Client().get("/api/v1/schema"))  # the JSON/YAML schema keeps the strict policy


def test_redoc_alone_may_add_inline_styles() -> None:
    response = Client().get("/api/v1/redoc")
    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == ["'self'"], policy
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"], policy
    assert_no_inline(response.content.decode())


@override_settings(REVIEWQUEUE_API_DOCS=False)
def test_docs_and_schema_can_be_turned_off() -> None:
    for path in ("/api/v1/docs", "/api/v1/docs?script=", "/api/v1/redoc", "/api/v1/schema"):
        assert_error(Client().get(path), 404, "not_found")


def test_a_failed_csrf_check_gets_a_page_without_inline_style(world: World, client_for) -> None:
    response = client_for(world.reviewer, csrf=True).post(reverse("web:claim_next"))
    assert response.status_code == 403
    assert_strict(response)
    html = response.content.decode()
    assert "This form has expired" in html
    assert_no_inline(html)
