"""/ops/sla/ over time: the latency percentiles per hour or day, each bucket the table's own
computation over that bucket, drawn as SVG lines with the figures in a table."""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import pairwise

import pytest
from django.urls import reverse

from reviewqueue.ops import charts, selectors
from reviewqueue.ops.sla_series import bucket_bounds, sla_latencies_over_time, sla_latencies_with_series
from reviewqueue.review import services
from tests.conftest import T0
from tests.ops.data import build_day

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
MIN = timedelta(minutes=1)


def test_buckets_cut_the_window_exactly() -> None:
    now = T0 + 17 * MIN  # not on the hour: the first and last buckets are partial
    bounds = bucket_bounds(now=now, span=DAY)
    assert len(bounds) == 25
    assert bounds[0][:2] == (now - DAY, T0 - 23 * HOUR) and bounds[0][2] == T0 - DAY
    assert bounds[-1] == (T0, now, T0)
    assert all(a[1] == b[0] for a, b in pairwise(bounds))  # contiguous, no overlap
    on_the_hour = bucket_bounds(now=T0, span=DAY)
    assert len(on_the_hour) == 24 and on_the_hour[0][0] == T0 - DAY and on_the_hour[-1][1] == T0
    week = bucket_bounds(now=now, span=7 * DAY)
    assert len(week) == 8 and week[0][2] == (T0 - 7 * DAY).replace(hour=0) and week[-1][1] == now


def test_points_by_hand(world, clock) -> None:  # type: ignore[no-untyped-def]
    build_day(world)
    queues = list(selectors.queues_for_tenants([world.tenant.pk]))
    billing = [q.name for q in queues].index("billing")
    buckets = sla_latencies_over_time(queues=queues, now=T0, span=DAY)
    by_hour = {b.label_at.hour: b.latencies[billing] for b in buckets}
    # A bucket holds what is counted in [its hour, the next), as the stored hours are cut:
    # c, enqueued at 07:00 sharp (T0 − 120 min) and first claimed 5 min later, is in 07:00's.
    assert by_hour[6].first_claim_n == 0
    # d: enqueued 07:30, claimed 07:40 (10 min): with c, p50 is c's (nearest rank 1 of 2), p90
    # and p95 are d's. c resolved 07:15, 10 min after its claim.
    assert by_hour[7].to_first_claim == {50: 300, 90: 600, 95: 600} and by_hour[7].first_claim_n == 2
    assert by_hour[7].handling == {50: 600, 90: 600, 95: 600} and by_hour[7].handling_n == 1
    # d resolved 08:10, 30 min after its claim.
    assert by_hour[8].handling[95] == 1800 and by_hour[8].first_claim_n == 0  # e, f: never claimed
    assert by_hour[5].to_first_claim[50] is None and by_hour[5].handling_n == 0
    # The buckets together are the table's window: the same items, counted once.
    table = selectors.sla_latencies(queues=queues, now=T0, span=DAY)[billing]
    assert sum(b.latencies[billing].first_claim_n for b in buckets) == table.first_claim_n == 2
    assert sum(b.latencies[billing].handling_n for b in buckets) == table.handling_n == 2
    # The page reads both from one statement: the same table, the same points.
    both_table, both_buckets = sla_latencies_with_series(queues=queues, now=T0, span=DAY)
    assert both_table == selectors.sla_latencies(queues=queues, now=T0, span=DAY)
    assert both_buckets == buckets


def test_line_geometry_breaks_at_gaps() -> None:
    chart = charts.time_series(
        id="t",
        title="T",
        x_label="Hour",
        y_label="Time",
        series=[("p50", "p50")],
        labels=["a", "b", "c", "d"],
        values={"p50": [10.0, None, 20.0, 5.0]},
        text=lambda v: "—" if v is None else f"{v:g}",
        counts=("n", [1, 0, 2, 1]),
    )
    (line,) = chart.lines
    assert len(line.runs) == 1 and line.runs[0].count(",") == 2  # c–d; a alone is only a dot
    top, bottom = chart.plot_y, chart.axis_y
    assert [p.y for p in line.points] == [bottom - 90, top, bottom - 45]  # 20 is the top of the axis
    assert chart.rows[1] == ("b", ["—", "0"]) and chart.columns == ["p50", "n"]


def test_sla_page_draws_the_series(world, client_for, clock) -> None:  # type: ignore[no-untyped-def]
    build_day(world)
    html = client_for(world.lead).get(reverse("ops:sla")).content.decode()
    section = html.split('id="latency-series-title"', 1)[1].split('id="breach-title"', 1)[0]
    assert section.count('<svg class="chart-svg"') == 2 * 2  # two queues × two measures
    assert f'id="latency-first-claim-{world.queue.pk}-title"' in section
    assert "Enqueue → first claim, billing, per hour (last 24h)" in section
    assert re.search(r'<circle class="chart-dot chart-dot-p95" cx="\d+" cy="\d+"', section)
    # The screen-reader table has the hand figures: 07:00 handling p50 10 min, n 1.
    handling = section.split(f'id="latency-handling-{world.queue.pk}-title"', 1)[1]
    assert '<tr><th scope="row">07:00</th><td>10 min</td><td>10 min</td><td>10 min</td><td>1</td></tr>' in handling
    assert "style=" not in section


def test_thirty_days_are_daily(world, client_for, clock) -> None:  # type: ignore[no-untyped-def]
    build_day(world)
    html = client_for(world.lead).get(reverse("ops:sla") + "?range=30d").content.decode()
    assert "per day (last 30d)" in html and "Day (UTC)" in html
    handling = html.split(f'id="latency-handling-{world.queue.pk}-title"', 1)[1].split("</figure>", 1)[0]
    # Both handling times fall on 03-02: p50 10 min, p95 30 min, n 2.
    assert '<tr><th scope="row">03-02</th><td>10 min</td><td>30 min</td><td>30 min</td><td>2</td></tr>' in handling


def test_an_item_counted_at_exactly_now_is_in_the_last_bucket(world, clock) -> None:  # type: ignore[no-untyped-def]
    day = build_day(world)
    # f (enqueued 08:01, due 09:01) claimed at 08:50 and resolved at 09:00 = T0 exactly: its
    # handling time is counted at the window's end, which falls on an hour boundary. (e, older,
    # is claimed first by someone else and stays open.)
    assert services.review_item_claim_next(user=world.reviewer, now=T0 - 10 * MIN).pk == day.e.pk  # type: ignore[union-attr]
    claimed = services.review_item_claim_next(user=world.other_reviewer, now=T0 - 10 * MIN)
    assert claimed is not None and claimed.pk == day.f.pk
    services.review_item_submit(user=world.other_reviewer, item_id=day.f.pk, disposition="approved", now=T0)
    queues = list(selectors.queues_for_tenants([world.tenant.pk]))
    billing = [q.name for q in queues].index("billing")
    table, buckets = sla_latencies_with_series(queues=queues, now=T0, span=DAY)
    assert buckets[-1].label_at == T0 - HOUR
    last = buckets[-1].latencies[billing]
    assert last.handling_n == 2 and last.handling == {50: 600, 90: 1800, 95: 1800}  # d 08:10, f 09:00
    assert sum(b.latencies[billing].handling_n for b in buckets) == table[billing].handling_n == 3
