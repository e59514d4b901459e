"""claim-next: ordering, queue membership, lapsed leases and the SLA boundary."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.errors import Forbidden
from reviewqueue.review import services
from reviewqueue.review.models import ItemState
from tests.conftest import T0
from tests.factories import make_pending_item, make_queue
from tests.review.helpers import event_types, last_event

US = timedelta(microseconds=1)


def claim(user, now=None, **kwargs):
    return services.review_item_claim_next(user=user, now=now or timezone.now(), **kwargs)


def test_claim_sets_lease_and_records_event(world, clock):
    item = make_pending_item(world)
    clock.shift(timedelta(seconds=5))
    claimed = claim(world.reviewer)
    assert claimed is not None and claimed.pk == item.pk
    item.refresh_from_db()
    assert item.state == ItemState.CLAIMED
    assert item.lease_owner == world.reviewer
    assert item.claimed_at == T0 + timedelta(seconds=5)
    assert item.lease_expires_at == T0 + timedelta(seconds=5) + world.queue.lease
    event = last_event(item)
    assert (event.type, event.actor, event.from_state, event.to_state) == (
        "review.claimed",
        world.reviewer,
        "pending",
        "claimed",
    )
    assert event.created_at == T0 + timedelta(seconds=5)
    assert event.data["lease_expires_at"] == item.lease_expires_at.isoformat()


def test_claim_order_is_priority_desc_then_due_asc(world, clock):
    short = make_queue(world.tenant, "short-sla", group=world.queue.reviewer_group, sla_minutes=10)
    low = make_pending_item(world, priority=0.1)
    clock.shift(timedelta(seconds=10))
    high_later_due = make_pending_item(world, priority=0.9)  # due T0+10s+60m
    clock.shift(timedelta(seconds=10))
    high_sooner_due = make_pending_item(world, priority=0.9, queue=short)  # due T0+20s+10m
    clock.shift(timedelta(seconds=10))
    mid = make_pending_item(world, priority=0.5)

    order = [claim(world.reviewer).pk for _ in range(4)]
    assert order == [high_sooner_due.pk, high_later_due.pk, mid.pk, low.pk]
    assert claim(world.reviewer) is None


def test_claim_ignores_queues_the_reviewer_is_not_in(world, clock):
    # other_reviewer is in `billing` only; the l2 item has the higher priority.
    make_pending_item(world, queue=world.l2_queue, priority=0.99)
    mine = make_pending_item(world, priority=0.01)
    assert claim(world.other_reviewer).pk == mine.pk
    assert claim(world.other_reviewer) is None


def test_claim_restricted_to_requested_queues(world, clock):
    billing = make_pending_item(world, priority=0.99)
    l2 = make_pending_item(world, queue=world.l2_queue, priority=0.01)
    assert claim(world.reviewer, queue_ids=[world.l2_queue.pk]).pk == l2.pk
    assert claim(world.reviewer, queue_ids=[world.l2_queue.pk]) is None
    assert claim(world.reviewer, queue_ids=[world.queue.pk]).pk == billing.pk


def test_claim_in_a_queue_the_reviewer_is_not_in_is_forbidden(world, clock):
    make_pending_item(world, queue=world.l2_queue)
    before = ReviewEvent.objects.count()
    with pytest.raises(Forbidden):
        claim(world.other_reviewer, queue_ids=[world.l2_queue.pk])
    with pytest.raises(Forbidden):
        claim(world.stranger, queue_ids=[world.queue.pk])
    assert ReviewEvent.objects.count() == before


def test_outsider_and_stranger_claim_nothing(world, clock):
    make_pending_item(world)
    assert claim(world.outsider) is None
    assert claim(world.stranger) is None


def test_live_lease_is_not_claimable_by_anyone_else(world, clock):
    make_pending_item(world)
    assert claim(world.reviewer) is not None
    clock.shift(world.queue.lease - US)
    assert claim(world.other_reviewer) is None
    assert claim(world.lead) is None


@pytest.mark.parametrize(("offset", "claimable"), [(-US, False), (timedelta(0), True), (US, True)])
def test_lapsed_lease_is_claimable_at_once_without_a_sweeper(world, clock, offset, claimable):
    item = make_pending_item(world)
    first = claim(world.reviewer)
    clock.move_to(first.lease_expires_at + offset)
    second = claim(world.other_reviewer)
    item.refresh_from_db()
    if not claimable:
        assert second is None
        assert item.lease_owner == world.reviewer
        assert "review.lease.expired" not in event_types(item)
        return
    assert second is not None and second.pk == item.pk
    assert item.lease_owner == world.other_reviewer
    assert item.lease_expires_at == T0 + world.queue.lease + offset + world.queue.lease
    assert event_types(item)[-3:] == ["review.claimed", "review.lease.expired", "review.claimed"]
    expired = ReviewEvent.objects.get(item=item, type="review.lease.expired")
    assert expired.actor is None  # the system noticed, not a person
    assert expired.data["owner_id"] == world.reviewer.pk
    assert expired.data["detected_by"] == "claim"
    assert (expired.from_state, expired.to_state) == ("claimed", "pending")
    assert expired.created_at == T0 + world.queue.lease + offset


def test_owner_can_reclaim_own_lapsed_item(world, clock):
    item = make_pending_item(world)
    claim(world.reviewer)
    clock.shift(world.queue.lease)
    assert claim(world.reviewer).pk == item.pk
    assert event_types(item).count("review.lease.expired") == 1


@pytest.mark.parametrize(("offset", "claimable"), [(-US, True), (timedelta(0), False), (US, False)])
def test_item_past_its_sla_is_not_claimable(world, clock, offset, claimable):
    item = make_pending_item(world)
    clock.move_to(item.due_at + offset)
    got = claim(world.reviewer)
    assert (got is not None) is claimable
    item.refresh_from_db()
    assert item.state == (ItemState.CLAIMED if claimable else ItemState.PENDING)


def test_lapsed_lease_past_sla_is_left_to_the_sla_sweep(world, clock):
    item = make_pending_item(world)
    clock.move_to(item.due_at - timedelta(seconds=30))
    claim(world.reviewer)
    clock.move_to(item.due_at + world.queue.lease)
    assert claim(world.other_reviewer) is None
    item.refresh_from_db()
    assert item.lease_owner == world.reviewer


def test_claimed_items_of_other_tenants_are_invisible(world, clock):
    from tests.factories import make_world

    other = make_world()
    make_pending_item(other)
    assert claim(world.reviewer) is None


@pytest.mark.parametrize("lapsed_priority", [0.9, 0.1])
def test_lapsed_and_pending_items_compete_on_the_same_order(world, clock, lapsed_priority):
    lapsed = make_pending_item(world, priority=lapsed_priority)
    assert claim(world.reviewer).pk == lapsed.pk
    clock.shift(timedelta(seconds=1))
    pending = make_pending_item(world, priority=0.5)
    clock.shift(world.queue.lease)
    order = [claim(world.other_reviewer).pk, claim(world.other_reviewer).pk]
    assert order == ([lapsed.pk, pending.pk] if lapsed_priority > 0.5 else [pending.pk, lapsed.pk])
    assert claim(world.other_reviewer) is None


def test_claimed_event_carries_the_drafts_versions_and_prompt(world, clock):
    from reviewqueue.audit.events import event_data
    from reviewqueue.review.models import Draft

    item = make_pending_item(world)
    Draft.objects.filter(pk=item.draft_id).update(
        versions={"model": "m1", "policy": "p2"}, prompt_version="faq-v3", prompt_hash="abc123"
    )
    clock.shift(timedelta(microseconds=120000))  # a fractional second isoformat prints as .120000
    claimed = claim(world.reviewer)
    assert claimed is not None and claimed.pk == item.pk
    event = last_event(item)
    assert event.type == "review.claimed"
    draft = Draft.objects.get(pk=item.draft_id)
    assert event.data == event_data(draft, {"lease_expires_at": claimed.lease_expires_at.isoformat()})
    assert event.data["prompt"] == {"version": "faq-v3", "hash": "abc123"}
    assert event.data["lease_expires_at"].endswith(".120000+00:00")


def test_a_takeover_records_lease_expired_before_claimed(world, clock):
    item = make_pending_item(world)
    claim(world.reviewer)
    clock.shift(world.queue.lease + timedelta(seconds=1))
    taken = claim(world.other_reviewer)
    assert taken is not None and taken.pk == item.pk and taken.lease_owner_id == world.other_reviewer.pk
    types = list(ReviewEvent.objects.filter(item=item).order_by("pk").values_list("type", "data__owner_id"))
    assert types[-2:] == [("review.lease.expired", world.reviewer.pk), ("review.claimed", None)]


def test_the_claimed_item_comes_back_with_its_draft_and_queue(world, clock, django_assert_num_queries):
    item = make_pending_item(world, priority=0.7)
    expected = item.draft
    claimed = claim(world.reviewer)
    with django_assert_num_queries(0):
        assert claimed.draft.passages == expected.passages
        assert claimed.queue.reject_reasons == world.queue.reject_reasons
        assert claimed.draft.metadata == expected.metadata
    fresh = type(claimed).objects.get(pk=item.pk)
    for field in type(claimed)._meta.concrete_fields:
        assert getattr(claimed, field.attname) == getattr(fresh, field.attname), field.name


def test_the_named_claim_statement_orders_by_priority_then_due_then_id(world, clock):
    """queries.CLAIM_NEXT on its own, on either database: a lapsed lease competes with pending items
    on the same order, ties on priority go to the earlier due time, then to the lower id."""
    from reviewqueue.review import queries

    short = make_queue(world.tenant, "short-sla", group=world.queue.reviewer_group, sla_minutes=10)
    lapsed = make_pending_item(world, priority=0.9, queue=short)  # due T0+10m
    assert claim(world.reviewer).pk == lapsed.pk
    tie_a = make_pending_item(world, priority=0.5)
    tie_b = make_pending_item(world, priority=0.5)  # same priority and due time: the id decides
    high_later = make_pending_item(world, priority=0.9)  # due T0+60m, after the lapsed one
    clock.shift(world.queue.lease)
    timers = {q.pk: queries.QueueTimers(lease=q.lease, risk_window=q.sla * 0.2) for q in (world.queue, short)}
    picked = []
    while (item := queries.claim_next(user_id=world.other_reviewer.pk, now=timezone.now(), queues=timers)) is not None:
        picked.append((item.pk, item.previous_state, item.previous_owner_id))
    assert picked == [
        (lapsed.pk, "claimed", world.reviewer.pk),
        (high_later.pk, "pending", None),
        (tie_a.pk, "pending", None),
        (tie_b.pk, "pending", None),
    ]
