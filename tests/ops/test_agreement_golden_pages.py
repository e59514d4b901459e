"""/ops/agreement/ and /ops/golden/ and their actions: leads only (reviewers and other roles
403, anonymous to sign-in, another tenant's lead sees nothing of this one), and what they show."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reviewqueue.agreement.models import DoubleReviewShare
from reviewqueue.agreement.services import second_review_claim_next, second_review_submit
from reviewqueue.golden.models import GoldenRecord, GoldenTolerance
from reviewqueue.golden.services import golden_import
from reviewqueue.ops.models import QueueSettingsChange
from reviewqueue.tenancy.models import Role
from tests.agreement.helpers import resolve, sample_everything, second_for
from tests.conftest import T0
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PAGES = ["ops:agreement", "ops:golden"]


def posts(world, review_id: int = 1) -> list[tuple[str, dict[str, str]]]:
    return [
        (reverse("ops:adjudicate", args=[review_id]), {"label": "good"}),
        (reverse("ops:double_review_share", args=[world.queue.pk]), {"percent": "50"}),
        (reverse("ops:golden_upload"), {"tenant": world.tenant.slug}),
        (reverse("ops:golden_evaluate"), {"tenant": world.tenant.slug}),
        (
            reverse("ops:golden_tolerance"),
            {"tenant": world.tenant.slug, "max_auroc_drop": "0.1", "max_escape_rise": "0.1"},
        ),
        (reverse("ops:golden_promote", args=[1]), {}),
    ]


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_sign_in(world, page) -> None:
    response = Client().get(reverse(page))
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/ops/")


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("persona", ["reviewer", "other_reviewer", "outsider", "stranger"])
def test_non_leads_get_403(world, client_for, page, persona) -> None:
    response = client_for(getattr(world, persona)).get(reverse(page))
    assert response.status_code == 403 and "for ops leads" in response.content.decode()


@pytest.mark.parametrize("persona", [None, "reviewer", "stranger"])
def test_every_action_is_refused_to_non_leads(world, client_for, persona) -> None:
    sample_everything(world, timezone.now())
    for url, data in posts(world):
        client = Client() if persona is None else client_for(getattr(world, persona))
        response = client.post(url, data)
        assert response.status_code == (302 if persona is None else 403), url
        if persona is None:
            assert response["Location"].startswith("/login/")
    assert DoubleReviewShare.objects.get().share == 1.0 and not GoldenTolerance.objects.exists()


def test_another_tenants_lead_sees_and_changes_nothing_here(world, client_for, clock) -> None:
    sample_everything(world, T0)
    review = second_for(resolve(world, reviewer=world.reviewer, disposition="approved", now=T0))
    second_review_claim_next(user=world.other_reviewer, now=T0)
    second_review_submit(user=world.other_reviewer, review_id=review.pk, disposition="edited", final_text="x", now=T0)
    golden_import(tenant=world.tenant, lines=['{"id": "a", "response": "r", "label": 1}'], now=T0)
    other_lead = client_for(make_user("globex-lead", world.other_tenant, role=Role.LEAD))
    html = other_lead.get(reverse("ops:agreement")).content.decode()
    assert f'data-second-review="{review.pk}"' not in html and 'data-queue="billing"' not in html
    assert other_lead.get(reverse("ops:golden") + f"?tenant={world.tenant.slug}").status_code == 404
    assert "a</th>" not in other_lead.get(reverse("ops:golden")).content.decode()
    assert other_lead.post(reverse("ops:adjudicate", args=[review.pk]), {"label": "good"}).status_code == 404
    share_url = reverse("ops:double_review_share", args=[world.queue.pk])
    assert other_lead.post(share_url, {"percent": "5"}).status_code == 404
    assert other_lead.post(reverse("ops:golden_promote", args=[review.draft_id])).status_code == 404
    review.refresh_from_db()
    assert review.adjudicated_at is None and DoubleReviewShare.objects.get(queue=world.queue).share == 1.0
    assert GoldenRecord.objects.count() == 1


def test_agreement_page_adjudication_and_promotion(world, client_for, clock) -> None:
    sample_everything(world, T0)
    review = second_for(resolve(world, reviewer=world.reviewer, disposition="approved", now=T0))
    second_review_claim_next(user=world.other_reviewer, now=T0)
    second_review_submit(
        user=world.other_reviewer, review_id=review.pk, disposition="rejected", reason_code="unsafe", now=T0
    )
    lead = client_for(world.lead)
    html = lead.get(reverse("ops:agreement")).content.decode()
    assert f'data-second-review="{review.pk}"' in html and 'id="kappa-chart-title"' in html
    assert 'data-queue="billing"' in html and "<title" in html
    assert lead.post(reverse("ops:adjudicate", args=[review.pk]), {"label": "maybe"}).status_code == 400
    response = lead.post(reverse("ops:adjudicate", args=[review.pk]), {"label": "bad", "note": "unsafe advice"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.adjudicated_label == "bad" and review.adjudicated_by == world.lead
    assert lead.post(reverse("ops:adjudicate", args=[review.pk]), {"label": "good"}).status_code == 409
    # The ruling's label travels into the golden set with the draft.
    assert lead.post(reverse("ops:golden_promote", args=[review.draft_id])).status_code == 302
    record = GoldenRecord.objects.get(tenant=world.tenant)
    assert record.label == 1 and record.draft_id == review.draft_id and record.source == "review"
    assert lead.post(reverse("ops:golden_promote", args=[review.draft_id])).status_code == 409
    assert lead.post(reverse("ops:golden_promote", args=[999999])).status_code == 404


def test_share_form(world, client_for) -> None:
    lead = client_for(world.lead)
    url = reverse("ops:double_review_share", args=[world.queue.pk])
    for bad in ("", "abc", "150", "-1"):
        assert lead.post(url, {"percent": bad}).status_code == 400
    assert not DoubleReviewShare.objects.exists()
    assert lead.post(url, {"percent": "12.5"}).status_code == 302
    assert DoubleReviewShare.objects.get(queue=world.queue).share == pytest.approx(0.125)
    change = QueueSettingsChange.objects.get(queue=world.queue)
    assert change.before == {"second_review_share": 0.0} and change.after == {"second_review_share": 0.125}
    assert 'value="12.5"' in lead.get(reverse("ops:agreement")).content.decode()


def test_golden_page_tolerance_and_run_button(world, client_for) -> None:
    lead = client_for(world.lead)
    html = lead.get(reverse("ops:golden")).content.decode()
    assert "No run yet" in html and "disabled" in html
    url = reverse("ops:golden_tolerance")
    for data in ({"max_auroc_drop": "x", "max_escape_rise": "0.1"}, {"max_auroc_drop": "2", "max_escape_rise": "0"}):
        assert lead.post(url, {"tenant": world.tenant.slug, **data}).status_code == 400
    assert (
        lead.post(url, {"tenant": world.tenant.slug, "max_auroc_drop": "0.05", "max_escape_rise": "0.01"}).status_code
        == 302
    )
    row = GoldenTolerance.objects.get(tenant=world.tenant)
    assert (row.max_auroc_drop, row.max_escape_rise) == (0.05, 0.01)
    response = lead.post(reverse("ops:golden_evaluate"), {"tenant": world.tenant.slug})
    assert response.status_code == 302 and response["Location"].endswith("#runs")


def _disputed(world, n: int) -> None:
    for _ in range(n):
        review = second_for(resolve(world, reviewer=world.reviewer, disposition="approved", now=T0))
        second_review_claim_next(user=world.other_reviewer, now=T0)
        second_review_submit(
            user=world.other_reviewer, review_id=review.pk, disposition="edited", final_text="x", now=T0
        )


def test_agreement_page_queries_do_not_grow_with_rows(world, client_for, clock) -> None:
    sample_everything(world, T0)
    lead = client_for(world.lead)
    _disputed(world, 1)
    with CaptureQueriesContext(connection) as one:
        assert lead.get(reverse("ops:agreement")).status_code == 200
    _disputed(world, 4)
    with CaptureQueriesContext(connection) as five:
        html = lead.get(reverse("ops:agreement")).content.decode()
    assert html.count("data-second-review=") == 5
    assert len(five) == len(one)
