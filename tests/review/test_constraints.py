"""The database, not Python, is the law: ORM writes that bypass the services are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.review import services
from reviewqueue.review.models import Draft, ReviewItem
from tests.factories import make_draft, make_pending_item


@pytest.mark.parametrize(
    "update",
    [
        {"state": "claimed"},  # claimed without a lease
        {"state": "claimed", "lease_expires_at": timezone.now()},  # no owner
        {"state": "bogus"},
        {"state": "resolved"},  # resolved without a disposition
        {"disposition": "approved"},  # a pending item with a disposition
        {"due_at": timezone.now() - timedelta(days=365)},  # due before created
    ],
)
def test_item_constraints(world, update):
    item = make_pending_item(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewItem.objects.filter(pk=item.pk).update(**update)


def test_pending_item_with_a_lease_owner_is_refused(world):
    item = make_pending_item(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewItem.objects.filter(pk=item.pk).update(lease_owner=world.reviewer)


def test_claimed_item_cannot_drop_its_lease(world):
    item = make_pending_item(world)
    services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewItem.objects.filter(pk=item.pk).update(lease_owner=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewItem.objects.filter(pk=item.pk).update(lease_expires_at=None)


def test_two_open_items_per_draft_are_refused(world):
    item = make_pending_item(world)
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewItem.objects.create(draft=item.draft, queue=world.l2_queue, created_at=now, due_at=now)
    # A closed item does not count: after an escalation the draft has one closed and one open item.
    services.review_item_claim_next(user=world.reviewer, now=now)
    services.review_item_escalate(
        user=world.reviewer, item_id=item.pk, target_queue_id=world.l2_queue.pk, note="n", now=now
    )
    assert ReviewItem.objects.filter(draft=item.draft).count() == 2


def test_idempotency_key_is_unique_per_client(world):
    draft = make_draft(world, key="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        Draft.objects.create(
            tenant=world.tenant,
            client=world.client,
            idempotency_key="same",
            fingerprint="x",
            text="t",
            created_at=timezone.now(),
        )
    other = Draft.objects.create(
        tenant=world.other_tenant,
        client=world.other_client,
        idempotency_key="same",
        fingerprint="x",
        text="t",
        created_at=timezone.now(),
    )
    assert other.pk != draft.pk


@pytest.mark.parametrize(
    "update",
    [{"status": "decided"}, {"outcome": "sent_draft"}, {"status": "nope"}, {"decision": "maybe"}],
)
def test_draft_constraints(world, update):
    draft = make_draft(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Draft.objects.filter(pk=draft.pk).update(**update)


def test_events_are_append_only(world):
    draft = make_draft(world)
    event = ReviewEvent.objects.filter(draft=draft).first()
    event.type = "tampered"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
