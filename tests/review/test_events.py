"""Every transition writes its event in the same transaction: if the event cannot be written,
the state change is rolled back too.

The event log is broken in the database itself (a trigger that refuses every insert), so the
check holds whatever writes the event, on either database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from reviewqueue.review import services
from reviewqueue.review.models import DraftStatus, ItemState, ReviewItem
from tests.factories import make_pending_item
from tests.review.helpers import row_counts


@pytest.fixture
def broken_event_log():
    """Call it to make every INSERT into the event table fail (undone with the test's transaction)."""

    def brake() -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "CREATE FUNCTION rq_test_refuse() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'event log refused'; END $$"
                )
                cursor.execute(
                    "CREATE TRIGGER rq_test_refuse BEFORE INSERT ON review_reviewevent "
                    "FOR EACH ROW EXECUTE FUNCTION rq_test_refuse()"
                )
            else:
                cursor.execute(
                    "CREATE TRIGGER rq_test_refuse BEFORE INSERT ON review_reviewevent "
                    "BEGIN SELECT RAISE(ABORT, 'event log refused'); END"
                )

    return brake


def snapshot(item):
    item = ReviewItem.objects.get(pk=item.pk)
    return (
        item.state,
        item.lease_owner_id,
        item.lease_expires_at,
        item.disposition,
        item.sla_warned_at,
        item.draft.status,
        row_counts(),
    )


def _claimed(world):
    item = make_pending_item(world)
    services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    return item


TRANSITIONS = {
    "claim": (make_pending_item, lambda w, i: services.review_item_claim_next(user=w.reviewer, now=timezone.now())),
    "reclaim": (
        _claimed,
        lambda w, i: services.review_item_claim_next(
            user=w.other_reviewer, now=timezone.now() + timedelta(hours=0, seconds=w.queue.lease_seconds)
        ),
    ),
    "release": (_claimed, lambda w, i: services.review_item_release(user=w.reviewer, item_id=i.pk, now=timezone.now())),
    "approve": (
        _claimed,
        lambda w, i: services.review_item_submit(
            user=w.reviewer, item_id=i.pk, disposition="approved", now=timezone.now()
        ),
    ),
    "reject": (
        _claimed,
        lambda w, i: services.review_item_submit(
            user=w.reviewer, item_id=i.pk, disposition="rejected", reason_code="unsafe", now=timezone.now()
        ),
    ),
    "escalate": (
        _claimed,
        lambda w, i: services.review_item_escalate(
            user=w.reviewer, item_id=i.pk, target_queue_id=w.l2_queue.pk, note="n", now=timezone.now()
        ),
    ),
    # The sweeps log and skip a row that fails (tests/review/test_hardening.py); the rollback is
    # the transition service's, so call it directly.
    "lapse": (_claimed, lambda w, i: services.review_item_lapse(item_id=i.pk, now=timezone.now() + timedelta(hours=1))),
    "warn": (
        make_pending_item,
        lambda w, i: services.review_item_warn(item_id=i.pk, now=i.due_at - timedelta(minutes=1), warning_fraction=0.8),
    ),
    "expire": (make_pending_item, lambda w, i: services.review_item_expire(item_id=i.pk, now=i.due_at)),
}


@pytest.mark.parametrize("name", sorted(TRANSITIONS))
def test_a_failed_event_write_rolls_the_transition_back(world, clock, broken_event_log, name):
    setup, transition = TRANSITIONS[name]
    item = setup(world)
    before = snapshot(item)
    broken_event_log()
    # The savepoint keeps the test's own transaction usable after the failed statement.
    with pytest.raises(DatabaseError, match="event log refused"), transaction.atomic():
        transition(world, item)
    assert snapshot(item) == before


def test_the_transitions_work_when_the_event_log_does(world, clock):
    # The control for the test above: the same calls succeed and move the item.
    item = _claimed(world)
    services.review_item_submit(user=world.reviewer, item_id=item.pk, disposition="approved", now=timezone.now())
    item.refresh_from_db()
    assert item.state == ItemState.RESOLVED and item.draft.status == DraftStatus.DECIDED
