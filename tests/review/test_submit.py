"""submit: approve / edit & send / reject with a reason code; the draft is decided."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.errors import Forbidden, InvalidInput, InvalidState, LeaseLost, NotFound, SlaExpired
from reviewqueue.review import services
from reviewqueue.review.models import DraftStatus, ItemState, Outcome
from tests.conftest import T0
from tests.factories import make_pending_item
from tests.review.helpers import event_types, row_counts

US = timedelta(microseconds=1)


def submit(user, item_id, disposition, **kwargs):
    return services.review_item_submit(
        user=user, item_id=item_id, disposition=disposition, now=timezone.now(), **kwargs
    )


@pytest.fixture
def claimed(world, clock):
    make_pending_item(world)
    return services.review_item_claim_next(user=world.reviewer, now=timezone.now())


def test_approve_sends_the_draft_as_written(world, clock, claimed):
    clock.shift(timedelta(seconds=42))
    item = submit(world.reviewer, claimed.pk, "approved", note="looks right")
    item.refresh_from_db()
    assert item.state == ItemState.RESOLVED and item.disposition == "approved"
    assert item.reviewer == world.reviewer and item.resolved_at == T0 + timedelta(seconds=42)
    assert item.lease_owner is None and item.lease_expires_at is None
    draft = item.draft
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DECIDED and draft.outcome == Outcome.SENT_DRAFT
    assert draft.final_text == draft.text == item.final_text
    assert event_types(item)[-2:] == ["review.approved", "draft.decided"]
    event = ReviewEvent.objects.get(item=item, type="review.approved")
    assert (event.actor, event.from_state, event.to_state) == (world.reviewer, "claimed", "resolved")
    assert event.data["seconds_spent"] == 42.0 and event.data["note"] == "looks right"
    decided = ReviewEvent.objects.get(item=item, type="draft.decided")
    assert decided.created_at == event.created_at


def test_edit_sends_the_edited_text_and_stores_the_diff(world, clock, claimed):
    edited = "The X200 blender has a two-year warranty. Register it within 30 days to activate it."
    item = submit(world.reviewer, claimed.pk, "edited", final_text=edited)
    draft = item.draft
    draft.refresh_from_db()
    assert draft.outcome == Outcome.SENT_EDITED and draft.final_text == edited
    event = ReviewEvent.objects.get(item=item, type="review.edited")
    diff = event.data["diff"]
    assert "-The X200 blender has a 24-month warranty." in diff
    assert "+The X200 blender has a two-year warranty." in diff
    assert diff.startswith("--- draft\n+++ sent\n")


@pytest.mark.parametrize("text", ["", "   \n"])
def test_edit_without_text_is_invalid(world, clock, claimed, text):
    before = row_counts()
    with pytest.raises(InvalidInput) as exc:
        submit(world.reviewer, claimed.pk, "edited", final_text=text)
    assert exc.value.details["field"] == "final_text"
    assert row_counts() == before
    claimed.refresh_from_db()
    assert claimed.state == ItemState.CLAIMED


def test_reject_with_a_reason_from_the_queue_sends_the_fallback(world, clock, claimed):
    item = submit(world.reviewer, claimed.pk, "rejected", reason_code="off_policy")
    item.refresh_from_db()
    assert item.reason_code == "off_policy" and item.final_text == world.queue.fallback_text
    draft = item.draft
    draft.refresh_from_db()
    assert draft.outcome == Outcome.SENT_FALLBACK and draft.final_text == world.queue.fallback_text
    assert ReviewEvent.objects.get(item=item, type="review.rejected").data["reason_code"] == "off_policy"


@pytest.mark.parametrize("code", ["", "not_a_reason", "OFF_POLICY"])
def test_reject_with_a_reason_not_in_the_queue_list_is_invalid(world, clock, claimed, code):
    before = row_counts()
    with pytest.raises(InvalidInput) as exc:
        submit(world.reviewer, claimed.pk, "rejected", reason_code=code)
    assert exc.value.details["allowed"] == ["factually_wrong", "off_policy", "unsafe"]
    assert row_counts() == before


@pytest.mark.parametrize("disposition", ["escalated", "approve", ""])
def test_unknown_disposition_is_invalid(world, clock, claimed, disposition):
    with pytest.raises(InvalidInput):
        submit(world.reviewer, claimed.pk, disposition)


@pytest.mark.parametrize(("offset", "alive"), [(-US, True), (timedelta(0), False), (US, False)])
def test_submit_at_the_lease_boundary(world, clock, claimed, offset, alive):
    clock.move_to(claimed.lease_expires_at + offset)
    if alive:
        assert submit(world.reviewer, claimed.pk, "approved").state == ItemState.RESOLVED
        return
    before = row_counts()
    with pytest.raises(LeaseLost):
        submit(world.reviewer, claimed.pk, "approved")
    assert row_counts() == before
    claimed.draft.refresh_from_db()
    assert claimed.draft.status == DraftStatus.ROUTED


@pytest.mark.parametrize(("offset", "allowed"), [(-US, True), (timedelta(0), False), (US, False)])
def test_submit_at_the_sla_boundary(world, clock, offset, allowed):
    item = make_pending_item(world)
    clock.move_to(item.due_at - timedelta(seconds=30))  # the lease outlives the SLA
    services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    clock.move_to(item.due_at + offset)
    if allowed:
        assert submit(world.reviewer, item.pk, "approved").state == ItemState.RESOLVED
        return
    with pytest.raises(SlaExpired):
        submit(world.reviewer, item.pk, "approved")
    item.refresh_from_db()
    assert item.state == ItemState.CLAIMED


def test_submit_after_the_lease_was_reclaimed_is_refused_and_the_new_owner_wins(world, clock, claimed):
    clock.shift(world.queue.lease + timedelta(seconds=1))
    services.review_item_claim_next(user=world.other_reviewer, now=timezone.now())
    with pytest.raises(LeaseLost):
        submit(world.reviewer, claimed.pk, "approved")
    item = submit(world.other_reviewer, claimed.pk, "edited", final_text="Two years.")
    assert item.reviewer == world.other_reviewer
    assert ReviewEvent.objects.filter(item=item, type__in=["review.approved", "review.edited"]).count() == 1


def test_submit_twice_is_invalid_state(world, clock, claimed):
    submit(world.reviewer, claimed.pk, "approved")
    before = row_counts()
    with pytest.raises(InvalidState):
        submit(world.reviewer, claimed.pk, "rejected", reason_code="unsafe")
    assert row_counts() == before


def test_submit_on_an_unclaimed_item_is_lease_lost(world, clock):
    item = make_pending_item(world)
    with pytest.raises(LeaseLost):
        submit(world.reviewer, item.pk, "approved")


def test_submit_permissions(world, clock, claimed):
    with pytest.raises(LeaseLost):
        submit(world.other_reviewer, claimed.pk, "approved")
    with pytest.raises(Forbidden):
        submit(world.outsider, claimed.pk, "approved")
    with pytest.raises(NotFound):
        submit(world.stranger, claimed.pk, "approved")
    with pytest.raises(NotFound):
        submit(world.reviewer, 10**9, "approved")
