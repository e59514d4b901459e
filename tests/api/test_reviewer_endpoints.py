"""The reviewer endpoints, end to end over HTTP with a session (the browser UI calls the same services)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.intake import routing
from reviewqueue.review import services
from reviewqueue.review.models import DraftStatus, ItemState, ReviewItem
from tests.api.conftest import service_client, session_client
from tests.conftest import T0
from tests.factories import make_pending_item, make_queue


def test_round_trip_enqueue_route_claim_heartbeat_approve(world, clock):
    from reviewqueue.intake.routing import target_queue

    service = service_client(world.api_key)
    created = service.post(
        "/api/v1/drafts",
        {"draft": "Refunds take 5 days.", "question": "Refund?"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="rt-1",
    )
    assert created.status_code == 201
    draft_id = created.json()["id"]
    # The scoring seam/worker would do this; route straight into the tenant's default queue here.
    from reviewqueue.review.models import Draft

    draft = Draft.objects.get(pk=draft_id)
    assert target_queue(draft) == world.queue
    routing.draft_record_score(draft_id=draft_id, score=None, confidence=0.3, versions={"scorer": "t"}, now=T0)
    routing.draft_route(
        draft_id=draft_id,
        decision="queue_for_review",
        reasons=["low_confidence"],
        queue=world.queue,
        priority=0.7,
        now=T0,
    )

    reviewer = session_client(world.reviewer)
    clock.shift(timedelta(seconds=10))
    claimed = reviewer.post("/api/v1/items/claim-next", {}, format="json")
    assert claimed.status_code == 200
    body = claimed.json()
    assert body["state"] == "claimed" and body["draft_id"] == draft_id and body["queue"] == "billing"
    assert body["lease_expires_at"] == (T0 + timedelta(seconds=10) + world.queue.lease).isoformat()
    assert body["draft"]["text"] == "Refunds take 5 days." and body["draft"]["question"] == "Refund?"
    assert body["reject_reasons"] == ["factually_wrong", "off_policy", "unsafe"]
    item_id = body["id"]

    clock.shift(timedelta(seconds=60))
    beat = reviewer.post(f"/api/v1/items/{item_id}/heartbeat")
    assert beat.status_code == 200
    assert beat.json() == {
        "id": item_id,
        "lease_expires_at": (T0 + timedelta(seconds=70) + world.queue.lease).isoformat(),
    }

    detail = reviewer.get(f"/api/v1/items/{item_id}")
    assert detail.status_code == 200 and detail.json()["state"] == "claimed"

    clock.shift(timedelta(seconds=20))
    done = reviewer.post(f"/api/v1/items/{item_id}/submit", {"disposition": "approved", "note": "ok"}, format="json")
    assert done.status_code == 200
    assert done.json()["state"] == "resolved" and done.json()["disposition"] == "approved"
    assert done.json()["reviewer"] == world.reviewer.username

    outcome = service.get(f"/api/v1/drafts/{draft_id}").json()
    assert outcome["status"] == "decided"
    assert outcome["routing"]["decision"] == "queue_for_review"
    assert outcome["routing"]["reason_codes"] == ["low_confidence"]
    assert outcome["outcome"] == {
        "outcome": "sent_draft",
        "final_text": "Refunds take 5 days.",
        "decided_at": (T0 + timedelta(seconds=90)).isoformat(),
    }
    # Services see an opaque reviewer id, not the username (tests/api/test_drafts_list.py).
    assert outcome["review"]["reviewer"].startswith("rvw_")
    assert world.reviewer.username not in str(outcome)
    assert outcome["review"]["resolved_at"] == (T0 + timedelta(seconds=90)).isoformat()
    assert outcome["review"]["claimed_at"] == (T0 + timedelta(seconds=10)).isoformat()


def test_claim_next_with_nothing_to_do_is_204(world, clock):
    response = session_client(world.reviewer).post("/api/v1/items/claim-next", {}, format="json")
    assert response.status_code == 204 and response.content == b""


def test_claim_next_with_an_empty_body(world, clock):
    make_pending_item(world)
    response = session_client(world.reviewer).post("/api/v1/items/claim-next")
    assert response.status_code == 200


def test_claim_next_restricted_to_queue_ids(world, clock):
    make_pending_item(world, priority=0.9)
    l2 = make_pending_item(world, queue=world.l2_queue, priority=0.1)
    response = session_client(world.reviewer).post(
        "/api/v1/items/claim-next", {"queue_ids": [world.l2_queue.pk]}, format="json"
    )
    assert response.json()["id"] == l2.pk


def test_lapsed_lease_is_claimable_over_the_api_at_once(world, clock):
    item = make_pending_item(world)
    session_client(world.reviewer).post("/api/v1/items/claim-next", {}, format="json")
    clock.shift(world.queue.lease - timedelta(microseconds=1))
    other = session_client(world.other_reviewer)
    assert other.post("/api/v1/items/claim-next", {}, format="json").status_code == 204
    clock.shift(timedelta(microseconds=1))
    response = other.post("/api/v1/items/claim-next", {}, format="json")
    assert response.status_code == 200 and response.json()["id"] == item.pk
    assert ReviewEvent.objects.filter(item=item, type="review.lease.expired").count() == 1


def test_release_edit_reject_and_escalate_over_the_api(world, clock):
    items = [make_pending_item(world, priority=p) for p in (0.9, 0.8, 0.7)]
    client = session_client(world.reviewer)

    def claim():
        return client.post("/api/v1/items/claim-next", {"queue_ids": [world.queue.pk]}, format="json").json()["id"]

    first = claim()
    released = client.post(f"/api/v1/items/{first}/release")
    assert released.status_code == 200 and released.json()["state"] == "pending"
    assert claim() == first

    edited = client.post(
        f"/api/v1/items/{first}/submit", {"disposition": "edited", "final_text": "Better."}, format="json"
    )
    assert edited.json()["final_text"] == "Better." and edited.json()["disposition"] == "edited"
    assert "diff" in ReviewEvent.objects.get(item_id=first, type="review.edited").data

    second = claim()
    rejected = client.post(
        f"/api/v1/items/{second}/submit", {"disposition": "rejected", "reason_code": "unsafe"}, format="json"
    )
    assert rejected.json()["reason_code"] == "unsafe"

    third = claim()
    assert third == items[2].pk
    escalated = client.post(
        f"/api/v1/items/{third}/escalate", {"queue_id": world.l2_queue.pk, "note": "legal"}, format="json"
    )
    assert escalated.status_code == 200
    successor = escalated.json()
    assert successor["queue"] == "billing-l2" and successor["state"] == "pending"
    assert successor["due_at"] == (T0 + world.l2_queue.sla).isoformat()
    assert ReviewItem.objects.get(pk=third).disposition == "escalated"
    assert ReviewItem.objects.get(pk=successor["id"]).draft.status == DraftStatus.ROUTED


def test_queue_list_depth_oldest_age_and_breaches(world, clock, settings):
    settings.REVIEWQUEUE_SLA_WARNING_FRACTION = 0.8
    make_pending_item(world)  # T0, due T0+60m
    clock.shift(timedelta(minutes=30))
    make_pending_item(world)  # T0+30m, due T0+90m
    make_pending_item(world, queue=world.l2_queue)
    clock.move_to(T0 + timedelta(minutes=47))
    services.review_item_claim_next(user=world.reviewer, now=timezone.now(), queue_ids=[world.queue.pk])
    client = session_client(world.reviewer)

    def billing():
        queues = {q["name"]: q for q in client.get("/api/v1/queues").json()["queues"]}
        assert set(queues) == {"billing", "billing-l2"}
        return queues["billing"]

    clock.move_to(T0 + timedelta(minutes=48) - timedelta(microseconds=1))
    q = billing()
    assert (q["depth"], q["claimed"], q["near_breach"], q["breached"]) == (2, 1, 0, 0)
    assert q["oldest_age_seconds"] == pytest.approx(48 * 60, abs=0.001)
    assert q["sla_minutes"] == 60 and q["tenant"] == world.tenant.slug

    clock.move_to(T0 + timedelta(minutes=48))
    assert billing()["near_breach"] == 1

    clock.move_to(T0 + timedelta(minutes=60))
    q = billing()
    assert (q["near_breach"], q["breached"]) == (0, 1)


def test_queue_list_query_count_does_not_grow_with_queues(world, clock, django_assert_max_num_queries):
    client = session_client(world.lead)
    client.get("/api/v1/queues")  # warm the session
    for i in range(5):
        queue = make_queue(world.tenant, f"extra-{i}")
        world.lead.groups.add(queue.reviewer_group)
        make_pending_item(world, queue=queue)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/queues")
    assert len(response.json()["queues"]) == 7


def test_item_detail_shows_items_of_the_reviewers_queues_in_any_state(world, clock):
    item = make_pending_item(world)
    response = session_client(world.other_reviewer).get(f"/api/v1/items/{item.pk}")
    assert response.status_code == 200
    assert response.json()["state"] == ItemState.PENDING and response.json()["draft"]["id"] == item.draft_id


def test_an_empty_body_skips_only_serializers_that_would_accept_it():
    from rest_framework import serializers

    from reviewqueue.api.serializers import ClaimNextInput, EscalateInput, SubmitInput
    from reviewqueue.api.views import _empty_is_valid

    class Defaulted(serializers.Serializer):
        limit = serializers.IntegerField(required=False, default=10)

    class Checked(serializers.Serializer):
        note = serializers.CharField(required=False)

        def validate(self, attrs):
            raise serializers.ValidationError("say something")

    assert _empty_is_valid(ClaimNextInput)
    assert not any(_empty_is_valid(s) for s in (SubmitInput, EscalateInput, Defaulted, Checked))


def test_claim_next_query_count_and_it_answers_from_what_it_read(world, clock, django_assert_num_queries):
    """Session, user, the user's queues; then in one transaction (a savepoint pair here) the claim
    statement (queries.CLAIM_NEXT), the claimed item's draft and the event: nothing the response
    shows is read lazily."""
    make_pending_item(world)
    reviewer = session_client(world.reviewer)
    with django_assert_num_queries(8):
        response = reviewer.post("/api/v1/items/claim-next", {}, format="json")
    body = response.json()
    assert response.status_code == 200 and body["draft"]["text"]
    assert body["reject_reasons"] == world.queue.reject_reasons
