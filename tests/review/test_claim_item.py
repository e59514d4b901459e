"""review_item_claim: a reviewer claims one pending item by id (the queue view, a linked item),
under claim-next's lease rules; two reviewers clicking the same item — one wins."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.errors import AlreadyClaimed, Forbidden, InvalidState, NotFound, SlaExpired
from reviewqueue.review import services
from reviewqueue.review.models import ItemState, ReviewItem
from tests.conftest import T0
from tests.factories import make_pending_item, make_world
from tests.review.helpers import event_types, last_event


def claim(user, item_id, now=None):
    return services.review_item_claim(user=user, item_id=item_id, now=now or timezone.now())


def test_claims_a_pending_item_that_is_not_next_in_line(world, clock):
    urgent = make_pending_item(world, priority=0.9)
    low = make_pending_item(world, priority=0.1)
    clock.shift(timedelta(seconds=3))
    claimed = claim(world.reviewer, low.pk)
    assert claimed.pk == low.pk and claimed.lease_owner == world.reviewer
    low.refresh_from_db()
    assert low.state == ItemState.CLAIMED and low.lease_owner == world.reviewer
    assert low.claimed_at == T0 + timedelta(seconds=3)
    assert low.lease_expires_at == T0 + timedelta(seconds=3) + world.queue.lease
    event = last_event(low)
    assert (event.type, event.actor, event.from_state, event.to_state) == (
        "review.claimed",
        world.reviewer,
        "pending",
        "claimed",
    )
    assert event.data["picked"] is True and event.data["lease_expires_at"] == low.lease_expires_at.isoformat()
    urgent.refresh_from_db()
    assert urgent.state == ItemState.PENDING  # claim-next's pick is left alone


def test_claiming_an_item_one_holds_changes_nothing(world, clock):
    item = make_pending_item(world)
    claim(world.reviewer, item.pk)
    before = ReviewEvent.objects.count()
    clock.shift(timedelta(seconds=10))
    again = claim(world.reviewer, item.pk)
    assert again.lease_expires_at == T0 + world.queue.lease  # not renewed: a heartbeat does that
    assert ReviewEvent.objects.count() == before


def test_an_item_someone_else_holds_is_refused_with_a_clear_message(world, clock):
    item = make_pending_item(world)
    claim(world.other_reviewer, item.pk)
    with pytest.raises(AlreadyClaimed, match=f"Another reviewer claimed item #{item.pk} first") as err:
        claim(world.reviewer, item.pk)
    assert err.value.status == 409 and err.value.code == "already_claimed"
    item.refresh_from_db()
    assert item.lease_owner == world.other_reviewer


@pytest.mark.parametrize(("offset", "taken"), [(-1, False), (0, True), (1, True)])
def test_a_lapsed_lease_is_taken_over_exactly_at_its_expiry(world, clock, offset, taken):
    item = make_pending_item(world)
    claim(world.other_reviewer, item.pk)
    clock.shift(world.queue.lease + timedelta(microseconds=offset))
    if not taken:
        with pytest.raises(AlreadyClaimed):
            claim(world.reviewer, item.pk)
        return
    claim(world.reviewer, item.pk)
    item.refresh_from_db()
    assert item.lease_owner == world.reviewer
    assert event_types(item)[-2:] == ["review.lease.expired", "review.claimed"]
    expired = ReviewEvent.objects.filter(item=item, type="review.lease.expired").get()
    assert (expired.data["owner_id"], expired.data["detected_by"]) == (world.other_reviewer.pk, "claim")


@pytest.mark.parametrize(("offset", "allowed"), [(-1, True), (0, False), (1, False)])
def test_the_sla_boundary(world, clock, offset, allowed):
    item = make_pending_item(world)
    now = item.due_at + timedelta(microseconds=offset)
    if allowed:
        assert claim(world.reviewer, item.pk, now=now).state == ItemState.CLAIMED
    else:
        with pytest.raises(SlaExpired):
            claim(world.reviewer, item.pk, now=now)


def test_closed_items_are_refused(world, clock):
    item = make_pending_item(world)
    claim(world.reviewer, item.pk)
    services.review_item_submit(user=world.reviewer, item_id=item.pk, disposition="approved", now=timezone.now())
    with pytest.raises(InvalidState):
        claim(world.other_reviewer, item.pk)


def test_outsider_is_forbidden_stranger_and_unknown_not_found(world, clock):
    item = make_pending_item(world)
    with pytest.raises(Forbidden):
        claim(world.outsider, item.pk)
    with pytest.raises(NotFound):
        claim(world.stranger, item.pk)
    with pytest.raises(NotFound):
        claim(world.reviewer, 999_999)
    item.refresh_from_db()
    assert item.state == ItemState.PENDING and not ReviewEvent.objects.filter(item=item, type="review.claimed")


def test_sqlite_and_postgres_refuse_a_stale_read(world, clock, monkeypatch):
    """The compare-and-swap is what decides: a claimer whose read is stale (someone claimed the
    item between its read and its write) writes nothing and is told so, on either database."""
    item = make_pending_item(world)
    stale = ReviewItem.objects.select_related("queue", "draft").get(pk=item.pk)
    claim(world.other_reviewer, item.pk)
    monkeypatch.setattr(services, "item_for_user", lambda **kwargs: stale)
    with pytest.raises(AlreadyClaimed):
        claim(world.reviewer, item.pk)
    item.refresh_from_db()
    assert item.lease_owner == world.other_reviewer
    assert ReviewEvent.objects.filter(item=item, type="review.claimed").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_clicking_the_same_item_one_wins() -> None:
    """Real threads on real PostgreSQL, released together: exactly one claim, one event, and the
    other reviewer gets AlreadyClaimed."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    for _ in range(5):
        world = make_world()
        item = make_pending_item(world)
        start = threading.Barrier(2)
        results: dict[str, object] = {}

        def click(name, user, item_id=item.pk, start=start, results=results):
            try:
                start.wait()
                results[name] = claim(user, item_id).lease_owner_id
            except AlreadyClaimed as err:
                results[name] = err
            finally:
                connection.close()

        threads = [
            threading.Thread(target=click, args=("a", world.reviewer)),
            threading.Thread(target=click, args=("b", world.other_reviewer)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        winners = [v for v in results.values() if isinstance(v, int)]
        losers = [v for v in results.values() if isinstance(v, AlreadyClaimed)]
        assert len(winners) == 1 and len(losers) == 1, results
        item.refresh_from_db()
        assert item.lease_owner_id == winners[0]
        assert ReviewEvent.objects.filter(item=item, type="review.claimed").count() == 1
