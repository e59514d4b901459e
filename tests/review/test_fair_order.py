"""claim-next's fair order: items at risk of breaching their SLA are served before any other,
earliest due first; then priority, then due time. And escalation goes somewhere else.

Runs on PostgreSQL (`scripts/test`'s first pass) and on SQLite (its embedded pass): the order is
one statement, `review/queries.py` CLAIM_NEXT, on both."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from reviewqueue.review import services
from tests.conftest import T0
from tests.factories import make_pending_item, make_queue, make_user

US = timedelta(microseconds=1)


def claim(user, **kwargs):
    return services.review_item_claim_next(user=user, now=timezone.now(), **kwargs)


def at_risk_from(sla: timedelta) -> timedelta:
    """How long after creation an item starts to be at risk (the queue's warning fraction)."""
    return sla * settings.REVIEWQUEUE_SLA_WARNING_FRACTION


@pytest.mark.parametrize(("offset", "first"), [(-US, "high"), (timedelta(0), "low"), (US, "low")])
def test_an_at_risk_low_priority_item_is_served_before_a_fresh_high_priority_one(world, clock, offset, first):
    """The case from the issue: a low-priority item breached while high-priority work kept coming.
    Just before its warning point the fresh high-priority item wins; at and after it, the old one."""
    low = make_pending_item(world, priority=0.05)
    clock.move_to(T0 + at_risk_from(world.queue.sla) + offset)
    high = make_pending_item(world, priority=0.95)
    expected = [low.pk, high.pk] if first == "low" else [high.pk, low.pk]
    assert [claim(world.reviewer).pk, claim(world.reviewer).pk] == expected


def test_among_items_at_risk_the_earliest_due_wins_over_priority(world, clock):
    short = make_queue(world.tenant, "short-sla", group=world.queue.reviewer_group, sla_minutes=30)
    long_low = make_pending_item(world, priority=0.1)  # due T0+60m; at risk from T0+48m
    clock.move_to(T0 + timedelta(minutes=25))
    short_high = make_pending_item(world, priority=0.9, queue=short)  # due T0+55m; at risk from T0+49m
    clock.move_to(T0 + timedelta(minutes=50))
    assert [claim(world.reviewer).pk, claim(world.reviewer).pk] == [short_high.pk, long_low.pk]


def test_not_at_risk_the_order_stays_priority_then_due(world, clock):
    low = make_pending_item(world, priority=0.1)
    clock.shift(timedelta(minutes=1))
    high = make_pending_item(world, priority=0.9)
    mid = make_pending_item(world, priority=0.5)
    assert [claim(world.reviewer).pk for _ in range(3)] == [high.pk, mid.pk, low.pk]


def test_a_lapsed_lease_at_risk_competes_on_the_same_order(world, clock):
    old = make_pending_item(world, priority=0.05)
    assert claim(world.other_reviewer).pk == old.pk  # leased, then abandoned
    clock.move_to(T0 + at_risk_from(world.queue.sla))
    high = make_pending_item(world, priority=0.95)
    taken = claim(world.reviewer)
    assert taken.pk == old.pk and taken.previous_state == "claimed"
    assert claim(world.reviewer).pk == high.pk


# --- escalation goes somewhere else ----------------------------------------------------------


def escalate_to_l2(world, user):
    item = claim(user, queue_ids=[world.queue.pk])
    return services.review_item_escalate(
        user=user, item_id=item.pk, target_queue_id=world.l2_queue.pk, note="specialist", now=timezone.now()
    )


def test_an_escalated_item_is_not_handed_back_to_who_escalated_it(world, clock):
    make_pending_item(world, priority=0.9)
    successor = escalate_to_l2(world, world.reviewer)  # world.lead is also an l2 reviewer
    assert claim(world.reviewer) is None
    assert claim(world.reviewer, queue_ids=[world.l2_queue.pk]) is None
    assert claim(world.lead).pk == successor.pk


def test_the_escalator_gets_other_work_meanwhile(world, clock):
    make_pending_item(world, priority=0.9)
    successor = escalate_to_l2(world, world.reviewer)
    other = make_pending_item(world, priority=0.1)
    assert claim(world.reviewer).pk == other.pk
    assert claim(world.lead).pk == successor.pk


def test_an_escalated_item_comes_back_when_nobody_else_in_the_queue_could_take_it(world, clock):
    make_pending_item(world, priority=0.9)
    world.lead.groups.remove(world.l2_queue.reviewer_group)
    successor = escalate_to_l2(world, world.reviewer)
    assert claim(world.reviewer).pk == successor.pk


@pytest.mark.parametrize("why", ["inactive", "no_membership"])
def test_a_colleague_who_cannot_claim_does_not_count(world, clock, why):
    make_pending_item(world, priority=0.9)
    if why == "inactive":
        world.lead.is_active = False
        world.lead.save(update_fields=["is_active"])
    else:
        world.lead.memberships.all().delete()
    successor = escalate_to_l2(world, world.reviewer)
    assert claim(world.reviewer).pk == successor.pk


def test_a_colleague_joining_the_queue_takes_the_escalation_away(world, clock):
    make_pending_item(world, priority=0.9)
    world.lead.groups.remove(world.l2_queue.reviewer_group)
    successor = escalate_to_l2(world, world.reviewer)
    newcomer = make_user("newcomer", world.tenant, groups=[world.l2_queue.reviewer_group])
    assert claim(world.reviewer) is None
    assert claim(newcomer).pk == successor.pk


def test_an_item_escalated_by_someone_else_is_served_normally(world, clock):
    world.other_reviewer.groups.add(world.l2_queue.reviewer_group)
    make_pending_item(world, priority=0.9)
    successor = escalate_to_l2(world, world.other_reviewer)
    assert claim(world.reviewer).pk == successor.pk
