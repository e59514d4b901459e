"""Idle tabs do not hold items: after the idle time with no input the page asks "still working
on this?"; with no answer the item is released; answering keeps it."""

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


@pytest.fixture
def quick_idle(settings):  # type: ignore[no-untyped-def]
    settings.REVIEWQUEUE_REVIEW_IDLE_SECONDS = 2
    settings.REVIEWQUEUE_REVIEW_IDLE_ANSWER_SECONDS = 3


def _open_claimed(new_page, world, item):  # type: ignore[no-untyped-def]
    page = new_page()
    sign_in(page, world.reviewer)
    page.keyboard.press("n")
    page.wait_for_url(f"**/items/{item.pk}/")
    return page


def test_an_unanswered_idle_prompt_releases_the_item(new_page, quick_idle) -> None:
    world = make_world()
    item = make_scored_item(world)
    page = _open_claimed(new_page, world, item)
    prompt = page.get_by_role("dialog", name="Still working on this?")
    expect(prompt).to_be_visible(timeout=5000)
    shot(page, "25-idle-prompt", full_page=False)
    page.wait_for_url(HOME, timeout=8000)
    expect(page.get_by_text(f"Released item #{item.pk} back to its queue.")).to_be_visible()
    item.refresh_from_db()
    assert (item.state, item.lease_owner_id) == ("pending", None)


def test_answering_the_prompt_keeps_the_item(new_page, quick_idle) -> None:
    world = make_world()
    item = make_scored_item(world)
    page = _open_claimed(new_page, world, item)
    prompt = page.get_by_role("dialog", name="Still working on this?")
    expect(prompt).to_be_visible(timeout=5000)
    prompt.get_by_role("button", name="Yes, keep it").click()
    expect(prompt).to_be_hidden()
    page.wait_for_timeout(1500)  # within the idle time again: no second prompt yet, no release
    assert page.url.endswith(f"/items/{item.pk}/")
    item.refresh_from_db()
    assert (item.state, item.lease_owner_id) == ("claimed", world.reviewer.pk)


def test_input_keeps_the_prompt_away(new_page, quick_idle) -> None:
    world = make_world()
    item = make_scored_item(world)
    page = _open_claimed(new_page, world, item)
    for _ in range(6):  # 3 s of activity, longer than the idle time
        page.mouse.move(100 + _ * 10, 200)
        page.wait_for_timeout(500)
    expect(page.get_by_role("dialog", name="Still working on this?")).to_be_hidden()
    assert ReviewItem.objects.get(pk=item.pk).state == "claimed"


def test_releasing_from_the_prompt(new_page, quick_idle) -> None:
    world = make_world()
    item = make_scored_item(world)
    page = _open_claimed(new_page, world, item)
    prompt = page.get_by_role("dialog", name="Still working on this?")
    expect(prompt).to_be_visible(timeout=5000)
    prompt.get_by_role("button", name="Release it").click()
    page.wait_for_url(HOME)
    assert ReviewItem.objects.get(pk=item.pk).state == "pending"
