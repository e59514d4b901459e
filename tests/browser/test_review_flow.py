"""The reviewer's day in a real browser: sign in, claim, decide; leases; two reviewers; XSS."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.calibration.models import ClaimLabel
from reviewqueue.review.models import ReviewItem
from tests.browser.conftest import shot, sign_in
from tests.factories import make_world
from tests.web.factories import make_scored_item

HOME = re.compile(r"^http://[^/]+/$")

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _item_id(page) -> int:
    match = re.search(r"/items/(\d+)/$", page.url)
    assert match, page.url
    return int(match.group(1))


def _claim_next(new_page, world, item):  # type: ignore[no-untyped-def]
    """A page signed in as the world's reviewer, on `item` after claiming the next one with `n`."""
    page = new_page()
    sign_in(page, world.reviewer)
    page.keyboard.press("n")
    page.wait_for_url(f"**/items/{item.pk}/")
    return page


def test_sign_in_claim_next_and_approve(new_page) -> None:
    world = make_world()
    item = make_scored_item(world)
    second = make_scored_item(world, draft="Your refund of $120 was issued on 3 March.", score=None, priority=0.1)
    page = new_page()
    page.goto("/")
    page.wait_for_url("**/login/?next=/")
    shot(page, "01-sign-in")
    sign_in(page, world.reviewer)
    page.get_by_role("table").wait_for()
    shot(page, "02-home")
    page.get_by_role("button", name=re.compile(r"^Claim next")).click()
    page.wait_for_url(re.compile(r"/items/\d+/$"))
    assert _item_id(page) == item.pk  # highest priority first
    page.locator("[data-countdown]").filter(has_text=re.compile(r"^\d+:\d\d$")).wait_for()
    shot(page, "03-review")
    page.get_by_role("tab", name=re.compile("Signals")).click()
    shot(page, "04-review-signals")
    page.get_by_role("tab", name=re.compile("History")).click()
    shot(page, "05-review-history")
    page.get_by_role("button", name=re.compile(r"^Approve")).first.click()
    dialog = page.locator("#approve-dialog")
    dialog.get_by_role("button", name="Approve and send").click()
    # Auto-advance (on by default): the next item opens, saying what was just done.
    page.wait_for_url(f"**/items/{second.pk}/")
    expect(page.get_by_text(f"Approved item #{item.pk}")).to_be_visible()
    item.refresh_from_db()
    assert (item.state, item.disposition, item.reviewer_id) == (
        "resolved",
        "approved",
        world.reviewer.pk,
    )
    page.get_by_role("link", name="My recent work").click()
    page.get_by_role("link", name=f"#{item.pk}").wait_for()
    shot(page, "06-recent-work")


def test_edit_and_send_stores_a_diff(new_page) -> None:
    world = make_world()
    item = make_scored_item(world)
    page = _claim_next(new_page, world, item)
    page.keyboard.press("e")
    box = page.get_by_label(re.compile("^Edited answer"))
    assert box.evaluate("el => el === document.activeElement")
    box.fill("The X200 blender has a two-year warranty. Register it within 30 days of purchase.")
    shot(page, "07-review-editing")
    page.get_by_role("button", name="Send edited answer").click()
    page.wait_for_url(HOME)
    item.refresh_from_db()
    assert item.disposition == "edited"
    assert item.final_text.startswith("The X200 blender has a two-year warranty.")
    diff = ReviewEvent.objects.get(item=item, type="review.edited").data["diff"]
    assert "-The X200 blender has a 24-month warranty." in diff and "+The X200 blender has a two-year" in diff


def test_escalate_with_a_note(new_page) -> None:
    world = make_world()
    item = make_scored_item(world)
    page = _claim_next(new_page, world, item)
    page.keyboard.press("x")
    dialog = page.locator("#escalate-dialog")
    dialog.get_by_label("Queue").select_option(str(world.l2_queue.pk))
    dialog.get_by_label("Note for the next reviewer").fill("Warranty terms differ by region; needs L2.")
    shot(page, "08-escalate-dialog", full_page=False)
    dialog.get_by_role("button", name="Escalate").click()
    page.wait_for_url(HOME)
    expect(page.get_by_text(f"Escalated item #{item.pk}")).to_be_visible()
    successor = ReviewItem.objects.get(escalated_from=item)
    assert (successor.queue_id, successor.state) == (world.l2_queue.pk, "pending")


def test_reject_with_reason_sends_the_fallback(new_page) -> None:
    world = make_world()
    item = make_scored_item(world)
    page = _claim_next(new_page, world, item)
    page.keyboard.press("r")
    dialog = page.locator("#reject-dialog")
    expect(dialog.get_by_text(world.queue.fallback_text)).to_be_visible()
    dialog.get_by_label("Reason").select_option("factually_wrong")
    dialog.get_by_label(re.compile("^Note")).fill("24 months is not what the KB says.")
    shot(page, "09-reject-dialog", full_page=False)
    dialog.get_by_role("button", name="Reject and send fallback").click()
    page.wait_for_url(HOME)
    item.refresh_from_db()
    assert (item.disposition, item.reason_code) == ("rejected", "factually_wrong")
    assert item.draft.final_text == world.queue.fallback_text


