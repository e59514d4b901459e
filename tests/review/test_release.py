"""release: claimed → pending by the lease owner; claimable by others at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from reviewqueue.errors import Forbidden, InvalidState, LeaseLost, NotFound, SlaExpired
from reviewqueue.review import services
from reviewqueue.review.models import ItemState
from tests.factories import make_pending_item
from tests.review.helpers import last_event, row_counts

US = timedelta(microseconds=1)


def release(user, item_id):
    return services.review_item_release(user=user, item_id=item_id, now=timezone.now())


@pytest.fixture
def claimed(world, clock):
    make_pending_item(world)
    return services.review_item_claim_next(user=world.reviewer, now=timezone.now())


def test_release_returns_the_item_to_the_queue(world, clock, claimed):
    clock.shift(timedelta(seconds=30))
    item = release(world.reviewer, claimed.pk)
    item.refresh_from_db()
    assert item.state == ItemState.PENDING
    assert item.lease_owner is None and item.lease_expires_at is None
    event = last_event(item)
    assert (event.type, event.actor, event.from_state, event.to_state) == (
        "review.released",
        world.reviewer,
        "claimed",
        "pending",
    )
    again = services.review_item_claim_next(user=world.other_reviewer, now=timezone.now())
    assert again is not None and again.pk == item.pk


@pytest.mark.parametrize(("offset", "alive"), [(-US, True), (timedelta(0), False), (US, False)])
def test_release_at_the_lease_boundary(world, clock, claimed, offset, alive):
    clock.move_to(claimed.lease_expires_at + offset)
    if alive:
        assert release(world.reviewer, claimed.pk).state == ItemState.PENDING
        return
    before = row_counts()
    with pytest.raises(LeaseLost):
        release(world.reviewer, claimed.pk)
    assert row_counts() == before
    claimed.refresh_from_db()
    assert claimed.state == ItemState.CLAIMED  # untouched until someone claims or the sweep runs


def test_release_by_someone_who_does_not_hold_the_lease(world, clock, claimed):
    with pytest.raises(LeaseLost):
        release(world.other_reviewer, claimed.pk)
    with pytest.raises(Forbidden):
        release(world.outsider, claimed.pk)
    with pytest.raises(NotFound):
        release(world.stranger, claimed.pk)
    with pytest.raises(NotFound):
        release(world.reviewer, 10**9)


def test_release_of_pending_and_resolved_items(world, clock, claimed):
    pending = make_pending_item(world)
    with pytest.raises(LeaseLost):
        release(world.reviewer, pending.pk)
    services.review_item_submit(user=world.reviewer, item_id=claimed.pk, disposition="approved", now=timezone.now())
    with pytest.raises(InvalidState):
        release(world.reviewer, claimed.pk)


def test_release_after_the_sla_passed_is_refused(world, clock):
    item = make_pending_item(world)
    clock.move_to(item.due_at - timedelta(seconds=10))
    services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    clock.move_to(item.due_at)
    with pytest.raises(SlaExpired):
        release(world.reviewer, item.pk)
