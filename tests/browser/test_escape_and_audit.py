"""The escape-rate page and a blind audit review in a real browser. Screenshots under
build/screenshots/escape-*.png."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reviewqueue.calibration.services import draft_feedback_record
from reviewqueue.review import services
from reviewqueue.review.models import Decision, Queue, ReviewItem
from tests.browser.conftest import shot, sign_in
from tests.calibration.helpers import resolve, routed
from tests.factories import make_queue, make_world

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_escape_page_and_a_blind_audit(new_page) -> None:
    world = make_world()
    Queue.objects.filter(pk=world.queue.pk).update(audit_share=1.0)
    faq = make_queue(world.tenant, "faq", title="FAQ desk", group=world.queue.reviewer_group)
    sent = [routed(world, Decision.AUTO_SEND, prompt_version=v) for v in ("faq-v3", "faq-v3", "faq-v3", "faq-v4")]
    items = list(ReviewItem.objects.filter(draft__in=sent).order_by("pk"))
    resolve(items[0], world.reviewer, "rejected")
    for item in items[1:3]:
        resolve(item, world.reviewer, "approved")
    for _ in range(3):
        routed(world, Decision.AUTO_SEND, queue=faq)
    draft_feedback_record(
        client=world.client,
        draft_id=routed(world, Decision.AUTO_SEND, queue=faq).pk,
        kind="complained",
        now=timezone.now(),
    )

    page = new_page()
    sign_in(page, world.lead)
    page.goto("/ops/escape/")
    table = page.locator("#escape-table")
    expect(table.locator('tr[data-queue="billing"][data-prompt="all"] td[data-label="rate"]')).to_have_text("33.3 %")
    expect(table.locator('tr[data-queue="faq"][data-prompt="all"] td[data-label="rate"]')).to_contain_text(
        "no audit yet"
    )
    expect(page.locator("#escape-chart-title")).to_be_visible()
    shot(page, "escape-01-page")

    # The open audit item, as its reviewer sees it: the answer, no score.
    audit = services.review_item_claim_next(user=world.other_reviewer, now=timezone.now())
    assert audit is not None and audit.is_audit
    page2 = new_page()
    sign_in(page2, world.other_reviewer)
    page2.goto(f"/items/{audit.pk}/")
    expect(page2.locator("#blind-audit")).to_be_visible()
    expect(page2.locator("#held-summary")).to_have_count(0)
    expect(page2.get_by_text("Claims and verdicts are withheld for a blind audit")).to_be_visible()
    # Nothing is sent from an audit: a correction is recorded, approving labels the draft good.
    expect(page2.get_by_role("button", name="Correct")).to_be_visible()
    shot(page2, "escape-02-blind-audit")
