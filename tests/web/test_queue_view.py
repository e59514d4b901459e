"""/queues/<id>/: a queue's items with filters in the URL, a preview, claiming one item by id;
reviewers see only the queues their group allows."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviewqueue.review import services
from reviewqueue.review.models import Draft, ItemState, ReviewItem
from tests.web.factories import make_scored_item
from tests.web.helpers import body

pytestmark = pytest.mark.django_db


def listed(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-item-row="(\d+)"', html)]


def url(queue, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("web:queue", args=[queue.pk]) + (f"?{query}" if query else "")


@pytest.fixture
def scene(world, clock):
    """Four items created at different times and intents, in billing (SLA 60 min, warning at 80%)."""
    t0 = timezone.now()
    old = make_scored_item(world, now=t0 - timedelta(minutes=55))  # at risk (past 48 min)
    mid = make_scored_item(world, now=t0 - timedelta(minutes=20))
    fresh = make_scored_item(world, now=t0 - timedelta(minutes=1))
    breached = make_scored_item(world, now=t0 - timedelta(minutes=61))
    Draft.objects.filter(pk=mid.draft_id).update(intent="refund")
    return {"old": old, "mid": mid, "fresh": fresh, "breached": breached}


def test_open_items_most_urgent_first(world, client_for, scene) -> None:
    html = body(client_for(world.reviewer).get(url(world.queue)))
    assert listed(html) == [scene[k].pk for k in ("breached", "old", "mid", "fresh")]
    assert f'action="/items/{scene["fresh"].pk}/claim/"' in html
    assert 'aria-keyshortcuts="n"' in html and "style=" not in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"risk": "warning"}, ["old"]),
        ({"risk": "breached"}, ["breached"]),
        ({"risk": "ok"}, ["mid", "fresh"]),
        ({"intent": "refund"}, ["mid"]),
        ({"age": "15m"}, ["breached", "old", "mid"]),
        ({"age": "1h"}, ["breached"]),
        ({"age": "15m", "intent": "warranty"}, ["breached", "old"]),
        ({"state": "claimed"}, []),
    ],
)
def test_filters_in_the_url(world, client_for, scene, params, expected) -> None:
    response = client_for(world.reviewer).get(url(world.queue, **params))
    assert response.status_code == 200
    assert listed(body(response)) == [scene[k].pk for k in expected]


def test_state_filter_and_who_holds_what(world, client_for, scene) -> None:
    services.review_item_claim(user=world.other_reviewer, item_id=scene["mid"].pk, now=timezone.now())
    html = body(client_for(world.reviewer).get(url(world.queue, state="claimed")))
    assert listed(html) == [scene["mid"].pk]
    assert f"in review by {world.other_reviewer.username}" in html
    assert f'action="/items/{scene["mid"].pk}/claim/"' not in html  # not free: no claim button


def test_preview_keeps_the_filters(world, client_for, scene) -> None:
    html = body(client_for(world.reviewer).get(url(world.queue, risk="ok", preview=scene["mid"].pk)))
    assert f"Item #{scene['mid'].pk}</h2>" in html
    assert "How long is the warranty" in html and "Claim this item" in html
    assert f'href="?risk=ok&amp;preview={scene["fresh"].pk}"' in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"state": "gone"}, "State: Select a valid choice"),
        ({"risk": "soon"}, "Sla risk: Select a valid choice"),
        ({"age": "3y"}, "Age: Select a valid choice"),
        ({"preview": "abc"}, "Preview: Enter a whole number"),
        ({"intent": "x" * 101}, "Intent: Ensure this value has at most 100 characters"),
    ],
)
def test_a_bad_filter_is_a_400_that_says_which(world, client_for, scene, params, message) -> None:
    response = client_for(world.reviewer).get(url(world.queue, **params))
    assert response.status_code == 400
    html = body(response)
    assert message in html and listed(html) == []


def test_only_queues_the_reviewers_group_allows(world, client_for, scene) -> None:
    assert client_for(world.outsider).get(url(world.queue)).status_code == 403
    assert client_for(world.stranger).get(url(world.queue)).status_code == 404
    assert client_for(world.reviewer).get(reverse("web:queue", args=[999_999])).status_code == 404
    assert Client().get(url(world.queue)).status_code == 302  # signed out: to the sign-in page
    home = body(client_for(world.other_reviewer).get(reverse("web:home")))
    assert f'href="/queues/{world.queue.pk}/"' in home and f'href="/queues/{world.l2_queue.pk}/"' not in home


def test_queries_do_not_grow_with_the_list(world, client_for, scene, django_assert_num_queries) -> None:
    """session, user, queue (+tenant), items (+drafts, owners), intents."""
    client = client_for(world.reviewer)
    client.get(url(world.queue))
    with django_assert_num_queries(5):
        client.get(url(world.queue))
    for _ in range(5):
        make_scored_item(world)
    with django_assert_num_queries(5):
        client.get(url(world.queue))


def test_claim_from_the_list_opens_the_item(world, client_for, scene) -> None:
    back = url(world.queue, risk="ok")
    response = client_for(world.reviewer).post(reverse("web:item_claim", args=[scene["fresh"].pk]), {"next": back})
    assert response.status_code == 302 and response["Location"] == reverse("web:item", args=[scene["fresh"].pk])
    item = ReviewItem.objects.get(pk=scene["fresh"].pk)
    assert item.state == ItemState.CLAIMED and item.lease_owner == world.reviewer


def test_claim_lost_to_another_reviewer_goes_back_with_the_reason(world, client_for, scene) -> None:
    services.review_item_claim(user=world.other_reviewer, item_id=scene["fresh"].pk, now=timezone.now())
    client = client_for(world.reviewer)
    back = url(world.queue, risk="ok")
    response = client.post(reverse("web:item_claim", args=[scene["fresh"].pk]), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    html = body(client.get(back))
    assert f"Another reviewer claimed item #{scene['fresh'].pk} first" in html
    # An address on another site is not followed.
    response = client.post(reverse("web:item_claim", args=[scene["fresh"].pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("web:item", args=[scene["fresh"].pk])


def test_claim_negative_cases(world, client_for, scene) -> None:
    claim_url = reverse("web:item_claim", args=[scene["fresh"].pk])
    assert client_for(world.reviewer).get(claim_url).status_code == 405
    assert client_for(world.stranger).post(claim_url).status_code == 404
    assert client_for(world.reviewer).post(reverse("web:item_claim", args=[999_999])).status_code == 404
    outsider = client_for(world.outsider)
    response = outsider.post(claim_url)
    assert response.status_code == 302
    assert "not a reviewer in this item" in body(outsider.get(response["Location"]))
    assert ReviewItem.objects.get(pk=scene["fresh"].pk).state == ItemState.PENDING


def test_a_linked_item_can_be_claimed_from_the_review_page(world, client_for, clock) -> None:
    make_scored_item(world)
    first = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    assert first is not None
    successor = services.review_item_escalate(
        user=world.reviewer, item_id=first.pk, target_queue_id=world.l2_queue.pk, note="tax", now=timezone.now()
    )
    lead = client_for(world.lead)
    html = body(lead.get(reverse("web:item", args=[first.pk])))
    assert 'id="linked-items"' in html and f'action="/items/{successor.pk}/claim/"' in html
    html = body(lead.get(reverse("web:item", args=[successor.pk])))
    assert "It is free:" in html and 'id="claim-this-form"' in html
    response = lead.post(reverse("web:item_claim", args=[successor.pk]), {"next": f"/items/{first.pk}/"})
    assert response["Location"] == reverse("web:item", args=[successor.pk])
    html = body(lead.get(reverse("web:item", args=[successor.pk])))
    assert 'data-lease-live="true"' in html and 'id="claim-this-form"' not in html
