"""Writes the tallies (`ops.tallies`): the beat task rolls each hour once it has closed (and each
UTC day once its 24 hours are rolled) and rolls again the hours that later events change;
`rebuild_ops_rollups` rolls everything again.

Rolling an hour replaces its rows with what `tallies.computed_hours` computes for it now, so it
is idempotent and overlapping runs are harmless (the state row is locked for the run).

Hours change after they are rolled in two ways, both seen through the events, since every change
to an item or draft writes one (STYLE: every change writes an append-only event):
- by design: enqueue → first claim is counted in the hour of the enqueue, so a claim now
  changes an hour rolled long ago;
- by commit order: a transaction that read its clock before the hour closed but committed after
  the roll. An hour is rolled only LAG after it ends, and each run looks at the events created
  since LAG before its previous run, so a transaction shorter than LAG is never missed (a longer
  one is picked up by `rebuild_ops_rollups`).
For each such event the run rolls again every rolled hour its item or draft is counted in.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Max, Min, Sum

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.ops import tallies
from reviewqueue.ops.models import RollupState, Tally
from reviewqueue.review.models import Draft
from reviewqueue.sweeping import SweepResult

logger = logging.getLogger(__name__)

HOUR = tallies.HOUR
DAY = 24 * HOUR
LAG = timedelta(minutes=10)
MAX_HOURS_PER_RUN = 48  # a first run on a large database rolls 2 days a run; the command does it all
CHUNK_HOURS = 24  # hours computed per statement


def _floor_hour(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _runs(hours: Iterable[datetime]) -> list[tuple[datetime, datetime]]:
    """Sorted hours as [start, end) runs of consecutive hours, each at most CHUNK_HOURS long."""
    out: list[tuple[datetime, datetime]] = []
    for hour in sorted(set(hours)):
        if out and out[-1][1] == hour and hour - out[-1][0] < CHUNK_HOURS * HOUR:
            out[-1] = (out[-1][0], hour + HOUR)
        else:
            out.append((hour, hour + HOUR))
    return out


def roll_hours(hours: Iterable[datetime], *, rolled_until: datetime) -> int:
    """Replace the tallies of these hours (every tenant) with what they compute to now, and the
    day rows of their UTC days that end by `rolled_until`; the caller holds the transaction.
    Returns the rows written."""
    hours = set(hours)
    written = 0
    for start, end in _runs(hours):
        Tally.objects.filter(hours=1, start__gte=start, start__lt=end).delete()
        rows = [
            Tally(
                start=hour,
                hours=1,
                tenant_id=tenant,
                figure=figure,
                key=key,
                bucket=bucket,
                n=n,
                lo=lo,
                hi=hi,
                total=total,
            )
            for figure, _tag, tenant, hour, key, bucket, n, lo, hi, total in tallies.computed_hours(
                start=start, end=end
            )
        ]
        Tally.objects.bulk_create(rows, batch_size=2000)
        written += len(rows)
    days = {hour.replace(hour=0) for hour in hours}
    for day in sorted(d for d in days if d + DAY <= rolled_until):
        written += _roll_day(day)
    return written


def _roll_day(day: datetime) -> int:
    """A day's rows: the sums of its 24 hour rows, and the percentiles of the day's histograms
    (not of its hours' percentiles)."""
    Tally.objects.filter(hours=24, start=day).delete()
    sums = (
        Tally.objects.filter(hours=1, start__gte=day, start__lt=day + DAY)
        .exclude(figure__in=tallies.stored_percentile_figures())
        .order_by()
        .values_list("figure", "tenant_id", "key", "bucket")
        .annotate(count=Sum("n"), low=Min("lo"), high=Max("hi"), sum=Sum("total"))
    )
    summed = [(figure, "", tenant, day, *cell) for figure, tenant, *cell in sums]
    rows = [
        Tally(
            start=day, hours=24, tenant_id=tenant, figure=figure, key=key, bucket=bucket, n=n, lo=lo, hi=hi, total=total
        )
        for figure, _tag, tenant, _day, key, bucket, n, lo, hi, total in summed + tallies.percentile_rows(summed)
    ]
    Tally.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _touched_hours(*, since: datetime, before: datetime) -> set[datetime]:
    """The hours before `before` in which the items and drafts of the events created after
    `since` are counted."""
    hours: set[datetime] = set()
    for stamps in ReviewEvent.objects.filter(created_at__gt=since).values_list(
        "created_at",
        "item__created_at",
        "item__due_at",
        "item__resolved_at",
        "draft__created_at",
        "draft__scored_at",
        "draft__routed_at",
    ):
        hours.update(_floor_hour(at) for at in stamps if at is not None and at < before)
    return hours


def _first_hour() -> datetime | None:
    first = Draft.objects.aggregate(first=Min("created_at"))["first"]
    return None if first is None else _floor_hour(first)


def rollup_sweep(*, now: datetime) -> SweepResult:
    """The beat task: roll the hours closed since the last run (at most MAX_HOURS_PER_RUN) and
    roll again the rolled hours that events since the last run changed."""
    closed = _floor_hour(now - LAG)  # every hour before this one ended at least LAG ago
    with transaction.atomic():
        RollupState.objects.get_or_create(pk=tallies.STATE_PK)
        state = RollupState.objects.select_for_update().get(pk=tallies.STATE_PK)
        rolled = state.rolled_until or _first_hour() or closed
        new_hours: list[datetime] = []
        at = rolled
        while at < closed and len(new_hours) < MAX_HOURS_PER_RUN:
            new_hours.append(at)
            at += HOUR
        late: set[datetime] = set()
        if state.rolled_until is not None and state.events_seen_until is not None:
            late = _touched_hours(since=state.events_seen_until - LAG, before=state.rolled_until)
        hours = set(new_hours) | late
        rolled_until = max(rolled, at)
        written = roll_hours(hours, rolled_until=rolled_until)
        state.rolled_until = rolled_until
        state.events_seen_until = now
        state.save(update_fields=["rolled_until", "events_seen_until"])
    if hours:
        logger.info(
            "ops.rollup: %d new hours, %d rolled again, %d rows",
            len(new_hours),
            len(late - set(new_hours)),
            written,
            extra={"action": "ops.rollup", "new_hours": len(new_hours), "late_hours": len(late), "rows": written},
        )
    return SweepResult(examined=len(hours), moved=written)


def rollup_rebuild(*, now: datetime, progress: logging.Logger | None = None) -> int:
    """Roll every hour from the first draft to the last closed one again, a day per transaction.
    Pages stay correct meanwhile: the watermark is cleared first, so they compute directly (and
    slowly) until the rebuild sets it again."""
    closed = _floor_hour(now - LAG)
    with transaction.atomic():
        RollupState.objects.update_or_create(
            pk=tallies.STATE_PK, defaults={"rolled_until": None, "events_seen_until": None}
        )
        Tally.objects.all().delete()
    first = _first_hour()
    written = 0
    at = first.replace(hour=0) if first else closed  # a day per chunk, so day rows follow it
    while at < closed:
        end = min(closed, at + CHUNK_HOURS * HOUR)
        with transaction.atomic():
            written += roll_hours(_hours(at, end), rolled_until=closed)
        if progress:
            progress.info("rolled %s … %s", at.isoformat(), end.isoformat())
        at = end
    with transaction.atomic():
        # The events of the rebuild's own duration are looked at by the next beat run.
        RollupState.objects.filter(pk=tallies.STATE_PK).update(rolled_until=closed, events_seen_until=now)
    return written


def _hours(start: datetime, end: datetime) -> list[datetime]:
    out = []
    while start < end:
        out.append(start)
        start += HOUR
    return out
