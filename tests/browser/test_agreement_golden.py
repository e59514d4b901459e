"""The agreement and golden pages and a blind second review in a real browser. Screenshots
under build/screenshots/agreement-*.png and golden-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reviewqueue.agreement.services import second_review_claim_next, second_review_submit
from reviewqueue.golden import services as golden_services
from reviewqueue.golden.models import GoldenTrigger
from reviewqueue.intake.scorer import get_scorer
from reviewqueue.policy.models import CalibratorVersion
from reviewqueue.policy.services import policy_publish
from scoring.calibration import Calibrator
from scoring.policy import RoutingPolicy
from tests.agreement.helpers import resolve, sample_everything, second_for
from tests.browser.conftest import shot, sign_in
from tests.factories import make_user, make_world

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SMALL = Path(__file__).parent.parent / "golden" / "data" / "small.jsonl"


def test_second_review_blind_then_agreement_and_adjudication(new_page) -> None:
    world = make_world()
    now = timezone.now()
    sample_everything(world, now)
    third = make_user("reviewer-three", world.tenant, groups=[world.queue.reviewer_group])
    plan = [
        (world.reviewer, "approved", world.other_reviewer, "approved"),
        (world.reviewer, "rejected", world.other_reviewer, "edited"),
        (world.reviewer, "approved", world.other_reviewer, "rejected"),
        (world.other_reviewer, "edited", third, "edited"),
        (world.other_reviewer, "approved", third, "approved"),
        (third, "approved", world.reviewer, "edited"),
        (third, "rejected", world.reviewer, "rejected"),
    ]
    for first, first_disp, second, second_disp in plan:
        review = second_for(resolve(world, reviewer=first, disposition=first_disp, now=now))
        claimed = second_review_claim_next(user=second, now=now)
        assert claimed is not None and claimed.pk == review.pk
        extra = {"approved": {}, "edited": {"final_text": "Edited."}, "rejected": {"reason_code": "unsafe"}}
        second_review_submit(user=second, review_id=review.pk, disposition=second_disp, now=now, **extra[second_disp])
    pending = second_for(resolve(world, reviewer=world.reviewer, disposition="edited", now=now))

    # The second reviewer sees the draft, never the first decision.
    page = new_page()
    sign_in(page, world.other_reviewer)
    page.goto("/second-reviews/")
    page.get_by_role("button", name="Claim the next second review").click()
    expect(page.locator("#second-draft")).to_have_text(pending.draft.text)
    expect(page.get_by_text("Edited.", exact=True)).to_have_count(0)
    shot(page, "agreement-01-blind-second-review")
    page.get_by_label("Approve as written").check()
    page.get_by_role("button", name="Submit second review").click()
    expect(page.get_by_text("Second review recorded")).to_be_visible()

    lead = new_page()
    sign_in(lead, world.lead)
    lead.goto("/ops/agreement/")
    expect(lead.locator('#agreement-queues tr[data-queue="billing"]')).to_contain_text("8")
    disputes = lead.locator("#disputes-table tbody tr[data-second-review]")
    expect(disputes).to_have_count(3)
    shot(lead, "agreement-02-page")
    first = disputes.first
    first.get_by_label("Note").fill("Matches the KB")
    first.get_by_label("Note").press("Tab")
    lead.keyboard.press("Enter")  # the focused "Good" button
    expect(lead.get_by_text("your ruling stands")).to_be_visible()
    expect(disputes).to_have_count(2)
    expect(lead.locator("#ruled-table")).to_contain_text("Matches the KB")
    shot(lead, "agreement-03-after-ruling")


def test_golden_page_history_and_regression(new_page) -> None:
    world = make_world()
    now = timezone.now()
    scorer = get_scorer()
    golden_services.golden_import(tenant=world.tenant, lines=SMALL.read_bytes().splitlines(), now=now)
    golden_services.golden_eval(tenant=world.tenant, now=now, trigger=GoldenTrigger.COMMAND, scorer=scorer)
    policy_publish(tenant=world.tenant, config={**RoutingPolicy.default().to_dict(), "version": "faq-rules-2"}, now=now)
    golden_services.golden_check(tenant=world.tenant, now=timezone.now(), scorer=scorer)
    flat = Calibrator("isotonic", {"x": [0.0, 1.0], "y": [0.5, 0.5]}, "flat-1").to_dict()
    CalibratorVersion.objects.create(
        tenant=world.tenant, version="flat-1", artefact=flat, is_active=True, created_at=timezone.now()
    )
    golden_services.golden_check(tenant=world.tenant, now=timezone.now(), scorer=scorer)

    page = new_page()
    sign_in(page, world.lead)
    page.goto("/ops/golden/")
    expect(page.locator("#golden-regression")).to_contain_text("auroc")
    expect(page.locator("#golden-runs tbody tr[data-run]")).to_have_count(3)
    expect(page.locator("#golden-chart-title")).to_be_visible()
    shot(page, "golden-01-page")
