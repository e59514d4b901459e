"""Home: my queues only, live stats, polling that stops when nothing changes."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from reviewqueue.web.views.home import IDLE_POLLS
from tests.factories import World, make_pending_item, make_queue
from tests.web.helpers import body

pytestmark = pytest.mark.django_db


def test_home_lists_only_my_queues(world: World, client_for) -> None:
    make_pending_item(world)
    make_pending_item(world)
    html = body(client_for(world.reviewer).get(reverse("web:home")))
    assert "billing" in html and "billing-l2" in html
    assert "support" not in html  # the other tenant's queue
    rows = re.findall(r'data-label="Waiting">(\d+)<', html)
    assert rows == ["2", "0"]
    assert 'aria-keyshortcuts="n"' in html


def test_outsider_sees_no_queue(world: World, client_for) -> None:
    make_pending_item(world)
    html = body(client_for(world.outsider).get(reverse("web:home")))
    assert "not a reviewer in any queue" in html
    assert "billing" not in html


def test_home_queries_do_not_grow_with_queues_or_items(world: World, client_for, django_assert_num_queries) -> None:
    client = client_for(world.reviewer)
    client.get(reverse("web:home"))
    with django_assert_num_queries(5):  # session, user, queues, one aggregate, the auto-advance setting
        client.get(reverse("web:home"))
    for i in range(3):
        queue = make_queue(world.tenant, f"extra-{i}")
        world.reviewer.groups.add(queue.reviewer_group)
        make_pending_item(world, queue=queue)
        make_pending_item(world)
    with django_assert_num_queries(5):
        response = client.get(reverse("web:home"))
    assert body(response).count("Claim from") == 5


def _poll_url(html: str) -> str:
    match = re.search(r'id="queue-stats"[^>]*hx-get="([^"]+)"', html, re.S)
    assert match, html
    return match.group(1).replace("&amp;", "&")


def test_polling_counts_quiet_answers_and_stops_with_286(world: World, client_for) -> None:
    client = client_for(world.reviewer)
    html = body(client.get(reverse("web:home")))
    assert 'hx-trigger="every 10s, rq:visible from:document' in html
    assert "data-poll-only-visible" in html  # app.js skips the poll while the page is hidden
    url = _poll_url(html)
    for expected_idle in range(1, IDLE_POLLS):
        response = client.get(url, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        url = _poll_url(body(response))
        assert f"idle={expected_idle}" in url
    stopped = client.get(url, HTTP_HX_REQUEST="true")
    assert stopped.status_code == 286
    html = body(stopped)
    assert "Live updates paused" in html and "every 10s" not in html
    assert "rq:visible from:document" in html  # comes back when the reviewer returns to the tab
    resumed = client.get(_poll_url(html), HTTP_HX_REQUEST="true")  # a fresh start, not one more quiet poll
    assert resumed.status_code == 200 and "idle=0" in _poll_url(body(resumed))


def test_a_change_resets_the_quiet_count(world: World, client_for) -> None:
    client = client_for(world.reviewer)
    url = _poll_url(body(client.get(reverse("web:home"))))
    url = _poll_url(body(client.get(url, HTTP_HX_REQUEST="true")))
    assert "idle=1" in url
    make_pending_item(world)
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = body(response)
    assert "idle=0" in _poll_url(html)
    assert html.lstrip().startswith('<section id="queue-stats"')  # only the partial


def test_poll_ignores_a_garbage_idle(world: World, client_for) -> None:
    response = client_for(world.reviewer).get(reverse("web:home_stats") + "?idle=abc&since=x")
    assert response.status_code == 200
