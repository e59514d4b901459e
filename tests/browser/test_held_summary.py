"""Why it was held, in the browser: the first thing on the review page, above the actions."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from reviewqueue.review.models import Draft
from tests.browser.conftest import shot, sign_in
from tests.factories import make_world
from tests.web.factories import make_scored_item

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_review_page_says_why_it_was_held_first(new_page) -> None:
    world = make_world()
    item = make_scored_item(world)
    Draft.objects.filter(pk=item.draft_id).update(
        decision_reasons=["confidence_queue_for_review", "guardrail:unsupported_amount", "regulated_intent"],
        intent="refund",
    )
    page = new_page()
    sign_in(page, world.reviewer)
    page.keyboard.press("n")
    page.wait_for_url(f"**/items/{item.pk}/")
    summary = page.get_by_role("region", name="Why it was held")
    expect(summary).to_contain_text(
        "1 claim not found in the evidence; an amount that appears in no passage; intent “refund” requires review."
    )
    box = summary.bounding_box()
    actions = page.get_by_role("toolbar", name="Decision on this draft").bounding_box()
    assert box is not None and actions is not None and box["y"] < actions["y"]
    shot(page, "20-why-it-was-held", full_page=False)
