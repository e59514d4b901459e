"""GET /api/v1/drafts/{id}: status, routing decision, review outcome."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from reviewqueue.review import services, sweeps
from tests.api.conftest import assert_error, service_client
from tests.conftest import T0
from tests.factories import make_draft, make_pending_item


def get(world, draft_id, key=None):
    return service_client(key or world.api_key).get(f"/api/v1/drafts/{draft_id}")


def test_received_draft(world, clock):
    draft = make_draft(world, key="abc")
    body = get(world, draft.pk).json()
    assert body["id"] == draft.pk and body["status"] == "received" and body["idempotency_key"] == "abc"
    assert body["created_at"] == T0.isoformat()
    assert body["routing"]["decision"] is None and body["review"] is None
    assert body["outcome"] == {"outcome": None, "final_text": None, "decided_at": None}


def test_routed_draft_shows_the_pending_review(world, clock):
    item = make_pending_item(world)
    body = get(world, item.draft_id).json()
    assert body["status"] == "routed"
    assert body["routing"]["decision"] == "queue_for_review" and body["routing"]["confidence"] == 0.4
    assert body["routing"]["versions"] == {"scorer": "test"}
    assert body["review"]["state"] == "pending" and body["review"]["queue"] == "billing"
    assert body["review"]["due_at"] == (T0 + timedelta(minutes=60)).isoformat()


def test_rejected_draft_shows_the_fallback_and_reason(world, clock):
    item = make_pending_item(world)
    services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    services.review_item_submit(
        user=world.reviewer, item_id=item.pk, disposition="rejected", reason_code="factually_wrong", now=timezone.now()
    )
    body = get(world, item.draft_id).json()
    assert body["status"] == "decided"
    assert body["outcome"]["outcome"] == "sent_fallback"
    assert body["outcome"]["final_text"] == world.queue.fallback_text
    assert body["review"]["disposition"] == "rejected" and body["review"]["reason_code"] == "factually_wrong"


def test_escalated_draft_shows_the_latest_item(world, clock):
    item = make_pending_item(world)
    services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    clock.shift(timedelta(seconds=1))
    successor = services.review_item_escalate(
        user=world.reviewer, item_id=item.pk, target_queue_id=world.l2_queue.pk, note="n", now=timezone.now()
    )
    body = get(world, item.draft_id).json()
    assert body["review"]["id"] == successor.pk and body["review"]["queue"] == "billing-l2"


def test_expired_draft_shows_the_fallback(world, clock):
    item = make_pending_item(world)
    sweeps.sla_sweep(now=item.due_at)
    body = get(world, item.draft_id).json()
    assert body["status"] == "decided" and body["review"]["state"] == "expired"
    assert body["outcome"]["outcome"] == "sent_fallback"


def test_detail_query_count_is_constant(world, clock, django_assert_max_num_queries):
    item = make_pending_item(world)
    client = service_client(world.api_key)
    client.get(f"/api/v1/drafts/{item.draft_id}")  # the key's last-used write happens once
    with django_assert_max_num_queries(5):
        assert client.get(f"/api/v1/drafts/{item.draft_id}").status_code == 200


def test_other_tenant_cannot_read(world, clock):
    draft = make_draft(world)
    assert_error(get(world, draft.pk, key=world.other_api_key), 404, "not_found")
