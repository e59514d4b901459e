"""The SLA latencies over time: enqueue → first claim and claim → resolution, p50/p90/p95 per
queue, per hour (24 h window) or per UTC day (longer).

The series is one read of the page table's figures (`selectors.sla_latencies`) over the same
window, grouped by the hour or day each item is counted in, so a point on the chart is the
table's computation over that bucket (one computation per figure) and the buckets together
count every item of the table's window (now − span, now] exactly once. A bucket holds the
items counted in [its hour or day, the next): the stored tallies are cut there. The first and
last buckets are partial: the first starts after now − span; the last ends at now, and also
holds an item counted at exactly now when now falls on a boundary.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from reviewqueue.ops import tallies
from reviewqueue.ops.selectors import LATENCY_FIGURES, PERCENTILES, Latency, latencies
from reviewqueue.review.models import Queue

HOURLY_UP_TO = timedelta(hours=24)


@dataclass(frozen=True)
class LatencyBucket:
    start: datetime  # the window's start (exclusive) for the first bucket, else the hour or day
    end: datetime  # the next bucket's start, or now (inclusive) for the last
    label_at: datetime  # the hour or day the bucket belongs to
    latencies: list[Latency]  # per queue, in the queues' order


def bucket_step(span: timedelta) -> timedelta:
    return timedelta(hours=1) if span <= HOURLY_UP_TO else timedelta(days=1)


def _floor(at: datetime, step: timedelta) -> datetime:
    at = at.astimezone(UTC)
    if step == timedelta(hours=1):
        return at.replace(minute=0, second=0, microsecond=0)
    return at.replace(hour=0, minute=0, second=0, microsecond=0)


def bucket_bounds(*, now: datetime, span: timedelta) -> list[tuple[datetime, datetime, datetime]]:
    """(start, end, label time) of each bucket, oldest first, covering (now − span, now]."""
    step = bucket_step(span)
    start = now - span
    bounds = []
    while start < now:
        end = min(_floor(start, step) + step, now)
        bounds.append((start, end, _floor(start, step)))
        start = end
    return bounds


def sla_latencies_over_time(*, queues: Iterable[Queue], now: datetime, span: timedelta) -> list[LatencyBucket]:
    return sla_latencies_with_series(queues=queues, now=now, span=span)[1]


def sla_latencies_with_series(
    *, queues: Iterable[Queue], now: datetime, span: timedelta
) -> tuple[list[Latency], list[LatencyBucket]]:
    """`selectors.sla_latencies` over the window and each of its buckets, from one read: per
    bucket either the percentiles stored for its hour or day (a whole stored one) or its
    histograms; the window's histograms are the sum of all the histogram cells read (see
    `tallies.Window`)."""
    queue_list = list(queues)
    bounds = bucket_bounds(now=now, span=span)
    per = "hour" if bucket_step(span) == timedelta(hours=1) else "day"
    read = tallies.read(
        figures=LATENCY_FIGURES,
        windows=[tallies.Window("", now - span, now, per=per, percentiles=True)],
        tenant_ids=sorted({q.tenant_id for q in queue_list}),
        keys=[str(q.pk) for q in queue_list],
    )
    last_label = bounds[-1][2] if bounds else now
    # The window's histogram cells, and per bucket label and figure: its histogram cells, or its
    # stored percentile cells.
    whole: dict[str, tallies.Cells] = defaultdict(dict)
    split: dict[tuple[datetime, str], tallies.Cells] = defaultdict(dict)
    stored: dict[tuple[datetime, str], tallies.Cells] = defaultdict(dict)

    def merge(cells: tallies.Cells, key: str, bucket: int, cell: tallies.Cell) -> None:
        merged = cells.get((key, bucket, None))
        if merged is None:
            cells[(key, bucket, None)] = tallies.Cell(cell.n, cell.lo, cell.hi, cell.total)
        else:
            merged.add(cell.n, cell.lo, cell.hi, cell.total)

    for figure in LATENCY_FIGURES:
        for (key, bucket, at), cell in read[("", figure)].items():
            merge(whole[figure], key, bucket, cell)
            if at is not None:  # None: the summed histograms of the periods read as percentiles
                # Only an item counted at exactly `now`, on a boundary, is past the last bucket.
                merge(split[(min(at, last_label), figure)], key, bucket, cell)
        for (key, p, at), cell in read[("", tallies.percentile_figure(figure))].items():
            assert at is not None  # stored per hour or day
            merge(stored[(at, figure)], key, p, cell)

    def bucket_percentiles(label: datetime, figure: str) -> dict[str, tallies.Percentiles]:
        out = tallies.percentiles(split.get((label, figure), {}), PERCENTILES)
        # A period read as stored percentiles has no histogram cells (the parts are disjoint).
        out.update(tallies.stored_percentiles(stored.get((label, figure), {}), PERCENTILES))
        return out

    first, handling = LATENCY_FIGURES
    series = [
        LatencyBucket(
            start,
            end,
            label,
            latencies(queue_list, bucket_percentiles(label, first), bucket_percentiles(label, handling)),
        )
        for start, end, label in bounds
    ]
    table = latencies(
        queue_list,
        tallies.percentiles(whole[first], PERCENTILES),
        tallies.percentiles(whole[handling], PERCENTILES),
    )
    return table, series
