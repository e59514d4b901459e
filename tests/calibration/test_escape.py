"""The escape-rate estimate: inverse-probability weighting on a deliberately biased sample, and
the Wilson interval against a hand-computed value."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from reviewqueue.calibration.escape import ALL, escape_estimate, escape_rates, wilson_interval
from reviewqueue.calibration.labels import AUDIT, FEEDBACK, DraftLabel
from reviewqueue.calibration.services import draft_feedback_record
from reviewqueue.review.models import Decision, Queue, ReviewItem
from tests.calibration.helpers import resolve, routed
from tests.factories import World, make_queue

T = datetime(2026, 1, 1, tzinfo=UTC)


def audits(n: int, bad: int, share: float) -> list[DraftLabel]:
    return [
        DraftLabel(draft_id=i, good=i >= bad, source=AUDIT, weight=1 / share, sampling_probability=share, labelled_at=T)
        for i in range(n)
    ]


def reports(n: int) -> list[DraftLabel]:
    return [
        DraftLabel(draft_id=i, good=False, source=FEEDBACK, weight=1.0, sampling_probability=1.0, labelled_at=T)
        for i in range(n)
    ]


def test_wilson_interval_matches_the_hand_computed_value() -> None:
    # 10 bad of 100, z = 1.96: centre = (0.1 + 1.96²/200) / (1 + 1.96²/100) = 0.119208 / 1.038416
    # = 0.114798; half = 1.96 · √(0.1·0.9/100 + 1.96²/40000) / 1.038416 = 1.96 · 0.0315601 / 1.038416
    # = 0.0595694 → (0.0552, 0.1744), the textbook Wilson interval for 10/100.
    low, high = wilson_interval(0.1, 100, z=1.96)
    assert low == pytest.approx(0.055229, abs=1e-6)
    assert high == pytest.approx(0.174367, abs=1e-6)
    assert wilson_interval(0.0, 0) == (0.0, 1.0)
    low, high = wilson_interval(0.0, 50, z=1.96)  # none bad: the interval still admits some
    assert low == 0.0 and high == pytest.approx(3.8416 / 53.8416, abs=1e-9)


def test_the_weighted_estimate_is_right_where_the_naive_one_is_wrong() -> None:
    """Two queues, 1000 auto-sent drafts each. billing: 100 bad (10 %), audited at one half;
    faq: 20 bad (2 %), audited at one tenth, and customers reported 10 of its bad drafts. The
    true escape rate is 120 / 2000 = 6 %. The sample is what such traffic gives:
    billing 500 audits, 50 bad; faq: of its 990 unreported drafts (10 bad), 99 audits, 1 bad."""
    billing = audits(500, 50, 0.5)
    faq_audits, faq_reports = audits(99, 1, 0.1), reports(10)
    everything = billing + faq_audits + faq_reports

    # Naive: the bad share of all labelled auto-sent drafts. 61 / 609 = 10.0 %: wrong, since
    # billing is over-sampled and complaints find bad drafts far more often than chance does.
    naive = sum(lab.bad for lab in everything) / len(everything)
    assert naive == pytest.approx(61 / 609) and abs(naive - 0.06) > 0.03

    # Weighted: reported (10) + unreported (1990) × Σw·bad / Σw (= (2·50 + 10·1) / (2·500 + 10·99)
    # = 110 / 1990) = 10 + 110 = 120 → 120 / 2000 = 6 %, exactly the truth.
    overall = escape_estimate(auto_sent=2000, labels=everything)
    assert overall.rate == pytest.approx(0.06)
    assert (overall.reported_bad, overall.audited, overall.audited_bad) == (10, 599, 51)
    assert overall.low < 0.06 < overall.high
    # Per queue, each exact: billing 1000 · 50/500 = 100 → 10 %; faq (10 + 990 · 1/99) / 1000 = 2 %.
    assert escape_estimate(auto_sent=1000, labels=billing).rate == pytest.approx(0.10)
    assert escape_estimate(auto_sent=1000, labels=faq_audits + faq_reports).rate == pytest.approx(0.02)


def test_equal_weights_give_the_plain_wilson_interval_and_reports_shift_it() -> None:
    plain = escape_estimate(auto_sent=1000, labels=audits(100, 10, 0.1))
    assert plain.effective_n == pytest.approx(100)
    assert (plain.rate, plain.low, plain.high) == pytest.approx((0.1, *wilson_interval(0.1, 100)))
    with_reports = escape_estimate(auto_sent=1000, labels=audits(100, 10, 0.1) + reports(100))
    # 100 reported + 900 unreported × 10 % = 190 → 19 %; the interval maps the same way.
    lo, hi = wilson_interval(0.1, 100)
    assert (with_reports.rate, with_reports.low, with_reports.high) == pytest.approx(
        (0.19, (100 + 900 * lo) / 1000, (100 + 900 * hi) / 1000)
    )


def test_without_an_audit_only_the_floor_is_known() -> None:
    est = escape_estimate(auto_sent=200, labels=reports(4))
    assert est.rate is None and est.low == pytest.approx(0.02) and est.high == 1.0
    assert escape_estimate(auto_sent=0, labels=[]).rate is None


@pytest.mark.django_db
def test_escape_rates_per_queue_and_prompt_version_from_the_database(world: World) -> None:
    now = timezone.now()
    Queue.objects.filter(pk=world.queue.pk).update(audit_share=1.0)
    faq = make_queue(world.tenant, "faq")  # no audit: only what services report
    sent = [routed(world, Decision.AUTO_SEND, prompt_version="v1") for _ in range(3)]
    sent.append(routed(world, Decision.AUTO_SEND, prompt_version="v2"))
    items = list(ReviewItem.objects.filter(draft__in=sent).order_by("pk"))
    assert len(items) == 4 and {i.audit_probability for i in items} == {1.0}
    resolve(items[0], world.reviewer, "rejected")
    for item in items[1:]:
        resolve(item, world.reviewer, "approved")
    faq_sent = [routed(world, Decision.AUTO_SEND, queue=faq) for _ in range(4)]
    draft_feedback_record(client=world.client, draft_id=faq_sent[0].pk, kind="complained", now=now)
    resolve(ReviewItem.objects.get(draft=routed(world, Decision.QUEUE_FOR_REVIEW)), world.reviewer, "rejected")

    rows = {
        (r.queue, r.prompt_version): r.estimate
        for r in escape_rates(
            tenant_ids=[world.tenant.pk], since=now - timedelta(hours=1), until=now + timedelta(hours=1)
        )
    }
    billing = rows[("billing", None)]
    assert (billing.auto_sent, billing.audited, billing.audited_bad, billing.rate) == (4, 4, 1, 0.25)
    assert rows[("billing", "v1")].rate == pytest.approx(1 / 3) and rows[("billing", "v2")].rate == 0.0
    faq_row = rows[("faq", None)]
    assert (faq_row.auto_sent, faq_row.reported_bad, faq_row.rate, faq_row.low) == (4, 1, None, 0.25)
    everything = rows[(ALL, None)]
    # 8 auto-sent: 1 reported, 7 unreported estimated from 4 audits with 1 bad → (1 + 7/4) / 8.
    assert everything.auto_sent == 8 and everything.rate == pytest.approx((1 + 7 / 4) / 8)
    # Another tenant's lead sees none of it.
    assert (
        escape_rates(tenant_ids=[world.other_tenant.pk], since=now - timedelta(hours=1), until=now)[
            0
        ].estimate.auto_sent
        == 0
    )
