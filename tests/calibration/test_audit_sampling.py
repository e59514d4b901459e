"""Audit sampling: a share of the drafts sent as written without a full review is copied, after
sending, into a blind audit item that stores its sampling probability."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from reviewqueue.audit.events import EventType
from reviewqueue.audit.models import ReviewEvent
from reviewqueue.errors import InvalidInput
from reviewqueue.intake import routing
from reviewqueue.ops.services import queue_settings_update
from reviewqueue.review import services
from reviewqueue.review.models import Decision, Draft, Queue, ReviewItem
from tests.api.conftest import service_client, session_client
from tests.calibration.helpers import held, lease, open_item, resolve, routed
from tests.factories import World, make_queue

pytestmark = pytest.mark.django_db


def audit_items(draft: Draft) -> list[ReviewItem]:
    return list(ReviewItem.objects.filter(draft=draft, audit_probability__isnull=False).order_by("pk"))


def event_types(draft: Draft) -> list[str]:
    return list(ReviewEvent.objects.filter(draft=draft).order_by("id").values_list("type", flat=True))


def test_an_auto_sent_draft_is_copied_after_sending_into_an_audit_item(world: World) -> None:
    Queue.objects.filter(pk=world.queue.pk).update(audit_share=1.0)
    draft = routed(world, Decision.AUTO_SEND)
    assert (draft.status, draft.outcome) == ("decided", "sent_draft")
    (item,) = audit_items(draft)
    assert (item.queue_id, item.state, item.audit_probability, item.priority) == (world.queue.pk, "pending", 1.0, 0.0)
    types = event_types(draft)
    # Sent first, then sampled: the audit is of an answer that already went out.
    assert types[-4:] == ["draft.routed", "draft.decided", "review.created", "draft.audit_sampled"]
    sampled = ReviewEvent.objects.get(draft=draft, type=EventType.DRAFT_AUDIT_SAMPLED)
    assert sampled.item_id == item.pk
    assert sampled.data["probability"] == 1.0 and sampled.data["queue"] == "billing"
    # A re-delivered routing task changes nothing: still one audit item.
    again = routing.draft_route(
        draft_id=draft.pk, decision=Decision.AUTO_SEND, reasons=[], queue=world.queue, priority=0, now=timezone.now()
    )
    assert again is None and len(audit_items(draft)) == 1
    # The service's view of the draft: no review (the audit is internal quality control).
    assert service_client(world.api_key).get(f"/api/v1/drafts/{draft.pk}").json()["review"] is None


def test_audit_items_go_to_the_audit_queue_when_one_is_set(world: World) -> None:
    audit = make_queue(world.tenant, "audit", sla_minutes=7 * 24 * 60)
    Queue.objects.filter(pk=world.queue.pk).update(audit_share=1.0, audit_queue=audit)
    (item,) = audit_items(routed(world, Decision.AUTO_SEND))
    assert item.queue_id == audit.pk
    assert item.due_at - item.created_at == timedelta(days=7)


def test_what_is_not_audited(world: World) -> None:
    draft = routed(world, Decision.AUTO_SEND)  # audit share 0: off
    assert audit_items(draft) == []
    Queue.objects.filter(pk=world.queue.pk).update(audit_share=1.0)
    blocked = routed(world, Decision.BLOCK)
    approved = resolve(held(world), world.reviewer, "approved")  # held: reviewed already
    drafted_edited = resolve(
        held(world, decision=Decision.AUTO_DRAFT_HUMAN_SEND), world.reviewer, "edited", final_text="x"
    )
    for d in (blocked.pk, approved.draft_id, drafted_edited.draft_id):
        assert not ReviewItem.objects.filter(draft_id=d, audit_probability__isnull=False).exists()


def test_a_drafted_answer_the_human_approved_is_audited_after_it_is_sent(world: World) -> None:
    Queue.objects.filter(pk=world.queue.pk).update(audit_share=1.0)
    item = held(world, decision=Decision.AUTO_DRAFT_HUMAN_SEND)
    assert audit_items(item.draft) == []  # not before it is sent
    resolve(item, world.reviewer, "approved")
    (audit,) = audit_items(item.draft)
    assert audit.state == "pending" and audit.audit_probability == 1.0


def test_an_audit_review_labels_the_draft_and_sends_nothing(world: World) -> None:
    Queue.objects.filter(pk=world.queue.pk).update(audit_share=1.0)
    draft = routed(world, Decision.AUTO_SEND)
    decided_at = draft.decided_at
    resolve(open_item(draft, audit=True), world.other_reviewer, "edited", final_text="The correct answer.")
    after = Draft.objects.get(pk=draft.pk)
    assert (after.outcome, after.final_text, after.decided_at) == ("sent_draft", draft.text, decided_at)
    assert event_types(draft).count("draft.decided") == 1
    edited = ReviewEvent.objects.get(draft=draft, type=EventType.REVIEW_EDITED)
    assert edited.data["audit"] is True and "The correct answer." in edited.data["diff"]
    (audit,) = audit_items(draft)
    assert audit.final_text == "The correct answer." and audit.disposition == "edited"


def test_an_expired_audit_applies_no_fallback_and_an_escalated_one_keeps_its_probability(world: World) -> None:
    Queue.objects.filter(
        pk=world.queue.pk,
    ).update(audit_share=1.0, fallback_action="block")
    draft = routed(world, Decision.AUTO_SEND)
    (item,) = audit_items(draft)
    assert services.review_item_expire(item_id=item.pk, now=item.due_at)
    after = Draft.objects.get(pk=draft.pk)
    assert (after.outcome, after.final_text) == ("sent_draft", draft.text)  # not the fallback
    breached = ReviewEvent.objects.get(draft=draft, type=EventType.REVIEW_SLA_BREACHED)
    assert breached.data["fallback_action"] is None and breached.data["audit"] is True

    other = routed(world, Decision.AUTO_SEND)
    (second,) = audit_items(other)
    successor = resolve(second, world.reviewer, "escalated", to=world.l2_queue)
    assert successor.audit_probability == 1.0 and successor.queue_id == world.l2_queue.pk


def test_the_audit_review_is_blind(world: World) -> None:
    Queue.objects.filter(pk=world.queue.pk).update(audit_share=1.0)
    draft = routed(world, Decision.AUTO_SEND, raw=0.93)
    item = open_item(draft, audit=True)
    now = timezone.now()
    lease(item, world.reviewer, now)
    body = session_client(world.reviewer).get(f"/api/v1/items/{item.pk}").json()
    assert body["audit"] is True
    assert body["draft"]["score"] is None and body["draft"]["confidence"] is None
    assert body["draft"]["decision_reasons"] == [] and body["draft"]["text"] == draft.text
    page = session_client(world.reviewer).get(reverse("web:item", args=[item.pk])).content.decode()
    assert 'id="blind-audit"' in page
    assert "93.0" not in page and "auto_send" not in page and "Auto send" not in page
    # An ordinary held item shows its confidence as before.
    normal = held(world, raw=0.61)
    lease(normal, world.reviewer, now)
    assert session_client(world.reviewer).get(f"/api/v1/items/{normal.pk}").json()["audit"] is False
    assert (
        'id="blind-audit"'
        not in session_client(world.reviewer).get(reverse("web:item", args=[normal.pk])).content.decode()
    )


def test_the_audit_share_is_a_share_and_a_lead_sets_it(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Queue.objects.filter(pk=world.queue.pk).update(audit_share=1.5)
    audit = make_queue(world.tenant, "audit")
    queue = queue_settings_update(
        acting_user=world.lead,
        queue_id=world.queue.pk,
        changes={"audit_share": 0.05, "audit_queue": audit},
        now=timezone.now(),
    )
    assert (queue.audit_share, queue.audit_queue_id, queue.audit_target()) == (0.05, audit.pk, audit)
    foreign = make_queue(world.other_tenant, "theirs")
    with pytest.raises(InvalidInput) as refused:
        queue_settings_update(
            acting_user=world.lead, queue_id=world.queue.pk, changes={"audit_queue": foreign}, now=timezone.now()
        )
    assert refused.value.details["fields"]["audit_queue"] == ["Audit into a queue of the same tenant."]
