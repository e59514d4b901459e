"""Blocked drafts keep their promise: a queue whose fallback promises a follow-up
(`follow_up_on_block`) gets a follow-up review item for every draft it blocks; a block without
one says so in the decision the service reads (`routing.follow_up`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.audit.outbox import webhook_payload
from reviewqueue.errors import InvalidInput
from reviewqueue.intake import routing
from reviewqueue.review import services
from reviewqueue.review.models import Decision, Draft, DraftStatus, ItemState, Outcome, ReviewItem
from tests.api.conftest import service_client
from tests.factories import make_draft


def blocked(world, queue=None):
    queue = queue or world.queue
    draft = make_draft(world, queue=queue)
    now = timezone.now()
    routing.draft_record_score(draft_id=draft.pk, score=None, confidence=0.05, versions={"scorer": "t"}, now=now)
    routing.draft_route(
        draft_id=draft.pk, decision=Decision.BLOCK, reasons=["confidence_block"], queue=queue, priority=0.7, now=now
    )
    return Draft.objects.get(pk=draft.pk)


def api(world, draft):
    return service_client(world.api_key).get(f"/api/v1/drafts/{draft.pk}").json()


def promise(queue):
    queue.follow_up_on_block = True
    queue.save(update_fields=["follow_up_on_block"])


def test_a_block_without_a_promised_follow_up_says_so(world, clock):
    draft = blocked(world)
    assert draft.status == DraftStatus.DECIDED and draft.outcome == Outcome.SENT_FALLBACK
    assert not ReviewItem.objects.filter(draft=draft).exists()
    body = api(world, draft)
    assert body["routing"]["decision"] == "block" and body["routing"]["follow_up"] == "none"
    assert body["review"] is None
    routed = ReviewEvent.objects.get(draft=draft, type="draft.routed")
    assert routed.data["follow_up"] is False
    assert webhook_payload(routed)["follow_up"] == {"scheduled": False}
    listed = service_client(world.api_key).get("/api/v1/drafts").json()["results"][0]
    assert listed["id"] == draft.pk and listed["follow_up"] == "none"


def test_a_promised_follow_up_opens_a_follow_up_item(world, clock):
    promise(world.queue)
    draft = blocked(world)
    assert draft.status == DraftStatus.DECIDED and draft.outcome == Outcome.SENT_FALLBACK
    assert draft.final_text == world.queue.fallback_text  # the customer has the fallback at once
    item = ReviewItem.objects.get(draft=draft)
    assert item.follow_up and item.state == ItemState.PENDING and item.queue == world.queue
    assert item.priority == 0.7 and item.due_at == item.created_at + world.queue.sla
    types = list(ReviewEvent.objects.filter(draft=draft).order_by("id").values_list("type", flat=True))
    assert types[-3:] == ["draft.routed", "draft.decided", "review.created"]
    assert ReviewEvent.objects.get(draft=draft, type="draft.routed").data["follow_up"] is True
    assert ReviewEvent.objects.get(item=item, type="review.created").data["follow_up"] is True
    body = api(world, draft)
    assert body["routing"]["follow_up"] == "pending"
    assert body["review"]["follow_up"] is True and body["review"]["state"] == "pending"


def test_other_decisions_have_no_follow_up(world, clock):
    promise(world.queue)
    draft = make_draft(world)
    now = timezone.now()
    routing.draft_record_score(draft_id=draft.pk, score=None, confidence=0.9, versions={}, now=now)
    routing.draft_route(
        draft_id=draft.pk, decision=Decision.AUTO_SEND, reasons=[], queue=world.queue, priority=0.1, now=now
    )
    assert not ReviewItem.objects.filter(draft=draft).exists()
    assert api(world, draft)["routing"]["follow_up"] is None


@pytest.mark.parametrize("disposition", ["approved", "edited"])
def test_sending_the_follow_up_leaves_the_fallback_decision_and_tells_the_service(world, clock, disposition):
    promise(world.queue)
    draft = blocked(world)
    item = ReviewItem.objects.get(draft=draft)
    services.review_item_claim(user=world.reviewer, item_id=item.pk, now=timezone.now())
    clock.shift(timedelta(seconds=30))
    text = "We checked: your refund was issued today." if disposition == "edited" else ""
    services.review_item_submit(
        user=world.reviewer, item_id=item.pk, disposition=disposition, final_text=text, now=timezone.now()
    )
    draft.refresh_from_db()
    item.refresh_from_db()
    assert draft.outcome == Outcome.SENT_FALLBACK and draft.final_text == world.queue.fallback_text
    assert item.state == ItemState.RESOLVED and item.final_text == (text or draft.text)
    assert ReviewEvent.objects.filter(draft=draft, type="draft.decided").count() == 1
    sent = ReviewEvent.objects.get(draft=draft, type="draft.follow_up.sent")
    assert sent.item == item and sent.actor == world.reviewer and sent.data["disposition"] == disposition
    assert webhook_payload(sent)["follow_up"] == {"item_id": item.pk, "final_text": item.final_text}
    body = api(world, draft)
    assert body["routing"]["follow_up"] == "sent" and body["review"]["final_text"] == item.final_text


def test_a_follow_up_cannot_be_rejected(world, clock):
    promise(world.queue)
    item = ReviewItem.objects.get(draft=blocked(world))
    services.review_item_claim(user=world.reviewer, item_id=item.pk, now=timezone.now())
    with pytest.raises(InvalidInput, match="cannot be rejected"):
        services.review_item_submit(
            user=world.reviewer, item_id=item.pk, disposition="rejected", reason_code="unsafe", now=timezone.now()
        )
    item.refresh_from_db()
    assert item.state == ItemState.CLAIMED


def test_an_escalated_follow_up_stays_a_follow_up(world, clock):
    promise(world.queue)
    item = ReviewItem.objects.get(draft=blocked(world))
    services.review_item_claim(user=world.reviewer, item_id=item.pk, now=timezone.now())
    successor = services.review_item_escalate(
        user=world.reviewer, item_id=item.pk, target_queue_id=world.l2_queue.pk, note="legal", now=timezone.now()
    )
    assert successor.follow_up and successor.queue == world.l2_queue
    assert api(world, item.draft)["routing"]["follow_up"] == "pending"


def test_a_follow_up_past_its_sla_is_missed_not_answered_twice(world, clock):
    promise(world.queue)
    draft = blocked(world)
    item = ReviewItem.objects.get(draft=draft)
    assert services.review_item_expire(item_id=item.pk, now=item.due_at)
    draft.refresh_from_db()
    assert draft.outcome == Outcome.SENT_FALLBACK and draft.final_text == world.queue.fallback_text
    assert ReviewEvent.objects.filter(draft=draft, type="draft.decided").count() == 1
    breach = ReviewEvent.objects.get(item=item, type="review.sla.breached")
    assert breach.data["fallback_action"] == "follow_up_missed"
    assert api(world, draft)["routing"]["follow_up"] == "missed"


def test_without_a_queue_the_default_queue_keeps_the_promise(world, clock):
    promise(world.queue)  # the world's default queue
    draft = make_draft(world)
    now = timezone.now()
    routing.draft_record_score(draft_id=draft.pk, score=None, confidence=0.05, versions={}, now=now)
    routing.draft_route(draft_id=draft.pk, decision=Decision.BLOCK, reasons=["x"], queue=None, priority=0.2, now=now)
    item = ReviewItem.objects.get(draft=draft)
    assert item.follow_up and item.queue == world.queue
