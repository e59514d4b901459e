"""Alert rules in a real browser: the form from the keyboard with an error per field, a rule
that fires and is delivered to a local receiver, the rules and history pages, and the SLA page's
latency time series. Screenshots under build/screenshots/alerts-*.png and ops-12-*.png."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reviewqueue.alerts import delivery
from reviewqueue.alerts.models import AlertEvent, AlertRule
from reviewqueue.alerts.services import alert_rules_evaluate
from tests.browser.conftest import SCREENSHOTS, shot, sign_in
from tests.factories import make_pending_item, make_world
from tests.ops.data import build_day

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_alert_rule_form_fire_and_history(new_page, receiver) -> None:  # type: ignore[no-untyped-def]
    world = make_world()
    page = new_page()
    sign_in(page, world.lead)
    page.goto("/ops/")
    page.get_by_role("link", name="Alerts").click()
    page.wait_for_url("**/ops/alerts/")
    expect(page.locator("#alert-rules-table")).to_contain_text("No alert rule yet.")
    page.get_by_role("link", name="New alert rule").click()
    page.wait_for_url("**/ops/alerts/new/")

    page.get_by_label("Name").fill("Billing backlog")
    page.get_by_label("Figure").select_option("backlog_depth")
    page.get_by_label("Queue").select_option(str(world.queue.pk))
    page.get_by_label("Threshold").fill("0")
    page.get_by_label("Cool-down (minutes)").fill("-5")
    page.get_by_label("Webhook URL").fill(receiver.url)
    page.get_by_label("E-mail to").fill("lead@example.com, nobody")
    page.get_by_role("button", name="Create rule").click()
    # The bad field says what is wrong, beside it, and nothing was written.
    expect(page.locator('[data-field="cooldown_minutes"] .field-error')).to_contain_text("greater than or equal to 0")
    expect(page.get_by_label("Cool-down (minutes)")).to_have_attribute("aria-invalid", "true")
    assert not AlertRule.objects.exists()

    page.get_by_label("Cool-down (minutes)").fill("15")
    page.get_by_label("Webhook payload").select_option("slack")
    page.get_by_role("button", name="Create rule").click()
    # The checks that need several fields (the model's) come back on their fields too.
    expect(page.locator('[data-field="threshold"] .field-error')).to_contain_text("between 1 and 1e+09")
    expect(page.locator('[data-field="email_to"] .field-error')).to_contain_text("Not an e-mail address: nobody")
    shot(page, "alerts-01-form-errors")
    assert not AlertRule.objects.exists()
    page.get_by_label("Threshold").fill("2")
    page.get_by_label("E-mail to").fill("lead@example.com")
    page.get_by_label("Name").press("Enter")  # submits from the keyboard
    expect(page.locator(".flash")).to_contain_text("Created the alert rule “Billing backlog”.")
    rule = AlertRule.objects.get()
    expect(page.locator("#webhook-secret")).to_have_text(rule.webhook_secret)
    shot(page, "alerts-02-rule-created")

    for _ in range(3):
        make_pending_item(world)
    alert_rules_evaluate(now=timezone.now())
    assert delivery.alert_outbox_sweep(now=timezone.now()).moved == 1
    assert "[reviewqueue FIRING] Billing backlog" in receiver.requests[0][1].decode()

    page.get_by_role("link", name="← Alert rules").click()
    row = page.locator(f'#alert-rules-table tr[data-rule="{rule.pk}"]')
    expect(row).to_have_attribute("data-state", "firing")
    expect(row).to_contain_text("webhook (Slack-compatible")
    shot(page, "alerts-03-rules-firing")
    page.get_by_role("link", name="alert history").click()
    page.wait_for_url("**/ops/alerts/history/")
    fired = AlertEvent.objects.get(type="alert.fired")
    expect(page.locator(f'tr[data-event="{fired.pk}"]')).to_contain_text("3 against ≥ 2 in billing")
    expect(page.locator('tr[data-type="alert.rule.created"]')).to_contain_text(f"created by {world.lead.username}")
    shot(page, "alerts-04-history")


def test_sla_latency_series_chart(new_page) -> None:  # type: ignore[no-untyped-def]
    world = make_world()
    build_day(world, timezone.now())
    page = new_page()
    sign_in(page, world.lead)
    page.goto("/ops/sla/")
    chart = page.get_by_role("img", name=re.compile(r"Claim → resolution, billing, per hour"))
    expect(chart).to_be_visible()
    expect(page.locator(f"#latency-handling-{world.queue.pk}-title")).to_be_visible()
    expect(page.locator("circle.chart-dot-p50").first).to_be_visible()
    page.locator("#latency-series-title").scroll_into_view_if_needed()
    shot(page, "ops-12-sla-latency-series")
    page.locator("section[aria-labelledby='latency-series-title']").screenshot(
        path=str(SCREENSHOTS / "ops-13-sla-series-only.png")
    )
    page.get_by_role("link", name="30d").click()
    page.wait_for_url("**/ops/sla/?range=30d")
    expect(page.get_by_role("img", name=re.compile(r"Enqueue → first claim, billing, per day"))).to_be_visible()
    shot(page, "ops-14-sla-latency-series-30d")