def test_keyboard_shortcuts(new_page) -> None:
    world = make_world()
    item = make_scored_item(world)
    page = new_page()
    sign_in(page, world.reviewer)
    page.keyboard.press("?")
    expect(page.locator("#shortcuts-dialog")).to_be_visible()
    shot(page, "10-shortcuts", full_page=False)
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts-dialog")).to_be_hidden()
    page.keyboard.press("n")
    page.wait_for_url(f"**/items/{item.pk}/")
    expanded = page.locator(".claim-select[aria-expanded=true]")
    assert expanded.get_attribute("data-claim") == "1"  # opens on the first doubtful claim
    page.keyboard.press("j")
    assert expanded.get_attribute("data-claim") == "2"
    page.keyboard.press("k")
    page.keyboard.press("k")
    assert expanded.get_attribute("data-claim") == "0"
    expect(page.locator("#claim-detail-0").get_by_text("two-year limited warranty")).to_be_visible()
    for key, dialog_id in (
        ("a", "approve-dialog"),
        ("x", "escalate-dialog"),
        ("r", "reject-dialog"),
    ):
        page.keyboard.press(key)
        expect(page.locator(f"#{dialog_id}")).to_be_visible()
        page.keyboard.press("Escape")
        expect(page.locator(f"#{dialog_id}")).to_be_hidden()
        # The dialog's `close` event (which hands focus back to the page) is dispatched a task
        # after it hides; a key pressed in between would land in its field, as no person types.
        page.wait_for_function("id => !document.getElementById(id).contains(document.activeElement)", arg=dialog_id)
    page.keyboard.press("e")
    expect(page.locator("#editor")).to_be_visible()
    expect(page.locator("#final-text")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#editor")).to_be_hidden()
    page.keyboard.press("n")  # refused while the lease is live
    expect(page.get_by_text("Finish or release this item first")).to_be_visible()
    page.keyboard.press("u")
    page.wait_for_url(HOME)
    item.refresh_from_db()
    assert item.state == "pending"


def test_lapsed_lease_shows_banner_and_blocks_the_action(new_page) -> None:
    world = make_world()
    item = make_scored_item(world)
    page = _claim_next(new_page, world, item)
    page.keyboard.press("e")
    page.get_by_label(re.compile("^Edited answer")).fill("My careful rewrite that must not be lost.")
    # The lease lapses (the laptop slept): move its expiry into the past, then let the page beat.
    ReviewItem.objects.filter(pk=item.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    page.evaluate("htmx.trigger(document.getElementById('lease'), 'rq:beat')")
    banner = page.locator("#lease-banner [role=alert]")
    banner.wait_for()
    assert "lapsed" in banner.inner_text()
    # The buttons are disabled by review.js once the swapped #lease settles, which can be a frame
    # after the banner appears: wait for it (expect retries), do not sample it.
    expect(page.get_by_role("button", name=re.compile(r"^Approve")).first).to_be_disabled()
    expect(page.get_by_role("button", name="Send edited answer")).to_be_disabled()
    assert page.get_by_label(re.compile("^Edited answer")).input_value() == "My careful rewrite that must not be lost."
    shot(page, "11-lease-lost")
    page.keyboard.press("Escape")
    page.keyboard.press("a")
    assert not page.locator("#approve-dialog").is_visible()
    # Even a submit that gets past the disabled button is refused by the server, and the page
    # comes back with the text still in the box.
    page.evaluate("document.getElementById('edit-form').submit()")
    page.locator("#action-error").wait_for()
    assert "lapsed" in page.locator("#action-error").inner_text()
    assert page.get_by_label(re.compile("^Edited answer")).input_value() == "My careful rewrite that must not be lost."
    item.refresh_from_db()
    assert item.state == "claimed" and item.disposition == ""


def test_two_reviewers_never_claim_the_same_item(new_page) -> None:
    world = make_world()
    items = {make_scored_item(world, priority=p).pk for p in (0.9, 0.8)}
    first, second = new_page(), new_page()
    sign_in(first, world.reviewer)
    sign_in(second, world.other_reviewer)
    # Submit both claims before waiting on either, so the requests overlap on the server.
    for page in (first, second):
        page.evaluate("document.getElementById('claim-next-form').requestSubmit()")
    for page in (first, second):
        page.wait_for_url(re.compile(r"/items/\d+/$"))
    got = {_item_id(first), _item_id(second)}
    assert got == items
    owners = dict(ReviewItem.objects.filter(pk__in=items).values_list("pk", "lease_owner_id"))
    assert owners[_item_id(first)] == world.reviewer.pk
    assert owners[_item_id(second)] == world.other_reviewer.pk
    # One item left, two claims racing for it: exactly one wins, the other is told so.
    last = make_scored_item(world, priority=0.5)
    for page in (first, second):
        page.evaluate("document.getElementById('claim-next-form').requestSubmit()")
    for page in (first, second):
        page.wait_for_url(re.compile(rf"(/items/{last.pk}/|^http://[^/]+/)$"))
    winners = [p for p in (first, second) if p.url.endswith(f"/items/{last.pk}/")]
    assert len(winners) == 1
    loser = second if winners[0] is first else first
    expect(loser.get_by_text("Nothing to claim right now")).to_be_visible()


XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'


def test_xss_payloads_stay_inert(new_page) -> None:
    world = make_world()
    draft = f"Refunds take 5 days. {XSS}"
    item = make_scored_item(
        world,
        draft=draft,
        passage=f"Refunds take 5 business days. {XSS}",
        question=f"When? {XSS}",
        score=None,
    )
    page = _claim_next(new_page, world, item)
    page.keyboard.press("r")
    dialog = page.locator("#reject-dialog")
    dialog.get_by_label("Reason").select_option("unsafe")
    dialog.get_by_label(re.compile("^Note")).fill(f"note {XSS}")
    dialog.get_by_role("button", name="Reject and send fallback").click()
    page.wait_for_url(HOME)
    page.goto(f"/items/{item.pk}/")
    page.locator(".passage-all summary").first.click()
    assert XSS in page.locator(".passage-all .passage-text").inner_text()
    page.get_by_role("tab", name=re.compile("History")).click()
    assert page.locator("img[src=x]").count() == 0
    assert page.evaluate("window.__xss") is None
    assert page.locator("#draft-text").inner_text().endswith(XSS)
    assert page.locator(".question").inner_text() == f"When? {XSS}"
    assert page.locator("#panel-history .note").inner_text() == f"note {XSS}"
    shot(page, "12-xss-inert")


def test_narrow_window(new_page) -> None:
    world = make_world()
    item = make_scored_item(world)
    page = new_page(viewport={"width": 390, "height": 844})
    sign_in(page, world.reviewer)
    shot(page, "13-home-narrow")
    page.get_by_role("button", name=re.compile(r"^Claim next")).click()
    page.wait_for_url(f"**/items/{item.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "14-review-narrow")


def test_lease_renews_itself_and_claim_labels_save(new_page) -> None:
    world = make_world()
    world.queue.lease_seconds = 6  # the page beats every 2 s
    world.queue.save(update_fields=["lease_seconds"])
    item = make_scored_item(world)
    page = _claim_next(new_page, world, item)
    first = ReviewItem.objects.get(pk=item.pk).lease_expires_at
    page.wait_for_timeout(2_600)
    assert ReviewItem.objects.get(pk=item.pk).lease_expires_at > first
    expect(page.locator("[data-countdown]")).to_have_text(re.compile(r"^0:0[3-6]$"))
    detail = page.locator("#claim-detail-1")
    detail.get_by_role("button", name="Unsupported").click()
    expect(detail.get_by_role("button", name="Unsupported")).to_have_attribute("aria-pressed", "true")
    expect(detail.get_by_text("Saved as unsupported")).to_be_visible()
    label = ClaimLabel.objects.get()
    assert (label.item_id, label.claim_index, label.label) == (item.pk, 1, "unsupported")


def test_home_refreshes_live_then_pauses_and_resumes(new_page, monkeypatch) -> None:
    from reviewqueue.web.views import home as views

    monkeypatch.setattr(views, "POLL_SECONDS", 1)
    monkeypatch.setattr(views, "IDLE_POLLS", 3)
    world = make_world()
    make_scored_item(world)
    page = new_page()
    sign_in(page, world.reviewer)
    waiting = page.locator("tbody tr").first.locator("td").first
    expect(waiting).to_have_text("1")
    make_scored_item(world)
    expect(waiting).to_have_text("2", timeout=5_000)
    expect(page.get_by_text("Live updates paused")).to_be_visible(timeout=8_000)
    make_scored_item(world)
    page.wait_for_timeout(1_500)
    expect(waiting).to_have_text("2")  # stopped: nothing is fetched
    # Coming back to the tab resumes at once.
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(waiting).to_have_text("3", timeout=5_000)
    expect(page.get_by_text("refreshes while this page is open")).to_be_visible()


def test_signed_out_mid_review_keeps_the_page(new_page) -> None:
    world = make_world()
    item = make_scored_item(world)
    page = _claim_next(new_page, world, item)
    page.keyboard.press("e")
    page.get_by_label(re.compile("^Edited answer")).fill("Half-written answer.")
    page.context.clear_cookies(name="sessionid")  # the session ends while the page is open
    page.evaluate("htmx.trigger(document.getElementById('lease'), 'rq:beat')")
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    expect(page.get_by_role("button", name="Send edited answer")).to_be_disabled()
    assert page.url.endswith(f"/items/{item.pk}/")
    assert page.get_by_label(re.compile("^Edited answer")).input_value() == "Half-written answer."
    # With the CSRF cookie gone too, Django answers its own 403 page: it is not swapped in.
    page.context.clear_cookies()
    page.evaluate("htmx.trigger(document.getElementById('lease'), 'rq:beat')")
    expect(page.get_by_text("security token is no longer valid")).to_be_visible()
    expect(page.locator("#lease")).to_be_visible()
    assert page.locator("h1").count() == 1  # no second document inside the page
    assert page.get_by_label(re.compile("^Edited answer")).input_value() == "Half-written answer."
