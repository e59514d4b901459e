"""The SLA latencies over time: enqueue → first claim and claim → resolution, p50/p90/p95 per
queue, per hour (24 h window) or per day (longer).

Each bucket is `selectors.sla_latencies` over that bucket, so a point on the chart is the same
computation as the page's table over the whole window (one computation per figure), and the
buckets cut the table's window (now − span, now] exactly: the first and last may be partial.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from reviewqueue.ops.selectors import Latency, sla_latencies
from reviewqueue.review.models import Queue

HOURLY_UP_TO = timedelta(hours=24)


@dataclass(frozen=True)
class LatencyBucket:
    start: datetime  # exclusive, as in the selectors' windows
    end: datetime  # inclusive
    label_at: datetime  # the hour or day the bucket belongs to (its start, rounded down)
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
    queue_list = list(queues)
    return [
        LatencyBucket(start, end, label, sla_latencies(queues=queue_list, now=end, span=end - start))
        for start, end, label in bucket_bounds(now=now, span=span)
    ]
