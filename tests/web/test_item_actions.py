"""The review page's actions go through the review services; domain errors become messages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.review import services
from reviewqueue.review.models import ReviewItem
from tests.factories import World
from tests.web.factories import DRAFT, make_scored_item
from tests.web.helpers import body

pytestmark = pytest.mark.django_db


def act(client, item: ReviewItem, action: str, data: dict[str, str] | None = None):
    return client.post(f"{reverse('web:item', args=[item.pk])}{action}/", data or {})


def test_claim_next_redirects_to_the_item(world: World, client_for) -> None:
    item = make_scored_item(world)
    response = client_for(world.reviewer).post(reverse("web:claim_next"))
    assert response.status_code == 302 and response["Location"] == reverse("web:item", args=[item.pk])
    item.refresh_from_db()
    assert (item.state, item.lease_owner_id) == ("claimed", world.reviewer.pk)


def test_claim_next_with_nothing_to_claim_says_so(world: World, client_for) -> None:
    client = client_for(world.reviewer)
    response = client.post(reverse("web:claim_next"), follow=True)
    assert "Nothing to claim right now" in body(response)


def test_claim_next_in_a_queue_i_am_not_in_is_refused(world: World, client_for) -> None:
    item = make_scored_item(world, queue=world.l2_queue)
    response = client_for(world.other_reviewer).post(
        reverse("web:claim_next"), {"queue": world.l2_queue.pk}, follow=True
    )
    assert "not a reviewer in every queue" in body(response)
    item.refresh_from_db()
    assert item.state == "pending"


def test_approve(world: World, client_for, claimed_item: ReviewItem) -> None:
    client = client_for(world.reviewer)
    response = act(client, claimed_item, "approve")
    assert response.status_code == 302 and response["Location"] == reverse("web:home")
    claimed_item.refresh_from_db()
    assert (claimed_item.state, claimed_item.disposition) == ("resolved", "approved")
    assert claimed_item.draft.final_text == DRAFT
    assert f"Approved item #{claimed_item.pk}" in body(client.get(reverse("web:home")))


def test_edit_and_send_stores_the_diff(world: World, client_for, claimed_item: ReviewItem) -> None:
    act(client_for(world.reviewer), claimed_item, "edit", {"final_text": "A two-year warranty.\n"})
    claimed_item.refresh_from_db()
    assert (claimed_item.disposition, claimed_item.final_text) == (
        "edited",
        "A two-year warranty.\n",
    )
    event = ReviewEvent.objects.get(item=claimed_item, type="review.edited")
    assert "+A two-year warranty." in event.data["diff"]


def test_edit_with_empty_text_is_refused_and_keeps_the_page(world: World, client_for, claimed_item: ReviewItem) -> None:
    response = act(client_for(world.reviewer), claimed_item, "edit", {"final_text": "   "})
    assert response.status_code == 400
    assert "An edit needs the edited text." in body(response)
    assert 'id="editor" class="editor" hidden' not in body(response)  # the editor stays open
    claimed_item.refresh_from_db()
    assert claimed_item.state == "claimed"


def test_reject_needs_a_reason_from_the_queue(world: World, client_for, claimed_item: ReviewItem) -> None:
    client = client_for(world.reviewer)
    bad = act(client, claimed_item, "reject", {"reason_code": "made_up", "note": "keep this note"})
    assert bad.status_code == 400
    html = body(bad)
    assert "reason_code must be one of" in html
    assert "keep this note</textarea>" in html  # nothing typed is lost
    assert "data-open-on-load" in html.split('id="reject-dialog"')[1][:200]
    ok = act(client, claimed_item, "reject", {"reason_code": "off_policy", "note": "n"})
    assert ok.status_code == 302
    claimed_item.refresh_from_db()
    assert (claimed_item.disposition, claimed_item.reason_code, claimed_item.note) == (
        "rejected",
        "off_policy",
        "n",
    )
    assert claimed_item.draft.final_text == world.queue.fallback_text


def test_escalate(world: World, client_for, claimed_item: ReviewItem) -> None:
    client = client_for(world.reviewer)
    no_note = act(client, claimed_item, "escalate", {"queue_id": str(world.l2_queue.pk), "note": ""})
    assert no_note.status_code == 400 and "Say why you are escalating." in body(no_note)
    own = act(client, claimed_item, "escalate", {"queue_id": str(world.queue.pk), "note": "x"})
    assert own.status_code == 400 and "cannot be escalated to its own queue" in body(own)
    other_tenant = act(
        client,
        claimed_item,
        "escalate",
        {"queue_id": str(world.other_tenant.queues.get().pk), "note": "x"},
    )
    assert other_tenant.status_code == 404 and "does not exist" in body(other_tenant)
    ok = act(client, claimed_item, "escalate", {"queue_id": str(world.l2_queue.pk), "note": "needs L2"})
    assert ok.status_code == 302
    successor = ReviewItem.objects.get(escalated_from=claimed_item)
    assert (successor.queue_id, successor.state) == (world.l2_queue.pk, "pending")


def test_release(world: World, client_for, claimed_item: ReviewItem) -> None:
    assert act(client_for(world.reviewer), claimed_item, "release").status_code == 302
    claimed_item.refresh_from_db()
    assert claimed_item.state == "pending"


def test_lapsed_lease_is_refused_with_409_and_keeps_the_text(
    world: World, client_for, claimed_item: ReviewItem
) -> None:
    ReviewItem.objects.filter(pk=claimed_item.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    response = act(client_for(world.reviewer), claimed_item, "edit", {"final_text": "my <b>careful</b> edit"})
    assert response.status_code == 409
    html = body(response)
    assert "Your lease on this item has lapsed" in html
    assert "my &lt;b&gt;careful&lt;/b&gt; edit</textarea>" in html
    assert 'data-lease-live="false"' in html
    claimed_item.refresh_from_db()
    assert claimed_item.state == "claimed"


def test_item_leased_by_someone_else_is_409(world: World, client_for, claimed_item: ReviewItem) -> None:
    response = act(client_for(world.other_reviewer), claimed_item, "approve")
    assert response.status_code == 409
    assert "Another reviewer holds this item" in body(response)
    claimed_item.refresh_from_db()
    assert claimed_item.state == "claimed"


def test_outsider_is_403_and_stranger_is_404(world: World, client_for, claimed_item: ReviewItem) -> None:
    outsider = act(client_for(world.outsider), claimed_item, "approve")
    assert outsider.status_code == 403 and "not a reviewer in this item" in body(outsider)
    assert act(client_for(world.stranger), claimed_item, "approve").status_code == 404
    claimed_item.refresh_from_db()
    assert claimed_item.state == "claimed"


def test_resolved_item_is_409(world: World, client_for, claimed_item: ReviewItem) -> None:
    client = client_for(world.reviewer)
    act(client, claimed_item, "approve")
    again = act(client, claimed_item, "approve")
    assert again.status_code == 409 and "already resolved" in body(again)


def test_sla_passed_is_409(world: World, client_for, clock) -> None:
    world.queue.lease_seconds = 7200  # a lease that outlives the SLA, so the SLA guard answers
    world.queue.save(update_fields=["lease_seconds"])
    make_scored_item(world)
    item = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    assert item is not None
    clock.shift(timedelta(minutes=61))
    response = act(client_for(world.reviewer), item, "approve")
    assert response.status_code == 409 and "SLA has passed" in body(response)


def test_unknown_action_and_get_are_refused(world: World, client_for, claimed_item: ReviewItem) -> None:
    client = client_for(world.reviewer)
    assert act(client, claimed_item, "delete").status_code == 404
    assert client.get(reverse("web:item_approve", args=[claimed_item.pk])).status_code == 405
