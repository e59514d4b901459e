"""Coming back after a lapse: when the lease sweep has already put the item back to pending, the
page (and the heartbeat) say the reviewer's lease lapsed, not "You do not hold this item"."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from reviewqueue.review import services, sweeps
from reviewqueue.review.models import ReviewItem
from tests.factories import World
from tests.web.helpers import body

pytestmark = pytest.mark.django_db

LAPSED = "Your lease on this item has lapsed"
NOT_MINE = "You do not hold this item"


def _swept(item: ReviewItem, clock) -> None:  # type: ignore[no-untyped-def]
    clock.shift(item.queue.lease)
    assert sweeps.lease_sweep(now=timezone.now()).moved == 1
    item.refresh_from_db()
    assert item.state == "pending"


def test_the_page_says_the_lease_lapsed_after_the_sweep(world: World, client_for, clock) -> None:
    from tests.web.factories import make_scored_item

    make_scored_item(world)
    item = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    _swept(item, clock)
    mine = body(client_for(world.reviewer).get(reverse("web:item", args=[item.pk])))
    assert LAPSED in mine and NOT_MINE not in mine
    # Someone else who never held it is told it is not theirs.
    theirs = body(client_for(world.other_reviewer).get(reverse("web:item", args=[item.pk])))
    assert NOT_MINE in theirs and LAPSED not in theirs


def test_the_heartbeat_after_the_sweep_says_lapsed(world: World, client_for, clock) -> None:
    from tests.web.factories import make_scored_item

    make_scored_item(world)
    item = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    _swept(item, clock)
    response = client_for(world.reviewer).post(reverse("web:item_heartbeat", args=[item.pk]))
    assert response.status_code == 409 and LAPSED in body(response)


def test_after_a_release_the_page_does_not_say_lapsed(world: World, client_for, clock) -> None:
    from tests.web.factories import make_scored_item

    make_scored_item(world)
    item = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    services.review_item_release(user=world.reviewer, item_id=item.pk, now=timezone.now())
    html = body(client_for(world.reviewer).get(reverse("web:item", args=[item.pk])))
    assert NOT_MINE in html and LAPSED not in html


def test_a_lapse_then_someone_elses_claim_and_release_is_no_longer_mine(world: World, client_for, clock) -> None:
    from tests.web.factories import make_scored_item

    make_scored_item(world)
    item = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    _swept(item, clock)
    again = services.review_item_claim_next(user=world.other_reviewer, now=timezone.now())
    services.review_item_release(user=world.other_reviewer, item_id=again.pk, now=timezone.now())
    html = body(client_for(world.reviewer).get(reverse("web:item", args=[item.pk])))
    assert NOT_MINE in html and LAPSED not in html
