"""My recent work: what I resolved today, with decision and time spent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reviewqueue.review import services
from tests.factories import World
from tests.web.factories import make_scored_item
from tests.web.helpers import body

pytestmark = pytest.mark.django_db


def _resolve(world: World, user, disposition: str, *, spent: timedelta, **kwargs) -> int:
    make_scored_item(world)
    now = timezone.now()
    item = services.review_item_claim_next(user=user, now=now - spent)
    assert item is not None
    services.review_item_submit(user=user, item_id=item.pk, disposition=disposition, now=now, **kwargs)
    return item.pk


def test_lists_my_items_resolved_today(world: World, client_for, clock) -> None:
    clock.shift(timedelta(hours=3))  # 12:00 UTC: "today" has begun
    mine = _resolve(world, world.reviewer, "approved", spent=timedelta(seconds=95))
    rejected = _resolve(world, world.reviewer, "rejected", spent=timedelta(seconds=30), reason_code="unsafe")
    theirs = _resolve(world, world.other_reviewer, "approved", spent=timedelta(seconds=5))
    html = body(client_for(world.reviewer).get(reverse("web:recent")))
    assert f"#{mine}</a>" in html and f"#{rejected}</a>" in html and f"#{theirs}</a>" not in html
    assert "1 min" in html and "30 s" in html and "<code>unsafe</code>" in html
    assert "Approved" in html and "Rejected" in html
    clock.shift(timedelta(days=1))
    assert "Nothing resolved yet today" in body(client_for(world.reviewer).get(reverse("web:recent")))


def test_recent_queries_do_not_grow(world: World, client_for, clock, django_assert_num_queries) -> None:
    clock.shift(timedelta(hours=3))
    client = client_for(world.reviewer)
    _resolve(world, world.reviewer, "approved", spent=timedelta(seconds=10))
    client.get(reverse("web:recent"))
    with django_assert_num_queries(3):  # session, user, the day's resolved items
        client.get(reverse("web:recent"))
    for _ in range(4):
        _resolve(world, world.reviewer, "approved", spent=timedelta(seconds=10))
    with django_assert_num_queries(3):
        response = client.get(reverse("web:recent"))
    assert body(response).count("disp-approved") == 5
