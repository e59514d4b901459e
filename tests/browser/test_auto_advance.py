"""Auto-advance in the browser: a decision opens the next item with a line saying what was done;
turned off on My queues, a decision goes back there."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from reviewqueue.review.models import ReviewItem
from tests.browser.conftest import shot, sign_in
from tests.factories import make_world
from tests.web.factories import make_scored_item

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HOME = re.compile(r"^http://[^/]+/$")


def test_a_decision_opens_the_next_item_then_turned_off_goes_home(new_page) -> None:
    world = make_world()
    first = make_scored_item(world, priority=0.9)
    second = make_scored_item(world, priority=0.5)
    third = make_scored_item(world, priority=0.1)
    page = new_page()
    sign_in(page, world.reviewer)
    expect(page.locator("#auto-advance-form").get_by_text("Auto-advance is on")).to_be_visible()
    page.keyboard.press("n")
    page.wait_for_url(f"**/items/{first.pk}/")
    page.keyboard.press("a")
    page.locator("#approve-dialog").get_by_role("button", name="Approve and send").click()
    page.wait_for_url(f"**/items/{second.pk}/")
    expect(page.get_by_role("status").get_by_text(f"Approved item #{first.pk}")).to_be_visible()
    shot(page, "21-auto-advance", full_page=False)
    assert ReviewItem.objects.get(pk=second.pk).lease_owner_id == world.reviewer.pk

    # Off: the next decision lands on My queues.
    page.get_by_role("link", name="My queues").first.click()
    page.wait_for_url(HOME)
    page.get_by_role("button", name="Turn off").click()
    expect(page.locator("#auto-advance-form").get_by_text("Auto-advance is off")).to_be_visible()
    shot(page, "22-auto-advance-off", full_page=False)
    page.goto(f"/items/{second.pk}/")
    page.keyboard.press("a")
    page.locator("#approve-dialog").get_by_role("button", name="Approve and send").click()
    page.wait_for_url(HOME)
    expect(page.get_by_text(f"Approved item #{second.pk}")).to_be_visible()
    assert ReviewItem.objects.get(pk=third.pk).state == "pending"
