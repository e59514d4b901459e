"""Sign-in, and every page refusing the anonymous."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name,args", [("web:home", []), ("web:home_stats", []), ("web:recent", []), ("web:item", [1])])
def test_anonymous_get_redirects_to_sign_in(name: str, args: list[int]) -> None:
    response = Client().get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


@pytest.mark.parametrize(
    "url", ["/claim-next/", "/items/1/approve/", "/items/1/heartbeat/", "/items/1/claims/0/label/"]
)
def test_anonymous_post_redirects_and_changes_nothing(url: str) -> None:
    response = Client().post(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_sign_in_and_out(world: World) -> None:
    client = Client()
    page = client.get(reverse("web:login"))
    assert b'autocomplete="current-password"' in page.content
    bad = client.post(reverse("web:login"), {"username": world.reviewer.username, "password": "nope"})
    assert bad.status_code == 200 and b"Could not sign in" in bad.content
    ok = client.post(
        reverse("web:login"),
        {"username": world.reviewer.username, "password": f"pw-{world.reviewer.username}-123!"},
    )
    assert ok.status_code == 302 and ok["Location"] == reverse("web:home")
    assert client.get(reverse("web:home")).status_code == 200
    assert client.post(reverse("web:logout")).status_code == 302
    assert client.get(reverse("web:home")).status_code == 302


@pytest.mark.parametrize(
    "method,url", [("post", "/items/1/heartbeat/"), ("post", "/items/1/claims/0/label/"), ("get", "/queues/stats/")]
)
def test_signed_out_htmx_request_gets_a_banner_not_the_sign_in_page(method: str, url: str) -> None:
    # A session that ends while the review page is open must not swap the sign-in form into a
    # fragment, nor navigate away from what the reviewer typed.
    response = getattr(Client(), method)(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 401
    assert response["HX-Reswap"] == "none"
    assert "rq:signed-out" in response["HX-Trigger"]
    html = response.content.decode()
    assert 'id="session-banner" hx-swap-oob="true"' in html and "You are signed out" in html
    assert 'name="password"' not in html
