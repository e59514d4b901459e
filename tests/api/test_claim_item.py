"""POST /api/v1/items/{id}/claim: the same transition as the queue view's Claim button."""

from __future__ import annotations

from reviewqueue.review.models import ReviewItem
from tests.api.conftest import assert_error, session_client
from tests.factories import make_pending_item


def test_claim_by_id_then_another_reviewer_is_told_it_is_taken(world, clock):
    item = make_pending_item(world)
    response = session_client(world.reviewer).post(f"/api/v1/items/{item.pk}/claim")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == item.pk and body["state"] == "claimed" and body["lease_expires_at"] is not None
    assert body["draft"]["id"] == item.draft_id and body["follow_up"] is False
    again = session_client(world.reviewer).post(f"/api/v1/items/{item.pk}/claim")
    assert again.status_code == 200 and again.json()["lease_expires_at"] == body["lease_expires_at"]
    error = assert_error(
        session_client(world.other_reviewer).post(f"/api/v1/items/{item.pk}/claim"), 409, "already_claimed"
    )
    assert error["details"] == {"item_id": item.pk}
    assert ReviewItem.objects.get(pk=item.pk).lease_owner == world.reviewer
