"""heartbeat: a conditional update; zero rows means the lease is gone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.errors import Forbidden, InvalidState, LeaseLost, NotFound, SlaExpired
from reviewqueue.review import services
from reviewqueue.review.models import ReviewItem
from tests.conftest import T0
from tests.factories import make_pending_item

US = timedelta(microseconds=1)


def beat(user, item_id):
    return services.review_item_heartbeat(user=user, item_id=item_id, now=timezone.now())


@pytest.fixture
def claimed(world, clock):
    make_pending_item(world)
    return services.review_item_claim_next(user=world.reviewer, now=timezone.now())


def test_heartbeat_extends_the_lease_from_now(world, clock, claimed):
    clock.shift(timedelta(seconds=90))
    events = ReviewEvent.objects.count()
    item = beat(world.reviewer, claimed.pk)
    assert item.lease_expires_at == T0 + timedelta(seconds=90) + world.queue.lease
    assert item.state == "claimed" and item.lease_owner == world.reviewer
    # Heartbeats change no state and write no event.
    assert ReviewEvent.objects.count() == events


def test_repeated_heartbeats_keep_the_lease_alive_indefinitely(world, clock, claimed):
    for _ in range(5):
        clock.shift(world.queue.lease - US)
        beat(world.reviewer, claimed.pk)
    assert services.review_item_claim_next(user=world.other_reviewer, now=timezone.now()) is None


@pytest.mark.parametrize(("offset", "alive"), [(-US, True), (timedelta(0), False), (US, False)])
def test_heartbeat_at_the_lease_boundary(world, clock, claimed, offset, alive):
    clock.move_to(claimed.lease_expires_at + offset)
    if alive:
        assert beat(world.reviewer, claimed.pk).lease_expires_at > claimed.lease_expires_at
    else:
        with pytest.raises(LeaseLost) as exc:
            beat(world.reviewer, claimed.pk)
        assert exc.value.details == {"item_id": claimed.pk}
        claimed.refresh_from_db()
        assert claimed.lease_expires_at == T0 + world.queue.lease  # unchanged


def test_heartbeat_after_someone_else_reclaimed_is_lease_lost(world, clock, claimed):
    clock.shift(world.queue.lease)
    services.review_item_claim_next(user=world.other_reviewer, now=timezone.now())
    with pytest.raises(LeaseLost):
        beat(world.reviewer, claimed.pk)
    # The new owner is unaffected.
    assert beat(world.other_reviewer, claimed.pk).lease_owner == world.other_reviewer


def test_heartbeat_by_a_queue_member_who_does_not_hold_the_lease(world, clock, claimed):
    with pytest.raises(LeaseLost):
        beat(world.other_reviewer, claimed.pk)


def test_heartbeat_on_an_unclaimed_item_is_lease_lost(world, clock):
    item = make_pending_item(world)
    with pytest.raises(LeaseLost):
        beat(world.reviewer, item.pk)


def test_heartbeat_on_a_resolved_item_is_invalid_state(world, clock, claimed):
    services.review_item_submit(user=world.reviewer, item_id=claimed.pk, disposition="approved", now=timezone.now())
    with pytest.raises(InvalidState):
        beat(world.reviewer, claimed.pk)


def test_heartbeat_permissions(world, clock, claimed):
    with pytest.raises(Forbidden):
        beat(world.outsider, claimed.pk)
    with pytest.raises(NotFound):
        beat(world.stranger, claimed.pk)
    with pytest.raises(NotFound):
        beat(world.reviewer, 10**9)


def test_heartbeat_past_the_sla_due_time_is_refused_as_sla_expired(world) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    item = make_pending_item(world, now=now)
    services.review_item_claim_next(user=world.reviewer, now=now)
    # Renewed right up to the due time, the lease is still live when the SLA passes.
    ReviewItem.objects.filter(pk=item.pk).update(lease_expires_at=item.due_at + (item.due_at - now))
    with pytest.raises(SlaExpired):
        services.review_item_heartbeat(user=world.reviewer, item_id=item.pk, now=item.due_at)
    services.review_item_heartbeat(user=world.reviewer, item_id=item.pk, now=item.due_at - (item.due_at - now) / 2)
