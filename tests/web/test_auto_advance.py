"""Auto-advance: after a decision the next item is claimed and shown, with a line saying what was
just done; a per-reviewer setting, on by default."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reviewqueue.review.models import ReviewItem
from reviewqueue.web.models import ReviewerPreferences
from tests.factories import World
from tests.web.factories import make_scored_item
from tests.web.helpers import body

pytestmark = pytest.mark.django_db

HOME = reverse("web:home")


def act(client, item: ReviewItem, action: str, data: dict[str, str] | None = None):
    return client.post(f"{reverse('web:item', args=[item.pk])}{action}/", data or {})


@pytest.mark.parametrize(
    ("action", "data", "said"),
    [
        ("approve", {}, "Approved item #{pk}: the draft was sent as written."),
        ("edit", {"final_text": "Better."}, "Sent your edited answer for item #{pk}."),
        ("reject", {"reason_code": "off_policy"}, "Rejected item #{pk}: the fallback answer was sent."),
        ("escalate", {"queue_id": "L2", "note": "specialist"}, "Escalated item #{pk} to billing-l2."),
    ],
)
def test_each_decision_opens_the_next_item_with_what_was_done(
    world: World, client_for, claimed_item: ReviewItem, action, data, said
) -> None:
    following = make_scored_item(world, priority=0.1)
    client = client_for(world.reviewer)
    if data.get("queue_id") == "L2":
        data = {**data, "queue_id": str(world.l2_queue.pk)}
    response = act(client, claimed_item, action, data)
    assert response.status_code == 302 and response["Location"] == reverse("web:item", args=[following.pk])
    following.refresh_from_db()
    assert (following.state, following.lease_owner_id) == ("claimed", world.reviewer.pk)
    page = body(client.get(response["Location"]))
    assert said.format(pk=claimed_item.pk) in page


def test_with_nothing_left_it_goes_home_and_says_so(world: World, client_for, claimed_item: ReviewItem) -> None:
    client = client_for(world.reviewer)
    response = act(client, claimed_item, "approve")
    assert response["Location"] == HOME
    page = body(client.get(HOME))
    assert f"Approved item #{claimed_item.pk}" in page and "Nothing left to claim" in page


def test_release_does_not_advance(world: World, client_for, claimed_item: ReviewItem) -> None:
    make_scored_item(world, priority=0.1)
    response = act(client_for(world.reviewer), claimed_item, "release")
    assert response["Location"] == HOME


def test_turned_off_a_decision_goes_home(world: World, client_for, claimed_item: ReviewItem) -> None:
    following = make_scored_item(world, priority=0.1)
    client = client_for(world.reviewer)
    assert "Auto-advance is <strong>on</strong>" in body(client.get(HOME))
    toggled = client.post(reverse("web:preferences_auto_advance"), {"auto_advance": "off"})
    assert toggled["Location"] == HOME
    assert not ReviewerPreferences.auto_advance_for(world.reviewer.pk)
    assert "Auto-advance is <strong>off</strong>" in body(client.get(HOME))
    assert act(client, claimed_item, "approve")["Location"] == HOME
    following.refresh_from_db()
    assert following.state == "pending"
    client.post(reverse("web:preferences_auto_advance"), {"auto_advance": "on"})
    assert ReviewerPreferences.auto_advance_for(world.reviewer.pk)


def test_the_setting_is_per_reviewer(world: World, client_for) -> None:
    client_for(world.reviewer).post(reverse("web:preferences_auto_advance"), {"auto_advance": "off"})
    assert not ReviewerPreferences.auto_advance_for(world.reviewer.pk)
    assert ReviewerPreferences.auto_advance_for(world.other_reviewer.pk)


def test_the_setting_needs_a_signed_in_reviewer_and_a_post(world: World, client_for) -> None:
    from django.test import Client

    anonymous = Client().post(reverse("web:preferences_auto_advance"), {"auto_advance": "off"})
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert client_for(world.reviewer).get(reverse("web:preferences_auto_advance")).status_code == 405
    assert not ReviewerPreferences.objects.exists()
