"""The single-statement claim on PostgreSQL against what the ORM path and the selectors define."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from reviewqueue.review import claim_pg, services
from reviewqueue.review.events import event_data
from reviewqueue.review.models import Draft, ReviewEvent
from reviewqueue.review.selectors import queues_for_user
from reviewqueue.tenancy.models import Membership
from tests.factories import make_pending_item, make_queue, make_user

pytestmark = pytest.mark.postgres


def _my_queue_ids(user) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(claim_pg.MY_QUEUES_SQL, {"user": user.pk})
        return {row[0] for row in cursor.fetchall()}


def test_my_queues_sql_agrees_with_the_selector(world):
    # Group without membership, membership without group, both, another tenant, a revoked membership.
    odd = make_queue(world.tenant, "odd")
    world.outsider.groups.add(odd.reviewer_group)
    world.stranger.groups.add(world.queue.reviewer_group)  # a group of a tenant it is not a member of
    Membership.objects.filter(user=world.other_reviewer).delete()
    users = [
        world.reviewer,
        world.other_reviewer,
        world.lead,
        world.outsider,
        world.stranger,
        make_user("nobody-pg", world.tenant),
    ]
    for user in users:
        assert _my_queue_ids(user) == set(queues_for_user(user).values_list("pk", flat=True)), user.username
    assert _my_queue_ids(world.outsider) == {odd.pk}
    assert _my_queue_ids(world.other_reviewer) == set()


def test_claimed_event_data_matches_event_record(world, clock):
    item = make_pending_item(world)
    Draft.objects.filter(pk=item.draft_id).update(
        versions={"model": "m1", "policy": "p2"}, prompt_version="faq-v3", prompt_hash="abc123"
    )
    clock.shift(timedelta(microseconds=120000))  # a fractional second isoformat prints as .120000
    claimed = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    assert claimed is not None and claimed.pk == item.pk
    event = ReviewEvent.objects.filter(item=item).order_by("pk").last()
    assert event.type == "review.claimed"
    draft = Draft.objects.get(pk=item.draft_id)
    assert event.data == event_data(draft, {"lease_expires_at": claimed.lease_expires_at.isoformat()})
    assert event.data["prompt"] == {"version": "faq-v3", "hash": "abc123"}
    assert event.data["lease_expires_at"].endswith(".120000+00:00")


def test_a_takeover_records_lease_expired_before_claimed(world, clock):
    item = make_pending_item(world)
    services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    clock.shift(world.queue.lease + timedelta(seconds=1))
    taken = services.review_item_claim_next(user=world.other_reviewer, now=timezone.now())
    assert taken is not None and taken.pk == item.pk and taken.lease_owner_id == world.other_reviewer.pk
    types = list(ReviewEvent.objects.filter(item=item).order_by("pk").values_list("type", "data__owner_id"))
    assert types[-2:] == [("review.lease.expired", world.reviewer.pk), ("review.claimed", None)]


def test_the_claimed_item_comes_back_fully_loaded(world, clock, django_assert_num_queries):
    item = make_pending_item(world, priority=0.7)
    expected = item.draft
    with django_assert_num_queries(1):
        claimed = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
        # Draft and queue come with the statement, converted as the ORM would (JSON, decimals).
        assert claimed.draft.passages == expected.passages
        assert claimed.queue.reject_reasons == world.queue.reject_reasons
        assert claimed.draft.metadata == expected.metadata
    fresh = type(claimed).objects.get(pk=item.pk)
    for field in type(claimed)._meta.concrete_fields:
        assert getattr(claimed, field.attname) == getattr(fresh, field.attname), field.name
