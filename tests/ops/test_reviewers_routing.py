"""/ops/reviewers/ and /ops/routing/ on constructed data with hand-computed figures."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.urls import reverse

from reviewqueue.intake import routing
from reviewqueue.ops import selectors
from reviewqueue.review import services
from reviewqueue.review.models import Decision, ReviewItem
from tests.conftest import T0
from tests.factories import World, make_draft, make_pending_item

pytestmark = pytest.mark.django_db

MIN = timedelta(minutes=1)
SEC = timedelta(seconds=1)
DAY = timedelta(hours=24)


def _claim(world: World, user, at: datetime, expected: ReviewItem) -> None:  # type: ignore[no-untyped-def]
    claimed = services.review_item_claim_next(user=user, now=at)
    assert claimed is not None and claimed.pk == expected.pk


def build_shift(world: World) -> None:
    """reviewer: approve (10 min), reject (20 min), escalate (5 min), one release, one lapse.
    other_reviewer: approve (1 min), edit (30 min), one item taken back by the lead."""
    world.queue.lease_seconds = 3600
    world.queue.save(update_fields=["lease_seconds"])
    r, o = world.reviewer, world.other_reviewer
    i1 = make_pending_item(world, now=T0 - 120 * MIN)
    _claim(world, r, T0 - 110 * MIN, i1)
    services.review_item_submit(user=r, item_id=i1.pk, disposition="approved", now=T0 - 100 * MIN)
    i2 = make_pending_item(world, now=T0 - 100 * MIN)
    _claim(world, r, T0 - 95 * MIN, i2)
    services.review_item_submit(
        user=r, item_id=i2.pk, disposition="rejected", reason_code="off_policy", now=T0 - 75 * MIN
    )
    i3 = make_pending_item(world, now=T0 - 90 * MIN)
    _claim(world, o, T0 - 85 * MIN, i3)
    services.review_item_submit(user=o, item_id=i3.pk, disposition="approved", now=T0 - 84 * MIN)
    i4 = make_pending_item(world, now=T0 - 80 * MIN)
    _claim(world, o, T0 - 70 * MIN, i4)
    services.review_item_submit(user=o, item_id=i4.pk, disposition="edited", final_text="Better.", now=T0 - 40 * MIN)
    i5 = make_pending_item(world, now=T0 - 70 * MIN)
    _claim(world, r, T0 - 65 * MIN, i5)
    services.review_item_release(user=r, item_id=i5.pk, now=T0 - 64 * MIN)
    _claim(world, o, T0 - 60 * MIN, i5)
    services.review_item_force_release(acting_user=world.lead, item_id=i5.pk, now=T0 - 50 * MIN)
    _claim(world, r, T0 - 40 * MIN, i5)
    l2 = services.review_item_escalate(
        user=r, item_id=i5.pk, target_queue_id=world.l2_queue.pk, note="", now=T0 - 35 * MIN
    )
    assert l2.state == "pending"
    # The escalation is not handed back to r while another reviewer of l2 could take it (claim-next's
    # rule), so r's lapse is on another item of that queue.
    other = make_pending_item(world, now=T0 - 32 * MIN, queue=world.l2_queue)
    _claim(world, r, T0 - 30 * MIN, other)  # l2's lease is 120 s
    assert services.review_item_lapse(item_id=other.pk, now=T0 - 28 * MIN)


def _row(html: str, table: str, attr: str, key: str) -> dict[str, str]:
    section = re.search(rf'<table class="table" id="{table}">(.*?)</table>', html, re.S).group(1)
    row = re.search(rf'<tr {attr}="{re.escape(key)}">(.*?)</tr>', section, re.S).group(1)
    return {
        k: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", v)).strip()
        for k, v in re.findall(r'data-label="([^"]+)">(.*?)</td>', row, re.S)
    }


def test_reviewer_load_selector(world, clock) -> None:
    build_shift(world)
    load = selectors.reviewer_load(queues=selectors.queues_for_tenants([world.tenant.pk]), now=T0, span=DAY)
    by = {r.username: r for r in load.reviewers}
    r, o = by[world.reviewer.username], by[world.other_reviewer.username]
    assert [x.username for x in load.reviewers] == sorted(by)  # by name, not by throughput
    assert r.dispositions == {"approved": 1, "edited": 0, "rejected": 1, "escalated": 1}
    assert (r.handling_p50, r.handling_p90) == (600, 1200)  # [300, 600, 1200]: ranks 2 and 3
    assert (r.lease_lapses, r.releases, r.force_released) == (1, 1, 0)
    assert o.dispositions == {"approved": 1, "edited": 1, "rejected": 0, "escalated": 0}
    assert (o.handling_p50, o.handling_p90) == (60, 1800)  # [60, 1800]: ranks 1 and 2
    assert (o.lease_lapses, o.releases, o.force_released) == (0, 0, 1)
    team = load.team
    assert team.resolved == 5 and team.dispositions == {"approved": 2, "edited": 1, "rejected": 1, "escalated": 1}
    assert (team.handling_p50, team.handling_p90) == (600, 1800)  # [60, 300, 600, 1200, 1800]: ranks 3, 5
    assert load.spread("approved") == (1 / 3, 1 / 2)
    assert load.spread("edited") == (0, 1 / 2)


def test_reviewers_page(world, client_for, clock, django_assert_num_queries) -> None:
    build_shift(world)
    client = client_for(world.lead)
    html = client.get(reverse("ops:reviewers")).content.decode()
    assert _row(html, "reviewers-table", "data-reviewer", world.reviewer.username) == {
        "Resolved": "3",
        "approved": "1 (33.3 %)",
        "edited": "0 (0.0 %)",
        "rejected": "1 (33.3 %)",
        "escalated": "1 (33.3 %)",
        "Handling p50": "10 min",
        "Handling p90": "20 min",
        "Lapsed": "1",
        "Released": "1",
        "Forced": "0",
    }
    assert _row(html, "reviewers-table", "data-reviewer", "team")["approved"] == "2 (40.0 %)"
    assert _row(html, "spread-table", "data-disposition", "approved") == {
        "Team": "40.0 %",
        "Lowest": "33.3 %",
        "Highest": "50.0 %",
    }
    assert "Share approved unchanged per reviewer, last 24h (team: 40.0 %)" in html
    # A window that starts after the shift: nobody.
    clock.shift(DAY)
    assert "No reviewer activity in this window." in client.get(reverse("ops:reviewers")).content.decode()
    # session, user, lead memberships, queues, the watermark and one statement for the resolved
    # items and the events, their owners' names
    with django_assert_num_queries(7):
        client.get(reverse("ops:reviewers") + "?range=7d")


def _routed(world: World, *, at: datetime, scoring: timedelta, decision: str, intent: str, queue=None):  # type: ignore[no-untyped-def]
    draft = make_draft(world, now=at, metadata={"intent": intent, "generator_model": "gen-a", "prompt_version": "p1"})
    routing.draft_record_score(draft_id=draft.pk, score=None, confidence=0.5, versions={}, now=at + scoring)
    routing.draft_route(
        draft_id=draft.pk, decision=decision, reasons=["test"], queue=queue, priority=0.5, now=at + scoring
    )
    return draft


def build_routing(world: World) -> None:
    """warranty: three held (scored in 1, 2, 4 s; approved, edited, rejected) and one auto-sent
    (3 s). refund: one blocked (10 s) and one scoring failure (5 s, never routed)."""
    world.queue.lease_seconds = 3600
    world.queue.save(update_fields=["lease_seconds"])
    at = T0 - 10 * 60 * MIN
    for n, (seconds, disposition) in enumerate([(1, "approved"), (2, "edited"), (4, "rejected")]):
        start = at + n * 60 * MIN
        _routed(
            world,
            at=start,
            scoring=seconds * SEC,
            decision=Decision.QUEUE_FOR_REVIEW,
            intent="warranty",
            queue=world.queue,
        )
        item = services.review_item_claim_next(user=world.reviewer, now=start + MIN)
        services.review_item_submit(
            user=world.reviewer,
            item_id=item.pk,
            disposition=disposition,
            final_text="Edited." if disposition == "edited" else "",
            reason_code="unsafe" if disposition == "rejected" else "",
            now=start + 2 * MIN,
        )
    _routed(world, at=at, scoring=3 * SEC, decision=Decision.AUTO_SEND, intent="warranty")
    _routed(world, at=at, scoring=10 * SEC, decision=Decision.BLOCK, intent="refund")
    failed = make_draft(world, now=at, metadata={"intent": "refund"})
    routing.draft_record_score(
        draft_id=failed.pk, score=None, confidence=None, versions={}, now=at + 5 * SEC, failed=True, error="down"
    )


def test_routing_by_intent(world, clock) -> None:
    build_routing(world)
    rows = {r.key: r for r in selectors.routing_mix(tenant_ids=[world.tenant.pk], now=T0, span=DAY, dimension="intent")}
    w, f = rows["warranty"], rows["refund"]
    assert w.mix == {"auto_send": 1, "auto_draft_human_send": 0, "queue_for_review": 3, "block": 0}
    assert w.mix_share("queue_for_review") == 0.75
    assert w.reviewed == {"approved": 1, "edited": 1, "rejected": 1, "escalated": 0}
    assert w.override_rate == 2 / 3 and w.escalation_rate == 0
    assert (w.scoring_p50, w.scoring_p95, w.scored) == (2, 4, 4)  # [1, 2, 3, 4]: ranks 2 and 4
    assert w.scoring_failures == 0
    assert f.mix["block"] == 1 and f.routed == 1 and f.override_rate is None
    assert (f.scoring_p50, f.scoring_p95, f.scoring_failures) == (5, 10, 1)  # [5, 10]


def test_routing_page_by_queue(world, client_for, clock) -> None:
    build_routing(world)
    client = client_for(world.lead)
    html = client.get(reverse("ops:routing") + "?by=queue").content.decode()
    assert _row(html, "routing-table", "data-key", "billing") == {
        "Routed": "3",
        "auto_send": "0 (0.0 %)",
        "auto_draft_human_send": "0 (0.0 %)",
        "queue_for_review": "3 (100.0 %)",
        "block": "0 (0.0 %)",
        "Resolved": "3",
        "AER": "1 / 1 / 1",
        "Override": "66.7 %",
        "Escalation": "0.0 %",
        "Scoring p50": "2 s",
        "Scoring p95": "4 s",
        "Failures": "0",
    }
    none = _row(html, "routing-table", "data-key", "(none)")
    assert (none["Routed"], none["auto_send"], none["block"]) == ("2", "1 (50.0 %)", "1 (50.0 %)")
    assert (none["Scoring p50"], none["Scoring p95"], none["Failures"]) == ("5 s", "10 s", "1")  # [3, 5, 10]
    assert "Routing decisions per hour, last 24h" in html and "<svg" in html
    html = client.get(reverse("ops:routing") + "?by=generator_model&range=7d").content.decode()
    assert _row(html, "routing-table", "data-key", "gen-a")["Routed"] == "5"
    assert "Routing decisions per day, last 7d" in html


def test_mix_over_time_buckets(world, clock) -> None:
    build_routing(world)
    buckets = selectors.routing_mix_over_time(tenant_ids=[world.tenant.pk], now=T0, span=DAY)
    assert len(buckets) == 25  # 09:00 yesterday … 09:00 today, every hour
    by_start = {b.start: b.mix for b in buckets}
    # Routed 10 h before T0 (+ the scoring seconds): auto-send, block and the first held draft.
    first = by_start[T0 - 10 * 60 * MIN]
    assert (first["auto_send"], first["block"], first["queue_for_review"]) == (1, 1, 1)
    assert by_start[T0 - 9 * 60 * MIN]["queue_for_review"] == 1
    assert sum(sum(m.values()) for m in by_start.values()) == 5


def test_routing_queries_are_constant(world, client_for, clock, django_assert_num_queries) -> None:
    build_routing(world)
    client = client_for(world.lead)
    client.get(reverse("ops:routing"))
    # session, user, lead memberships; the watermark and one statement for the mix, reviewed,
    # latency and failures; the watermark and one statement for the mix over time
    with django_assert_num_queries(7):
        client.get(reverse("ops:routing") + "?by=prompt_version")
