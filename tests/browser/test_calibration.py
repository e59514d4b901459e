"""The calibration page in a real browser: a fit's progress shown live (the poll stops when the
run is done and the page shows its report), then the charts, a recommendation and the shadow
candidate. Screenshots under build/screenshots/calibration-*.png."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reviewqueue.calibration import fitting
from reviewqueue.calibration.shadow import candidate_stage_policy
from reviewqueue.policy.models import CalibrationRun, ShadowCandidate, ShadowDecision
from reviewqueue.review.models import Draft
from tests.browser.conftest import shot, sign_in
from tests.factories import make_world
from tests.policy.data import auto_sent, labelled

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_calibration_page(new_page) -> None:
    world = make_world()
    world.queue.lease_seconds = 3600
    world.queue.save(update_fields=["lease_seconds"])
    t = timezone.now() - timedelta(hours=6)
    for n in range(24):
        raw = 0.35 + 0.6 * n / 23
        labelled(world, raw=raw, confidence=min(1.0, raw + 0.15), good=True, now=t, handled=timedelta(minutes=3))
    for n in range(18):
        raw = 0.05 + 0.55 * n / 17
        labelled(world, raw=raw, confidence=min(1.0, raw + 0.15), good=False, now=t, handled=timedelta(minutes=3))
    for n in range(10):
        auto_sent(world, raw=0.8 + n / 60, confidence=0.85 + n / 80, now=t)

    page = new_page()
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if "/ops/calibration/runs/" in r.url else None)
    sign_in(page, world.lead)
    page.goto("/ops/calibration/")
    expect(page.locator("#label-counts")).to_have_text("24 good and 18 bad")
    page.get_by_label("Platt (a logistic curve; steadier on few labels)").check()
    page.get_by_role("button", name="Fit", exact=True).click()
    # No worker in this test: the run waits, and the page polls it.
    expect(page.locator("#run-status")).to_have_text("Waiting for a worker")
    shot(page, "calibration-01-waiting", full_page=False)
    run = CalibrationRun.objects.get()
    assert fitting.calibration_run_execute(run.pk) == "done"  # what the worker would do
    # The next poll finds it done (286: polling stops) and the page shows the report.
    expect(page.locator("#calibration-metrics")).to_be_visible(timeout=10_000)
    expect(page.locator("#run-status")).to_have_text("Done")
    sent = len(polls)
    page.wait_for_timeout(3_000)
    assert len(polls) == sent  # no more polls once done

    page.get_by_label("Target").select_option("escape")
    page.get_by_label("Percent").fill("5")
    page.get_by_role("button", name="Recommend").click()
    expect(page.locator("#recommendation-table")).to_be_visible()

    candidate_stage_policy(
        acting_user=world.lead,
        tenant=world.tenant,
        config={
            "version": "stricter",
            "thresholds": {"auto_send": 0.9, "auto_draft_human_send": 0.6, "queue_for_review": 0.1},
        },
        now=timezone.now(),
    )
    # Shadow decisions as the worker records them, for three of the auto-sent drafts.
    candidate = ShadowCandidate.objects.get()
    for draft in Draft.objects.filter(decision="auto_send").order_by("pk")[:3]:
        ShadowDecision.objects.create(
            candidate=candidate,
            draft=draft,
            live_action="auto_send",
            shadow_action="auto_draft_human_send",
            live_confidence=draft.confidence,
            shadow_confidence=draft.confidence,
            created_at=timezone.now(),
        )
    page.goto(page.url)
    expect(page.locator("#shadow-summary")).to_contain_text("3 differ")
    shot(page, "calibration-02-page")
