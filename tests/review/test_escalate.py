"""escalate: the item is resolved as escalated; a fresh item with a fresh SLA in the target queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.errors import InvalidInput, LeaseLost, NotFound, SlaExpired
from reviewqueue.review import services
from reviewqueue.review.models import DraftStatus, ItemState, Queue, ReviewItem
from tests.conftest import T0
from tests.factories import make_pending_item
from tests.review.helpers import row_counts

US = timedelta(microseconds=1)


def escalate(user, item_id, queue_id, note="needs a specialist"):
    return services.review_item_escalate(
        user=user, item_id=item_id, target_queue_id=queue_id, note=note, now=timezone.now()
    )


@pytest.fixture
def claimed(world, clock):
    make_pending_item(world, priority=0.7)
    return services.review_item_claim_next(user=world.reviewer, now=timezone.now())


def test_escalate_creates_a_fresh_item_with_a_fresh_sla(world, clock):
    world.l2_queue.sla_minutes = 240
    world.l2_queue.save()
    make_pending_item(world, priority=0.7)
    clock.move_to(T0 + timedelta(minutes=59))  # almost breached in the first queue
    claimed = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    successor = escalate(world.reviewer, claimed.pk, world.l2_queue.pk)
    now = T0 + timedelta(minutes=59)
    assert successor.queue == world.l2_queue and successor.state == ItemState.PENDING
    assert successor.created_at == now and successor.due_at == now + timedelta(minutes=240)
    assert successor.priority == 0.7 and successor.escalated_from_id == claimed.pk
    claimed.refresh_from_db()
    assert claimed.state == ItemState.RESOLVED and claimed.disposition == "escalated"
    assert claimed.note == "needs a specialist" and claimed.reviewer == world.reviewer
    assert claimed.lease_owner is None
    claimed.draft.refresh_from_db()
    assert claimed.draft.status == DraftStatus.ROUTED  # not decided until the successor is
    escalated = ReviewEvent.objects.get(item=claimed, type="review.escalated")
    assert escalated.data["to_item_id"] == successor.pk and escalated.data["to_queue"] == "billing-l2"
    created = ReviewEvent.objects.get(item=successor, type="review.created")
    assert created.data["escalated_from"] == claimed.pk


def test_escalated_item_is_claimable_only_by_target_queue_members(world, clock, claimed):
    successor = escalate(world.reviewer, claimed.pk, world.l2_queue.pk)
    assert services.review_item_claim_next(user=world.other_reviewer, now=timezone.now()) is None
    got = services.review_item_claim_next(user=world.lead, now=timezone.now())
    assert got.pk == successor.pk
    done = services.review_item_submit(
        user=world.lead, item_id=successor.pk, disposition="approved", now=timezone.now()
    )
    done.draft.refresh_from_db()
    assert done.draft.status == DraftStatus.DECIDED


def test_escalate_to_own_queue_is_invalid(world, clock, claimed):
    before = row_counts()
    with pytest.raises(InvalidInput):
        escalate(world.reviewer, claimed.pk, world.queue.pk)
    assert row_counts() == before


def test_escalate_to_another_tenants_or_unknown_queue_is_not_found(world, clock, claimed):
    foreign = Queue.objects.get(tenant=world.other_tenant)
    before = row_counts()
    with pytest.raises(NotFound):
        escalate(world.reviewer, claimed.pk, foreign.pk)
    with pytest.raises(NotFound):
        escalate(world.reviewer, claimed.pk, 10**9)
    assert row_counts() == before


@pytest.mark.parametrize(("offset", "alive"), [(-US, True), (timedelta(0), False), (US, False)])
def test_escalate_at_the_lease_boundary(world, clock, claimed, offset, alive):
    clock.move_to(claimed.lease_expires_at + offset)
    if alive:
        assert escalate(world.reviewer, claimed.pk, world.l2_queue.pk).state == ItemState.PENDING
        return
    before = row_counts()
    with pytest.raises(LeaseLost):
        escalate(world.reviewer, claimed.pk, world.l2_queue.pk)
    assert row_counts() == before


def test_escalate_after_the_sla_is_refused(world, clock):
    item = make_pending_item(world)
    clock.move_to(item.due_at - timedelta(seconds=10))
    services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    clock.move_to(item.due_at)
    with pytest.raises(SlaExpired):
        escalate(world.reviewer, item.pk, world.l2_queue.pk)
    assert ReviewItem.objects.filter(draft=item.draft).count() == 1
