"""The hourly tallies behind the ops pages: rolled-up hours give the figures a direct computation
gives, at window and hour edges, after late events, through the beat task and the rebuild
command; and the histogram percentiles stay within their stated bound."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from reviewqueue.ops import rollups, selectors, tallies
from reviewqueue.ops.models import RollupState, Tally
from reviewqueue.ops.sla_series import sla_latencies_with_series
from reviewqueue.ops.tasks import ops_rollup
from reviewqueue.review import services
from tests.conftest import T0
from tests.factories import World, make_pending_item
from tests.ops.data import DAY, US, build_day
from tests.ops.test_drift import build_drift
from tests.ops.test_reviewers_routing import build_routing, build_shift

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
MIN = timedelta(minutes=1)
BUILDERS = {"day": build_day, "shift": build_shift, "routing": build_routing, "drift": build_drift}
# Evaluation instants: on the hour, 1 µs either side, mid-hour, and before the data ends.
INSTANTS = [T0, T0 - US, T0 + US, T0 + 30 * MIN, T0 - 9 * HOUR]


def figures(world: World, now: datetime, span: timedelta) -> tuple[Any, ...]:
    """Every windowed figure of every ops page (and of /ops/sla/'s breach history)."""
    queues = list(selectors.queues_for_tenants([world.tenant.pk]))
    tenants = [world.tenant.pk]
    return (
        selectors.sla_attainment(queues=queues, now=now, span=span),
        selectors.breach_history(queues=queues, now=now, span=span),
        selectors.sla_latencies(queues=queues, now=now, span=span),
        # The table and its series, whose whole stored hours and days are stored percentiles.
        sla_latencies_with_series(queues=queues, now=now, span=span),
        selectors.reviewer_load(queues=queues, now=now, span=span),
        *(selectors.routing_mix(tenant_ids=tenants, now=now, span=span, dimension=d) for d in selectors.DIMENSIONS),
        selectors.routing_mix_over_time(tenant_ids=tenants, now=now, span=span),
        selectors.confidence_drift(tenant_ids=tenants, now=now, span=span),
    )


def everything(world: World) -> dict[tuple[datetime, timedelta], tuple[Any, ...]]:
    return {(now, span): figures(world, now, span) for now in INSTANTS for span in selectors.RANGES.values()}


def unrolled() -> None:
    RollupState.objects.all().delete()
    Tally.objects.all().delete()


@pytest.mark.parametrize("builder", list(BUILDERS))
def test_rolled_hours_give_the_direct_figures(world, clock, builder) -> None:
    BUILDERS[builder](world)
    direct = everything(world)
    assert not Tally.objects.exists()
    # The beat task 30 min after T0: every hour before T0 is rolled (it ended ≥ 10 min ago).
    result = rollups.rollup_sweep(now=T0 + 30 * MIN)
    assert result.moved == Tally.objects.count() > 0
    assert RollupState.objects.get().rolled_until == T0
    assert everything(world) == direct
    # The rebuild writes the same rows.
    stored = set(Tally.objects.values_list("start", "hours", "tenant", "figure", "key", "bucket", "n", "lo", "hi"))
    clock.shift(30 * MIN)
    call_command("rebuild_ops_rollups", verbosity=0)
    assert set(Tally.objects.values_list("start", "hours", "tenant", "figure", "key", "bucket", "n", "lo", "hi")) == (
        stored
    )


def test_the_pages_read_the_stored_hours(world, client_for, clock) -> None:
    """A stored tally is what the page shows for its hour: bump one and the page moves (so a
    rolled hour is read from the tallies, not recomputed)."""
    build_day(world)
    rollups.rollup_sweep(now=T0 + 30 * MIN)
    queues = list(selectors.queues_for_tenants([world.tenant.pk]))
    [billing] = [a for a in selectors.sla_attainment(queues=queues, now=T0, span=DAY) if a.queue.name == "billing"]
    assert (billing.due, billing.met) == (4, 2)  # as hand-computed in tests/ops/data.py
    # Due in the rolled hour [T0 − 1 h, T0): c (at T0 − 60 min exactly) and d (T0 − 30 min);
    # e is due at T0, in the next hour.
    cell = Tally.objects.get(figure="sla.due", hours=1, start=T0 - HOUR, key=str(world.queue.pk))
    assert cell.n == 2
    Tally.objects.filter(pk=cell.pk).update(n=cell.n + 10)
    [billing] = [a for a in selectors.sla_attainment(queues=queues, now=T0, span=DAY) if a.queue.name == "billing"]
    assert billing.due == 14


def test_day_rows_are_the_sums_of_their_hours(world, clock) -> None:
    build_shift(world)
    build_day(world)
    rollups.rollup_sweep(now=T0 + 30 * MIN)
    # Rolled until T0 (09:00 on 2 March): 1 March is a whole day, 2 March is not.
    days = Tally.objects.filter(hours=24)
    assert set(days.values_list("start", flat=True)) == {T0.replace(hour=0) - DAY}
    day = T0.replace(hour=0) - DAY
    hours = Tally.objects.filter(hours=1, start__gte=day, start__lt=day + DAY)
    stored_percentiles = tallies.stored_percentile_figures()
    for cell in days.exclude(figure__in=stored_percentiles):
        same = hours.filter(figure=cell.figure, key=cell.key, bucket=cell.bucket, tenant=cell.tenant)
        assert cell.n == sum(same.values_list("n", flat=True))
        if cell.lo is not None:
            assert cell.lo == min(same.values_list("lo", flat=True))
            assert cell.hi == max(same.values_list("hi", flat=True))


def test_stored_percentiles_are_the_percentiles_of_their_histograms(world, clock) -> None:
    """A day's percentile rows are its histogram's percentiles (not sums of its hours'), an
    hour's are its own; each says how many values it is over."""
    build_shift(world)
    build_day(world)
    rollups.rollup_sweep(now=T0 + 30 * MIN)
    day = T0.replace(hour=0) - DAY
    checked = 0
    for figure in ("sla.first_claim", "sla.handling"):
        for hours, starts in ((24, [day]), (1, [T0 - h * HOUR for h in range(1, 30)])):
            for start in starts:
                cells = Tally.objects.filter(figure=figure, hours=hours, start=start)
                for key in set(cells.values_list("key", flat=True)):
                    histogram = tallies.Histogram()
                    for cell in cells.filter(key=key):
                        histogram.buckets[cell.bucket].add(cell.n, cell.lo, cell.hi)
                    stored = Tally.objects.filter(figure=f"{figure}.p", hours=hours, start=start, key=key)
                    assert {(c.bucket, c.n, c.lo, c.hi) for c in stored} == {
                        (p, histogram.n, histogram.percentile(p), histogram.percentile(p)) for p in (50, 90, 95)
                    }
                    checked += 1
    assert checked >= 3


def test_the_series_reads_the_stored_percentiles(world, clock) -> None:
    """A whole stored hour inside the window is drawn from its stored percentile rows: change
    one and the point moves (the table, over the window, still comes from the histograms)."""
    build_day(world)
    rollups.rollup_sweep(now=T0 + 30 * MIN)
    queues = list(selectors.queues_for_tenants([world.tenant.pk]))
    billing = [q.name for q in queues].index("billing")
    # 07:00 holds c's and d's first claims (5 and 10 min): p50 5 min, p90 10 min.
    seven = T0 - 2 * HOUR
    row = Tally.objects.get(figure="sla.first_claim.p", hours=1, start=seven, bucket=50, key=str(world.queue.pk))
    assert (row.n, row.lo) == (2, 300)
    Tally.objects.filter(pk=row.pk).update(lo=1234.0, hi=1234.0)
    table, buckets = sla_latencies_with_series(queues=queues, now=T0 + 30 * MIN, span=DAY)
    [point] = [b.latencies[billing] for b in buckets if b.label_at == seven]
    assert point.to_first_claim == {50: 1234.0, 90: 600, 95: 600} and point.first_claim_n == 2
    assert table[billing].to_first_claim[50] == 300
    # The last bucket (08:00 here, partial) is never read from stored percentiles.
    last = buckets[-1]
    assert last.label_at == T0 and last.latencies[billing].handling_n == 0


def test_a_claim_changes_the_rolled_hour_of_its_enqueue(world, clock) -> None:
    """Enqueue → first claim counts in the hour of the enqueue: an item enqueued in an hour
    already rolled and claimed later is counted once the next beat run rolls that hour again."""
    world.queue.sla_minutes = 600
    world.queue.save(update_fields=["sla_minutes"])
    g = make_pending_item(world, now=T0 - 3 * HOUR)  # enqueued 06:00, in a rolled hour from T0 on
    rollups.rollup_sweep(now=T0)
    assert RollupState.objects.get().rolled_until == T0 - HOUR
    queues = list(selectors.queues_for_tenants([world.tenant.pk]))

    def billing(now: datetime) -> selectors.Latency:
        return next(x for x in selectors.sla_latencies(queues=queues, now=now, span=DAY) if x.queue.name == "billing")

    assert billing(T0).first_claim_n == 0
    clock.move_to(T0 + 30 * MIN)
    claimed = services.review_item_claim_next(user=world.reviewer, now=T0 + 30 * MIN)
    assert claimed is not None and claimed.pk == g.pk
    # Until the next run the rolled hour 06:00 still says unclaimed (at most one beat period).
    assert billing(T0 + 30 * MIN).first_claim_n == 0
    result = rollups.rollup_sweep(now=T0 + 35 * MIN)
    assert result.examined == 2  # 06:00 rolled again, 08:00 rolled for the first time
    after = billing(T0 + 30 * MIN)
    assert (after.first_claim_n, after.to_first_claim[50]) == (1, 3.5 * 3600)
    # … which is what the direct computation says.
    unrolled()
    assert billing(T0 + 30 * MIN) == after


def _claimed_before_the_hour_ends(world: World) -> int:
    world.queue.lease_seconds = 3600
    world.queue.save(update_fields=["lease_seconds"])
    item = make_pending_item(world, now=T0 - 30 * MIN)
    services.review_item_claim_next(user=world.reviewer, now=T0 - 20 * MIN)
    return item.pk


def _submit_late(world: World, item_id: int) -> None:
    # A transaction that read its clock 0.1 s before the 08:00 hour ended and commits later.
    services.review_item_submit(
        user=world.reviewer, item_id=item_id, disposition="approved", now=T0 - timedelta(milliseconds=100)
    )


def _team(world: World) -> selectors.ReviewerLoad:
    queues = list(selectors.queues_for_tenants([world.tenant.pk]))
    return selectors.reviewer_load(queues=queues, now=T0 + 15 * MIN, span=DAY).team


def test_an_hour_is_rolled_only_once_its_writes_have_committed(world, clock) -> None:
    """An hour is rolled LAG (10 min) after it ends: a write whose clock reading fell in it and
    that commits within LAG is in its tally."""
    item_id = _claimed_before_the_hour_ends(world)
    rollups.rollup_sweep(now=T0 + 9 * MIN)
    assert RollupState.objects.get().rolled_until == T0 - HOUR  # 08:00 not rolled yet
    _submit_late(world, item_id)  # commits at T0 + 9 min
    rollups.rollup_sweep(now=T0 + 10 * MIN)
    assert RollupState.objects.get().rolled_until == T0
    handling = Tally.objects.get(figure="sla.handling", hours=1, start=T0 - HOUR)
    assert (handling.n, handling.lo, handling.hi) == (1, pytest.approx(1199.9), pytest.approx(1199.9))
    team = _team(world)
    assert team.resolved == 1 and team.handling_p50 == pytest.approx(1199.9)


def test_a_transaction_longer_than_the_lag_is_repaired_by_the_rebuild(world, clock) -> None:
    """The known limit: a write that commits more than LAG after its clock reading, into an hour
    already rolled, is not seen by the beat task (its event is older than the task looks back);
    `rebuild_ops_rollups` repairs it."""
    item_id = _claimed_before_the_hour_ends(world)
    rollups.rollup_sweep(now=T0 + 10 * MIN)
    _submit_late(world, item_id)  # commits after the 08:00 hour was rolled
    rollups.rollup_sweep(now=T0 + 15 * MIN)
    assert _team(world).resolved == 0
    clock.move_to(T0 + 15 * MIN)
    call_command("rebuild_ops_rollups", verbosity=0)
    assert _team(world).resolved == 1


def test_window_edges_on_rolled_hours(world, clock) -> None:
    """build_day and build_drift put rows exactly on hour boundaries: with every hour rolled,
    the 1 µs edges of tests/ops/test_sla.py and test_drift.py hold the same."""
    day = build_day(world)
    build_drift(world)
    rollups.rollup_sweep(now=T0 + HOUR)
    queues = list(selectors.queues_for_tenants([world.tenant.pk]))

    def billing(now: datetime, span: timedelta = DAY) -> tuple[int, int]:
        a = next(x for x in selectors.sla_attainment(queues=queues, now=now, span=span) if x.queue.name == "billing")
        return a.due, a.met

    assert billing(T0) == (4, 2)
    assert billing(T0 + US) == (3, 2)  # b's deadline is then exactly the window's start
    assert billing(T0, 7 * DAY) == (5, 2)
    assert selectors.breach_history(queues=queues, now=T0, span=7 * DAY)[0][0].item_id == day.b.pk
    assert selectors.breach_history(queues=queues, now=T0 + US, span=DAY)[1] == 0

    def drift(now: datetime) -> tuple[int, int]:
        [d] = [
            x
            for x in selectors.confidence_drift(tenant_ids=[world.tenant.pk], now=now, span=DAY)
            if x.prompt_version == "p1"
        ]
        return sum(d.reference), sum(d.current)

    assert drift(T0) == (10, 10)
    assert drift(T0 - US) == (9, 10)
    assert drift(T0 - 9 * HOUR) == (1, 10)


def test_tenants_do_not_mix(world, clock) -> None:
    build_day(world)
    rollups.rollup_sweep(now=T0 + HOUR)
    assert Tally.objects.filter(tenant=world.other_tenant).count() == 0
    other = list(selectors.queues_for_tenants([world.other_tenant.pk]))
    assert all(a.due == 0 for a in selectors.sla_attainment(queues=other, now=T0, span=DAY))
    assert selectors.routing_mix(tenant_ids=[world.other_tenant.pk], now=T0, span=DAY, dimension="queue") == []


def test_the_beat_task_and_the_sweep_command(world, clock) -> None:
    build_day(world)
    assert ops_rollup().startswith("examined ")
    assert RollupState.objects.get().rolled_until == T0 - HOUR
    clock.shift(2 * HOUR)
    call_command("sweep", "ops-rollup")
    assert RollupState.objects.get().rolled_until == T0 + HOUR


def test_a_first_run_rolls_a_bounded_number_of_hours(world, clock) -> None:
    make_pending_item(world, now=T0 - 5 * DAY)
    rollups.rollup_sweep(now=T0)
    assert RollupState.objects.get().rolled_until == T0 - 5 * DAY + rollups.MAX_HOURS_PER_RUN * HOUR
    while RollupState.objects.get().rolled_until < T0 - HOUR:
        rollups.rollup_sweep(now=T0)
    assert RollupState.objects.get().rolled_until == T0 - HOUR


def test_the_sla_page_shows_the_rolled_figures(world, client_for, clock) -> None:
    build_day(world)
    rollups.rollup_sweep(now=T0 + 30 * MIN)
    html = client_for(world.lead).get(reverse("ops:sla")).content.decode()
    assert "Breaches (1)" in html
    assert f"within {tallies.PERCENT_ERROR} %" in html


# --- the histogram percentiles -------------------------------------------------------------------


def _histogram(values: list[float]) -> tallies.Histogram:
    """The histogram `tallies` builds in SQL, built here from the definition in its docstring."""
    h = tallies.Histogram()
    for v in values:
        bucket = -1 if v < tallies.HIST_FLOOR else math.floor(math.log(v / tallies.HIST_FLOOR) / math.log(1.1))
        h.buckets[bucket].add(1, v, v)
    return h


def test_histogram_percentile_by_hand() -> None:
    # Edges are 0.01 · 1.1^k: 100 and 101 fall in k = 96 ([94.22, 103.64)), 109 in k = 97.
    h = _histogram([100, 101, 109])
    assert sorted(h.buckets) == [96, 97]
    assert h.percentile(50) == 101  # rank 2: the last value of bucket 96, exact
    h = _histogram([95, 99, 103])  # all three in bucket 96
    assert h.percentile(50) == 99  # rank 2 of 3 in one bucket: 95 + (103 − 95) · 1/2 = 99
    h = _histogram([95, 96, 103])
    assert h.percentile(50) == 99  # interpolated; the exact value is 96: 3 s off, inside 10 %
    assert h.percentile(1) == 95 and h.percentile(100) == 103
    assert _histogram([]).percentile(50) is None
    assert _histogram([0.0, 0.005, 2.0]).percentile(50) == 0.005  # below 0.01 s: bucket −1


def test_histogram_percentile_error_is_within_the_stated_bound() -> None:
    rng = random.Random(13)
    for _ in range(200):
        values = [rng.lognormvariate(5, 2) for _ in range(rng.randint(1, 400))]
        h = _histogram(values)
        for p in selectors.PERCENTILES:
            exact = selectors.percentile(values, p)
            assert exact is not None
            approx = h.percentile(p)
            assert approx is not None
            assert abs(approx - exact) <= max(exact * (tallies.HIST_RATIO - 1), tallies.HIST_FLOOR)


def test_histogram_buckets_in_sql_match_the_definition(world, clock) -> None:
    """The bucket the database assigns (PostgreSQL or SQLite) is the one the formula gives."""
    build_shift(world)
    rollups.rollup_sweep(now=T0 + HOUR)
    cells = Tally.objects.filter(figure="reviewer.handling", hours=1)
    assert cells.exists()
    for cell in cells:
        assert cell.lo is not None and cell.hi is not None
        for v in (cell.lo, cell.hi):
            assert math.floor(math.log(v / tallies.HIST_FLOOR) / math.log(1.1)) == cell.bucket


@pytest.mark.parametrize("moved", ["rebuild started", "rolled further"])
def test_a_watermark_that_moves_between_its_read_and_the_statement(world, clock, monkeypatch, moved) -> None:
    """A page reads the watermark, then runs one statement with constant bounds; the statement
    reports the watermark it saw and the read runs again if the two differ, so a roll or a
    rebuild committing in between never shows a half-stored window."""
    build_day(world)
    direct = everything(world)
    rollups.rollup_sweep(now=T0 + 30 * MIN)
    if moved == "rebuild started":
        # What the rebuild's first transaction commits: no watermark, no tallies.
        RollupState.objects.update(rolled_until=None)
        Tally.objects.all().delete()
        stale: datetime | None = T0
    else:
        stale = T0 - 5 * HOUR
    monkeypatch.setattr(tallies, "rolled_until", lambda: stale)
    assert everything(world) == direct
