"""The ops lead's pages in a real browser: the floor (live, force-release from the keyboard,
polling paused while the tab is hidden) and the SLA page with its chart. Screenshots under
build/screenshots/ops-*.png."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.ops import selectors
from reviewqueue.review import services
from reviewqueue.review.models import ItemState, ReviewItem
from tests.browser.conftest import shot, sign_in
from tests.factories import make_pending_item, make_world
from tests.ops.data import build_day

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# Lets the test say whether the tab is hidden (headless Chromium never hides it by itself).
HIDDEN_SWITCH = """
Object.defineProperty(document, "hidden", {
  configurable: true, get: function () { return window.__rqHidden === true; }
});
"""


def test_floor_live_and_force_release(new_page) -> None:
    world = make_world()
    now = timezone.now()
    for minutes in (55, 30, 5):
        make_pending_item(world, now=now - timedelta(minutes=minutes))
    held = services.review_item_claim_next(user=world.reviewer, now=now)
    assert held is not None

    page = new_page()
    page.add_init_script(HIDDEN_SWITCH)
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if "/ops/floor/live/" in r.url else None)
    sign_in(page, world.lead)
    page.goto("/ops/")
    floor = page.locator("#floor-table")
    expect(floor.locator('tr[data-queue="billing"] td[data-label="Depth"]')).to_have_text("3")
    expect(page.locator(f'tr[data-item="{held.pk}"]')).to_contain_text(world.reviewer.username)
    shot(page, "ops-01-floor")

    # Live: a new item shows on the next poll (every 10 s).
    make_pending_item(world)
    expect(floor.locator('tr[data-queue="billing"] td[data-label="Depth"]')).to_have_text("4", timeout=15_000)
    # Hidden tab: the polls are cancelled before they are sent …
    page.evaluate("window.__rqHidden = true")
    sent = len(polls)
    page.wait_for_timeout(11_000)
    assert len(polls) == sent
    # … and showing it again asks for one at once.
    page.evaluate("window.__rqHidden = false; document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_timeout(1_000)
    assert len(polls) == sent + 1

    # Force release from the keyboard: focus the button, press Enter.
    button = page.get_by_role("button", name=f"Force release #{held.pk}")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text(f"Item {held.pk} is back in its queue.")
    expect(page.locator(f'tr[data-item="{held.pk}"]')).to_have_count(0)
    shot(page, "ops-02-floor-after-force-release")
    held.refresh_from_db()
    assert held.state == ItemState.PENDING
    assert ReviewEvent.objects.filter(item=held, type="review.force_released", actor=world.lead).count() == 1


def test_floor_claimed_list_paged_and_filtered_from_the_keyboard(new_page, monkeypatch) -> None:
    monkeypatch.setattr(selectors, "FLOOR_HELD_PAGE_SIZE", 2)  # the live server runs in this process
    world = make_world()
    now = timezone.now()
    claimed = []
    for k, queue in enumerate((world.queue, world.queue, world.queue, world.l2_queue)):
        make_pending_item(world, queue=queue, now=now - timedelta(minutes=10))
        claimed.append(services.review_item_claim_next(user=world.reviewer, now=now + k * timedelta(seconds=1)))
    # Soonest lease first: the claim order here.
    page = new_page()
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if "/ops/floor/live/" in r.url else None)
    sign_in(page, world.lead)
    page.goto("/ops/")
    rows = page.locator("#held-table tbody tr[data-item]")
    expect(page.locator("#held-summary")).to_contain_text("Showing 1–2 of 4")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-item", str(claimed[0].pk))

    # Next page from the keyboard; the live refresh then polls that same page.
    page.get_by_role("link", name="Next 2").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#held-summary")).to_contain_text("Showing 3–4 of 4")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-item", str(claimed[2].pk))
    page.wait_for_timeout(11_000)
    assert polls and all("page=2" in url for url in polls)
    expect(rows.first).to_have_attribute("data-item", str(claimed[2].pk))
    shot(page, "ops-03-floor-page-2")

    # One queue's claimed items from its count in the queue table; force release there comes back to it.
    page.get_by_role("link", name="3 being worked in billing: list them").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#held-title")).to_have_text("Being worked in billing")
    expect(page.locator("#held-summary")).to_contain_text("Showing 1–2 of 3")
    page.get_by_role("button", name=f"Force release #{claimed[0].pk}").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text(f"Item {claimed[0].pk} is back in its queue.")
    expect(page).to_have_url(re.compile(rf"/ops/\?queue={world.queue.pk}$"))
    expect(page.locator("#held-summary")).to_contain_text("Showing 1–2 of 2")
    assert ReviewEvent.objects.filter(item=claimed[0], type="review.force_released", actor=world.lead).count() == 1


def test_sla_page_with_chart(new_page) -> None:
    world = make_world()
    day = build_day(world, timezone.now())
    page = new_page()
    sign_in(page, world.lead)
    page.goto("/ops/sla/")
    # The day was built at "now", and the clock has moved on: b's deadline has left the window
    # (see tests/ops/test_sla.py::test_window_edge_one_microsecond_later): c, d met, e missed.
    attainment = page.locator('#attainment-table tr[data-queue="billing"] td[data-label="Attainment"]')
    expect(attainment).to_have_text("66.7 %")
    expect(page.locator("svg.chart-svg").first).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("SLA attainment per queue"))).to_be_visible()
    shot(page, "ops-03-sla-24h")
    page.get_by_role("link", name="7d").click()
    page.wait_for_url("**/ops/sla/?range=7d")
    expect(attainment).to_have_text("40.0 %")
    expect(page.locator(f'#breach-table tr[data-item="{day.a.pk}"]')).to_be_visible()
    shot(page, "ops-04-sla-7d")
    # Every breach links to the item as a lead sees it, with the fallback in its history.
    page.get_by_role("link", name=f"item #{day.a.pk}").click()
    page.wait_for_url(f"**/ops/items/{day.a.pk}/")
    expect(page.locator('tr[data-event="review.sla.breached"]')).to_contain_text("(block)")
    shot(page, "ops-09-item")
    assert ReviewItem.objects.filter(pk=day.e.pk, state=ItemState.PENDING).exists()


def test_reviewer_is_refused_in_the_browser(new_page) -> None:
    world = make_world()
    page = new_page()
    sign_in(page, world.reviewer)
    response = page.goto("/ops/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("alert")).to_contain_text("for ops leads")
    shot(page, "ops-05-reviewer-403")


def test_reviewers_and_routing_pages(new_page) -> None:
    from reviewqueue.review.models import Decision
    from tests.ops.test_reviewers_routing import _routed

    world = make_world()
    world.queue.lease_seconds = 3600
    world.queue.save(update_fields=["lease_seconds"])
    now = timezone.now()
    for n, disposition in enumerate(["approved", "edited", "approved"]):
        at = now - timedelta(hours=5 - n)
        _routed(
            world,
            at=at,
            scoring=timedelta(seconds=n + 1),
            decision=Decision.QUEUE_FOR_REVIEW,
            intent="warranty",
            queue=world.queue,
        )
        user = world.reviewer if n < 2 else world.other_reviewer
        item = services.review_item_claim_next(user=user, now=at + timedelta(minutes=1))
        services.review_item_submit(
            user=user,
            item_id=item.pk,
            disposition=disposition,
            final_text="Edited." if disposition == "edited" else "",
            now=at + timedelta(minutes=4 + n),
        )
    _routed(world, at=now - timedelta(hours=3), scoring=timedelta(seconds=2), decision=Decision.AUTO_SEND, intent="faq")
    _routed(world, at=now - timedelta(hours=2), scoring=timedelta(seconds=9), decision=Decision.BLOCK, intent="refund")

    page = new_page()
    sign_in(page, world.lead)
    page.goto("/ops/reviewers/")
    expect(
        page.locator(f'#reviewers-table tr[data-reviewer="{world.reviewer.username}"] td[data-label="Resolved"]')
    ).to_have_text("2")
    expect(page.get_by_role("img", name=re.compile("Share approved unchanged per reviewer"))).to_be_visible()
    shot(page, "ops-06-reviewers")
    page.get_by_role("link", name="Routing").click()
    page.wait_for_url("**/ops/routing/")
    expect(page.locator('#routing-table tr[data-key="billing"] td[data-label="Override"]')).to_have_text("33.3 %")
    expect(page.get_by_role("img", name=re.compile("Routing decisions per hour"))).to_be_visible()
    shot(page, "ops-07-routing-by-queue")
    page.get_by_role("link", name="Intent").click()
    page.wait_for_url("**/ops/routing/?range=24h&by=intent")
    expect(page.locator('#routing-table tr[data-key="refund"] td[data-label="block"]')).to_contain_text("1 (100.0 %)")
    shot(page, "ops-08-routing-by-intent")


def test_drift_page(new_page) -> None:
    from tests.ops.test_drift import _scored

    world = make_world()
    now = timezone.now()
    for n in range(10):
        _scored(world, at=now - timedelta(hours=25 + n), confidence=0.25 if n < 5 else 0.85)
        _scored(world, at=now - timedelta(hours=1 + n), confidence=0.25 if n < 2 else 0.85)
        _scored(world, at=now - timedelta(hours=25 + n), confidence=0.55, prompt="p2")
        _scored(world, at=now - timedelta(hours=1 + n), confidence=0.55, prompt="p2")
    page = new_page()
    sign_in(page, world.lead)
    page.goto("/ops/drift/")
    expect(page.locator('#drift-table tr[data-key="p1|gen-a"] td[data-label="Reading"]')).to_contain_text("shifted")
    expect(page.locator('#drift-table tr[data-key="p2|gen-a"] td[data-label="Reading"]')).to_have_text("stable")
    expect(page.get_by_role("img", name=re.compile("Confidence drift"))).to_be_visible()
    shot(page, "ops-10-drift")


def test_policies_page_publish(new_page) -> None:
    import json

    from reviewqueue.policy.models import RoutingPolicyVersion
    from reviewqueue.policy.services import policy_publish

    world = make_world()
    policy_publish(tenant=world.tenant, config={"version": "v1"}, now=timezone.now(), actor=world.lead, note="first")
    page = new_page()
    sign_in(page, world.lead)
    page.goto("/ops/policies/")
    page.get_by_label("Policy (JSON)").fill("{not json")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("alert")).to_contain_text("Not valid JSON")
    shot(page, "ops-11-policies-error")
    config = {
        "version": "v2",
        "thresholds": {"auto_send": 0.8, "auto_draft_human_send": 0.54, "queue_for_review": 0.14},
    }
    page.get_by_label("Policy (JSON)").fill(json.dumps(config, indent=2))
    page.get_by_label("Note (why)").fill("stricter auto-send")
    page.get_by_label("Note (why)").press("Enter")  # submits the form from the keyboard
    expect(page.locator(".flash")).to_contain_text("Published policy v2")
    expect(page.locator("#policy-diff .diff-add").first).to_be_visible()
    shot(page, "ops-12-policies-diff")
    assert RoutingPolicyVersion.objects.get(tenant=world.tenant, is_active=True).created_by == world.lead


def test_queue_settings_form(new_page) -> None:
    world = make_world()
    page = new_page()
    sign_in(page, world.lead)
    page.goto("/ops/")
    page.get_by_role("link", name="billing-l2").click()
    page.wait_for_url(f"**/ops/queues/{world.l2_queue.pk}/settings/")
    page.get_by_label("SLA (minutes)").fill("0")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator('[data-field="sla_minutes"] .field-error')).to_contain_text("greater than or equal to 1")
    shot(page, "ops-13-queue-settings-error")
    page.get_by_label("SLA (minutes)").fill("90")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".flash")).to_contain_text("Saved the settings")
    expect(page.locator("#changes-table")).to_contain_text("sla_minutes")
    shot(page, "ops-14-queue-settings-saved")
