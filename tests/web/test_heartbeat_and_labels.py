"""The htmx endpoints of the review page: heartbeat and per-claim labels."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.calibration.models import ClaimLabel
from reviewqueue.review import services
from reviewqueue.review.models import ReviewItem
from tests.factories import World
from tests.web.factories import make_scored_item
from tests.web.helpers import body, htmx_post

pytestmark = pytest.mark.django_db


def beat(client, item: ReviewItem):
    return htmx_post(client, reverse("web:item_heartbeat", args=[item.pk]))


def label(client, item: ReviewItem, index: int, value: str):
    return htmx_post(client, reverse("web:claim_label", args=[item.pk, index]), {"label": value})


def test_heartbeat_extends_the_lease(world: World, client_for, claimed_item: ReviewItem) -> None:
    before = claimed_item.lease_expires_at
    response = beat(client_for(world.reviewer), claimed_item)
    assert response.status_code == 200
    claimed_item.refresh_from_db()
    assert claimed_item.lease_expires_at >= before
    html = body(response)
    assert html.lstrip().startswith('<div id="lease"') and 'data-lease-live="true"' in html
    assert "lease-banner" not in html


def test_heartbeat_on_a_lapsed_lease_answers_the_banner(world: World, client_for, claimed_item: ReviewItem) -> None:
    ReviewItem.objects.filter(pk=claimed_item.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    response = beat(client_for(world.reviewer), claimed_item)
    assert response.status_code == 409
    html = body(response)
    assert 'data-lease-live="false"' in html and "hx-trigger" not in html  # the beating stops
    assert 'id="lease-banner" class="lease-banner" hx-swap-oob="true"' in html
    assert "Your lease on this item has lapsed" in html
    assert "rq:lease-lost" in response["HX-Trigger"]


def test_heartbeat_after_someone_else_claimed(world: World, client_for, claimed_item: ReviewItem) -> None:
    later = timezone.now() + timedelta(seconds=world.queue.lease_seconds + 1)
    taken = services.review_item_claim_next(user=world.other_reviewer, now=later)
    assert taken is not None and taken.pk == claimed_item.pk
    response = beat(client_for(world.reviewer), claimed_item)
    assert response.status_code == 409 and "Another reviewer holds this item" in body(response)


def test_heartbeat_on_a_resolved_item(world: World, client_for, claimed_item: ReviewItem) -> None:
    services.review_item_submit(
        user=world.reviewer, item_id=claimed_item.pk, disposition="approved", now=timezone.now()
    )
    response = beat(client_for(world.reviewer), claimed_item)
    assert response.status_code == 409 and "This item is resolved" in body(response)


def test_heartbeat_outsider_and_stranger(world: World, client_for, claimed_item: ReviewItem) -> None:
    assert beat(client_for(world.outsider), claimed_item).status_code == 403
    assert beat(client_for(world.stranger), claimed_item).status_code == 404


def test_claim_label_records_changes_and_events(world: World, client_for, claimed_item: ReviewItem) -> None:
    client = client_for(world.reviewer)
    first = label(client, claimed_item, 0, "unsupported")
    assert first.status_code == 200
    assert 'value="unsupported" class="btn btn-small" data-requires-lease aria-pressed="true"' in body(first)
    row = ClaimLabel.objects.get()
    assert (row.claim_index, row.label, row.model_verdict, row.reviewer_id) == (
        0,
        "unsupported",
        "supported",
        world.reviewer.pk,
    )
    assert row.claim_text == "The X200 blender has a 24-month warranty." and (
        row.start,
        row.end,
    ) == (0, 41)
    label(client, claimed_item, 0, "unsupported")  # the same again: no new event
    label(client, claimed_item, 0, "supported")
    events = list(
        ReviewEvent.objects.filter(item=claimed_item, type="calibration.claim.labelled").values_list(
            "data__label", "data__previous"
        )
    )
    assert events == [("unsupported", None), ("supported", "unsupported")]
    assert ClaimLabel.objects.get().label == "supported"


@pytest.mark.parametrize("index,value,message", [(0, "maybe", "Label"), (3, "supported", "has no claim 3")])
def test_claim_label_bad_input(
    world: World, client_for, claimed_item: ReviewItem, index: int, value: str, message: str
) -> None:
    response = label(client_for(world.reviewer), claimed_item, index, value)
    assert response.status_code == 400 and message in body(response)
    assert not ClaimLabel.objects.exists()


def test_claim_label_on_unscored_draft(world: World, client_for) -> None:
    make_scored_item(world, score=None)
    item = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    assert item is not None
    assert label(client_for(world.reviewer), item, 0, "supported").status_code == 400


def test_claim_label_needs_the_lease(world: World, client_for, claimed_item: ReviewItem) -> None:
    other = label(client_for(world.other_reviewer), claimed_item, 0, "supported")
    assert other.status_code == 409 and "lapsed or was taken" in body(other)
    ReviewItem.objects.filter(pk=claimed_item.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    mine = label(client_for(world.reviewer), claimed_item, 0, "supported")
    assert mine.status_code == 409 and "rq:lease-lost" in mine["HX-Trigger"]
    assert not ClaimLabel.objects.exists()


def test_claim_label_outsider_and_stranger(world: World, client_for, claimed_item: ReviewItem) -> None:
    assert label(client_for(world.outsider), claimed_item, 0, "supported").status_code == 403
    assert label(client_for(world.stranger), claimed_item, 0, "supported").status_code == 404
    assert not ClaimLabel.objects.exists()


def test_claim_label_is_refused_past_the_sla_like_submit(world: World, client_for, claimed_item: ReviewItem) -> None:
    # The label shares submit's lease guard: a live lease on an item past due is not enough.
    now = timezone.now()
    ReviewItem.objects.filter(pk=claimed_item.pk).update(
        created_at=now - timedelta(hours=1), due_at=now - timedelta(seconds=1)
    )
    late = label(client_for(world.reviewer), claimed_item, 0, "supported")
    assert late.status_code == 409 and "SLA has passed" in body(late)
    assert not ClaimLabel.objects.exists()
