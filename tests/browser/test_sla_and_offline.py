"""The review page tells the truth over time: the SLA chip counts down (and turns to a warning
past the queue's warning point), and losing the connection shows an offline notice."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reviewqueue.review.models import ReviewItem
from tests.browser.conftest import shot, sign_in
from tests.factories import make_world
from tests.web.factories import make_scored_item

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_sla_chip_counts_down_and_warns(new_page) -> None:
    world = make_world()
    item = make_scored_item(world)
    # Created 50 minutes ago with a 60-minute SLA: past the 80% warning point, 10 minutes left.
    ago = timezone.now() - timedelta(minutes=50)
    ReviewItem.objects.filter(pk=item.pk).update(created_at=ago, due_at=ago + timedelta(minutes=60))
    page = new_page()
    sign_in(page, world.reviewer)
    page.keyboard.press("n")
    page.wait_for_url(f"**/items/{item.pk}/")
    chip = page.locator("#sla-chip")
    expect(chip).to_have_text(re.compile(r"▲ SLA due in (9:\d\d|10:00)$"))
    expect(chip).to_have_class(re.compile(r"\bsla-warning\b"))
    first = chip.inner_text()
    page.wait_for_timeout(1500)
    assert chip.inner_text() != first  # it counts
    shot(page, "23-sla-countdown", full_page=False)


def test_losing_the_connection_shows_the_offline_notice(new_page) -> None:
    world = make_world()
    item = make_scored_item(world)
    page = new_page()
    sign_in(page, world.reviewer)
    page.keyboard.press("n")
    page.wait_for_url(f"**/items/{item.pk}/")
    notice = page.locator("#offline-notice")
    expect(notice).to_be_hidden()
    page.context.set_offline(True)
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("your lease may lapse")
    shot(page, "24-offline", full_page=False)
    page.context.set_offline(False)
    expect(notice).to_be_hidden()
    expect(page.locator("#lease")).to_have_class(re.compile(r"\blease-live\b"))
