"""The ops figures as hourly tallies: each figure is defined once here, as a query on the review
tables grouped by the hour its rows fall in, and read through `read`:

- the whole hours of a window that are rolled up (before `RollupState.rolled_until`) come from
  `Tally`, which `ops.rollups` fills by running these same queries for each hour (and sums per
  UTC day, so that a long window reads a row per day and key rather than per hour);
- the rest of the window (its partial first hour, and the hours not rolled yet up to now) runs
  the query directly, bounded by the indexed timestamp the figure is counted by.

Both parts are one SQL statement (UNION ALL), so a figure costs one query whatever the window,
and a page reads O((days + 48 hours) × keys) stored rows, not every item and event of the window.

Windows are (start, end], as everywhere on the ops pages; an hour's tally covers
[hour, hour + 1 h), so an hour is whole inside a window when start < hour and hour + 1 h ≤ end.

Durations are stored as histograms: bucket k holds values in [FLOOR · RATIO^k, FLOOR · RATIO^(k+1))
(bucket −1: below FLOOR), with the count and the smallest and largest value in it. A percentile is
the nearest-rank value (as `selectors.percentile` on the raw values) when the rank falls on a
bucket's first or last value, and otherwise interpolated between the two by rank: the reported
value and the exact one lie in the same bucket, so they differ by less than the bucket's width,
under 10 % of the value (under 0.01 s below 0.01 s).

A duration figure can also store, per hour and per UTC day, its percentiles (`Figure.percentiles`,
computed by `Histogram.percentile` from that hour's or day's histogram when it is rolled: a
stored result, not a second computation), as the figure `<name>.p` with bucket = the percentile,
n = the histogram's count and lo = hi = the value. A series read (`Window.percentiles`) takes the
whole stored hours or days of its window from those rows, three per key instead of a histogram
of some forty buckets, and the histograms for the rest.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, Concat, Floor, Greatest, Least, Ln, TruncDay, TruncHour

from reviewqueue.audit.events import EventType
from reviewqueue.audit.models import ReviewEvent
from reviewqueue.ops.models import RollupState, Tally
from reviewqueue.review.models import Draft, ItemState, ReviewItem

HOUR = timedelta(hours=1)
HIST_FLOOR = 0.01  # seconds: the lower edge of bucket 0
HIST_RATIO = 1.1  # each bucket is 10 % wider than the one before: the bound on a percentile's error
PERCENT_ERROR = round((HIST_RATIO - 1) * 100)

DISPOSITIONS = ("approved", "edited", "rejected", "escalated")
DECISIONS = ("auto_send", "auto_draft_human_send", "queue_for_review", "block")
DIMENSIONS = ("queue", "intent", "prompt_version", "generator_model")
PSI_BINS = 10
PERCENTILES = (50, 90, 95)  # the SLA page's percentiles, stored per hour and day for its series
# /metrics' histogram bucket upper bounds (seconds). Scoring runs in about a second, or waits for
# a worker; enqueue → decision is seconds for auto-send and minutes to hours through review.
SCORING_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
DECISION_BUCKETS = (1, 5, 30, 60, 300, 900, 1800, 3600, 4 * 3600, 24 * 3600)
KEY_SEPARATOR = "\x1f"  # between prompt version and generator model in a drift key


class Seconds(Func):
    """`end − start` in seconds, as a float. The one dialect fragment of the figures: PostgreSQL
    subtracts timestamps to an interval, SQLite stores text and Django registers a function that
    returns the difference in microseconds."""

    arity = 2
    output_field = FloatField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        template = "EXTRACT(EPOCH FROM (%(expressions)s))::double precision"
        return self.as_sql(compiler, connection, template=template, arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        template = "(django_timestamp_diff(%(expressions)s) / 1000000.0)"
        return self.as_sql(compiler, connection, template=template, arg_joiner=", ", **extra)


def _hist_bucket(seconds: Any) -> Case:
    return Case(
        When(Q(**{f"{seconds}__lt": HIST_FLOOR}), then=Value(-1)),
        default=Cast(Floor(Ln(F(seconds) / HIST_FLOOR) / math.log(HIST_RATIO)), IntegerField()),
        output_field=IntegerField(),
    )


def _bound_index(seconds: str, bounds: Sequence[float]) -> Case:
    """The index of the first upper bound the value is at or below (len(bounds): above all)."""
    return Case(
        *(When(**{f"{seconds}__lte": bound}, then=Value(i)) for i, bound in enumerate(bounds)),
        default=Value(len(bounds)),
        output_field=IntegerField(),
    )


def _index_of(field_name: str, values: Sequence[str]) -> Case:
    return Case(
        *(When(**{field_name: v}, then=Value(i)) for i, v in enumerate(values)),
        default=Value(-1),
        output_field=IntegerField(),
    )


def _text(expr: Any) -> Coalesce:
    return Coalesce(Cast(expr, CharField()), Value(""), output_field=CharField())


@dataclass(frozen=True)
class Figure:
    """One figure: which rows (`rows`, already annotated and filtered), the timestamp it is
    counted by (`at`), the tenant, key and bucket of each row, and the duration it measures
    (None: a count)."""

    name: str
    rows: Callable[[], QuerySet[Any]]
    at: str
    tenant: str
    key: Any
    bucket: Any = field(default_factory=lambda: Value(0))
    seconds: Any = None
    percentiles: tuple[int, ...] = ()  # stored per hour and day for series reads (a duration figure)
    bounds: tuple[float, ...] = ()  # a duration figure bucketed by these upper bounds, not 10 % wide


def _first_claims() -> QuerySet[ReviewEvent]:
    # The first `review.claimed` event of each item (by time, then id), read as one row per
    # item with its item joined, so the claim time is a column, not a subquery per use.
    earlier = ReviewEvent.objects.filter(item=OuterRef("item"), type=EventType.REVIEW_CLAIMED).filter(
        Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), id__lt=OuterRef("id"))
    )
    return (
        ReviewEvent.objects.filter(type=EventType.REVIEW_CLAIMED, item__isnull=False)
        .filter(~Exists(earlier))
        .annotate(f_seconds=Seconds("created_at", "item__created_at"))
    )


def _routed_queue() -> Subquery:
    # Drafts are cut by the queue their first review item was opened in (what routing chose);
    # a draft routed to no queue (auto-sent, blocked) has none.
    return Subquery(
        ReviewItem.objects.filter(draft=OuterRef("pk"), escalated_from__isnull=True)
        .order_by("id")
        .values("queue__name")[:1]
    )


def _drafts() -> QuerySet[Draft]:
    return Draft.objects.all()


def _resolved() -> QuerySet[ReviewItem]:
    return ReviewItem.objects.filter(state=ItemState.RESOLVED, claimed_at__isnull=False).annotate(
        f_seconds=Seconds("resolved_at", "claimed_at")
    )


def _draft_dim(dimension: str) -> Any:
    return _routed_queue() if dimension == "queue" else F(dimension)


def _item_dim(dimension: str) -> str:
    return "queue__name" if dimension == "queue" else f"draft__{dimension}"


def _event_dim(dimension: str) -> str:
    return "draft__review_items__queue__name" if dimension == "queue" else f"draft__{dimension}"


def _events(*types: str) -> Callable[[], QuerySet[ReviewEvent]]:
    return lambda: ReviewEvent.objects.filter(type__in=types)


FIGURES: dict[str, Figure] = {}


def _define(*figures: Figure) -> None:
    for figure in figures:
        FIGURES[figure.name] = figure


_define(
    # SLA attainment: items by the hour their deadline fell in, and those resolved before it.
    Figure("sla.due", lambda: ReviewItem.objects.all(), "due_at", "queue__tenant_id", F("queue_id")),
    Figure(
        "sla.met",
        lambda: ReviewItem.objects.filter(state=ItemState.RESOLVED, resolved_at__lt=F("due_at")),
        "due_at",
        "queue__tenant_id",
        F("queue_id"),
    ),
    Figure(
        "sla.breaches",
        _events(EventType.REVIEW_SLA_BREACHED),
        "created_at",
        "draft__tenant_id",
        F("item__queue_id"),
    ),
    # Enqueue → first claim, by the hour of the enqueue (a later claim changes a rolled hour:
    # `ops.rollups` rolls it again).
    Figure(
        "sla.first_claim",
        _first_claims,
        "item__created_at",
        "item__queue__tenant_id",
        F("item__queue_id"),
        seconds="f_seconds",
        percentiles=PERCENTILES,
    ),
    Figure(
        "sla.handling",
        _resolved,
        "resolved_at",
        "queue__tenant_id",
        F("queue_id"),
        seconds="f_seconds",
        percentiles=PERCENTILES,
    ),
    # Reviewers: dispositions and handling time of the items each resolved; lapses and lead
    # take-backs name the owner in the event's data, releases are the actor's.
    Figure(
        "reviewer.resolved",
        lambda: ReviewItem.objects.filter(state=ItemState.RESOLVED),
        "resolved_at",
        "queue__tenant_id",
        F("reviewer_id"),
        bucket=_index_of("disposition", DISPOSITIONS),
    ),
    Figure("reviewer.handling", _resolved, "resolved_at", "queue__tenant_id", F("reviewer_id"), seconds="f_seconds"),
    Figure(
        "reviewer.lapses",
        _events(EventType.REVIEW_LEASE_EXPIRED),
        "created_at",
        "draft__tenant_id",
        KeyTextTransform("owner_id", "data"),
    ),
    Figure(
        "reviewer.releases",
        lambda: ReviewEvent.objects.filter(type=EventType.REVIEW_RELEASED, actor_id__isnull=False),
        "created_at",
        "draft__tenant_id",
        F("actor_id"),
    ),
    Figure(
        "reviewer.force_released",
        _events(EventType.REVIEW_FORCE_RELEASED),
        "created_at",
        "draft__tenant_id",
        KeyTextTransform("owner_id", "data"),
    ),
    # Drift: the confidence of scored drafts in PSI_BINS equal bins on [0, 1], per prompt
    # version and generator model.
    Figure(
        "drift.confidence",
        lambda: Draft.objects.filter(confidence__isnull=False),
        "scored_at",
        "tenant_id",
        Concat(
            Coalesce(F("prompt_version"), Value("")),
            Value(KEY_SEPARATOR),
            Coalesce(F("generator_model"), Value("")),
            output_field=CharField(),
        ),
        bucket=Least(Greatest(Cast(Floor(F("confidence") * PSI_BINS), IntegerField()), Value(0)), Value(PSI_BINS - 1)),
    ),
)
# /metrics: its counters and histograms since the first row, keyed by tenant id or queue id.
# Counted by when the row came to be what it counts, so a stored hour only changes through a late
# commit.
_define(
    Figure(
        "metrics.decisions",
        lambda: Draft.objects.exclude(decision=""),
        "routed_at",  # set with the decision, in the one routing transition
        "tenant_id",
        F("tenant_id"),
        bucket=_index_of("decision", DECISIONS),
    ),
    Figure(
        "metrics.dispositions",
        lambda: ReviewItem.objects.filter(state=ItemState.RESOLVED),
        "resolved_at",
        "queue__tenant_id",
        F("queue_id"),
        bucket=_index_of("disposition", DISPOSITIONS),
    ),
    Figure(
        "metrics.scoring_failures",
        _events(EventType.DRAFT_SCORING_FAILED),
        "created_at",
        "draft__tenant_id",
        F("draft__tenant_id"),
    ),
    Figure(
        "metrics.lease_lapses",
        _events(EventType.REVIEW_LEASE_EXPIRED),
        "created_at",
        "draft__tenant_id",
        F("item__queue_id"),
    ),
    Figure(
        "metrics.scoring_latency",
        lambda: Draft.objects.annotate(f_seconds=Seconds("scored_at", "created_at")),
        "scored_at",
        "tenant_id",
        F("tenant_id"),
        seconds="f_seconds",
        bounds=SCORING_BUCKETS,
    ),
    Figure(
        "metrics.enqueue_to_decision",
        lambda: Draft.objects.annotate(f_seconds=Seconds("decided_at", "created_at")),
        "decided_at",
        "tenant_id",
        F("tenant_id"),
        seconds="f_seconds",
        bounds=DECISION_BUCKETS,
    ),
)
for _dim in DIMENSIONS:
    _define(
        Figure(
            f"routing.mix.{_dim}",
            lambda: _drafts().exclude(decision=""),
            "routed_at",
            "tenant_id",
            _draft_dim(_dim),
            bucket=_index_of("decision", DECISIONS),
        ),
        Figure(
            f"routing.reviewed.{_dim}",
            lambda: ReviewItem.objects.filter(state=ItemState.RESOLVED),
            "resolved_at",
            "queue__tenant_id",
            F(_item_dim(_dim)),
            bucket=_index_of("disposition", DISPOSITIONS),
        ),
        Figure(
            f"routing.scoring.{_dim}",
            lambda: _drafts().annotate(f_seconds=Seconds("scored_at", "created_at")),
            "scored_at",
            "tenant_id",
            _draft_dim(_dim),
            seconds="f_seconds",
        ),
        Figure(
            f"routing.failures.{_dim}",
            _events(EventType.DRAFT_SCORING_FAILED),
            "created_at",
            "draft__tenant_id",
            F(_event_dim(_dim)),
        ),
    )

# The columns every part of a union selects, in this order.
COLUMNS = ("f_figure", "f_tag", "f_tenant", "f_hour", "f_key", "f_bucket", "f_n", "f_lo", "f_hi", "f_total")


Per = str | None  # "hour" or "day": the rows of `read` per hour or UTC day of the window; None: one per window


def _per(at: str, per: Per) -> Any:
    if per == "hour":
        return TruncHour(at, tzinfo=UTC)
    if per == "day":
        return TruncDay(at, tzinfo=UTC)
    return Cast(Value(None), DateTimeField())


def direct(figure: Figure, *, where: Q, tenant_ids: Sequence[int] | None, tag: str, per: Per) -> QuerySet[Any]:
    """The figure computed from the review tables over the rows `where` selects (a range of the
    figure's timestamp), grouped by key and bucket (and hour or day, `per`)."""
    rows = figure.rows().filter(where)
    if tenant_ids is not None:
        rows = rows.filter(**{f"{figure.tenant}__in": list(tenant_ids)})
    rows = rows.annotate(
        f_figure=Value(figure.name, output_field=CharField()),
        f_tag=Value(tag, output_field=CharField()),
        f_tenant=F(figure.tenant),
        f_hour=_per(figure.at, per),
        f_key=_text(figure.key),
        f_bucket=_bound_index(figure.seconds, figure.bounds)
        if figure.bounds
        else _hist_bucket(figure.seconds)
        if figure.seconds
        else figure.bucket,
    )
    measures: dict[str, Any]
    if figure.seconds:
        measures = {
            "f_n": Count("pk"),
            "f_lo": Min(figure.seconds),
            "f_hi": Max(figure.seconds),
            "f_total": Sum(figure.seconds),
        }
    else:
        nothing = Cast(Value(None), FloatField())
        measures = {"f_n": Count("pk", distinct=True), "f_lo": nothing, "f_hi": nothing, "f_total": nothing}
    grouped: QuerySet[Any] = rows.order_by().values(*COLUMNS[:6]).annotate(**measures).values_list(*COLUMNS)
    return grouped


STATE_PK = 1  # the one row of `RollupState` (`ops.rollups` writes it)


def rolled_until() -> datetime | None:
    """The watermark now: every hour before it is stored."""
    return RollupState.objects.filter(pk=STATE_PK).values_list("rolled_until", flat=True).first()


def _floor_hour(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Window:
    """A window (start, end] as read by `read`, under a tag so one statement can read several:
    one row per key and bucket (`per` None), or per hour or UTC day of the window. With
    `percentiles` (and `per`), a figure that stores its percentiles is read as those stored rows
    (figure `<name>.p`) for the whole stored hours or days strictly between the window's first
    and last one (which may be partial, or hold an item counted at exactly `end`), and as
    histograms for the rest; the histograms of the periods read as percentiles come summed, as
    cells of no period (None), so the figure's cells still add up to the window's histogram."""

    tag: str
    start: datetime
    end: datetime
    per: Per = None
    percentiles: bool = False


def percentile_figure(name: str) -> str:
    return f"{name}.p"


def _floor_day(at: datetime) -> datetime:
    return _floor_hour(at).replace(hour=0)


def _stored(rows: QuerySet[Tally], tag: str, keys: Sequence[str] | None, hour: Any) -> QuerySet[Any]:
    if keys is not None:
        rows = rows.filter(key__in=list(keys))
    grouped: QuerySet[Any] = (
        rows.order_by()
        .values(
            f_figure=F("figure"),
            f_tag=Value(tag, output_field=CharField()),
            f_tenant=F("tenant_id"),
            f_hour=hour,
            f_key=F("key"),
            f_bucket=F("bucket"),
        )
        .annotate(f_n=Sum("n"), f_lo=Min("lo"), f_hi=Max("hi"), f_total=Sum("total"))
        .values_list(*COLUMNS)
    )
    return grouped


def _parts(
    figures: Sequence[Figure],
    window: Window,
    tenant_ids: Sequence[int],
    keys: Sequence[str] | None,
    rolled: datetime | None,
) -> list[QuerySet[Any]]:
    """The stored days and hours of the window before `rolled` (the watermark), and the rest
    computed directly. `per="hour"` reads hours only (the caller wants each hour); otherwise
    whole UTC days come from day rows. The stored rows of all the figures are read by one part
    per range (their ranges are the window's), the rest by one part per figure.

    Every bound is a constant, so PostgreSQL estimates each range from its statistics (an hour
    of rows, not a default share of the table) and plans the direct parts as the index range
    scans and nested loops they are; `read` checks that the statement saw the same watermark."""
    first = _floor_hour(window.start) + HOUR  # the first hour that starts after `start`
    last = _floor_hour(window.end)  # hours before it end at or before `end`
    seen = first if rolled is None else max(first, min(last, rolled))  # stored hours: [first, seen)
    # Of the stored hours, the whole days from the first day boundary at or after `first` to the
    # last one at or before `seen`.
    day_from = first if first == first.replace(hour=0) else first.replace(hour=0) + 24 * HOUR
    day_to = max(day_from, seen.replace(hour=0))
    per = window.per
    tally = Tally.objects.filter(tenant_id__in=list(tenant_ids))
    parts = []
    # The figures that store percentiles are read as those for the whole periods in
    # [first period, as_percentiles), as histograms from there. The window's last period (the one
    # holding `end`, also when `end` is on its boundary) is always read as histograms; the first
    # is never whole (it starts after `start`).
    from_ = first if per == "hour" else day_from
    with_percentiles = [f.name for f in figures if window.percentiles and f.percentiles and per is not None]
    plain = [f.name for f in figures if f.name not in with_percentiles]
    as_percentiles = from_
    if with_percentiles:
        last_period = (_floor_hour if per == "hour" else _floor_day)(window.end - timedelta(microseconds=1))
        as_percentiles = max(from_, min(seen if per == "hour" else day_to, last_period))
        stored = tally.filter(
            figure__in=[percentile_figure(name) for name in with_percentiles],
            hours=1 if per == "hour" else 24,
            start__gte=from_,
            start__lt=as_percentiles,
        )
        parts.append(_stored(stored, window.tag, keys, F("start")))
        # … and their histograms summed over those periods (no period: None), so that the
        # histogram cells of the window still add up to the window's histogram.
        summed = tally.filter(
            figure__in=with_percentiles,
            hours=1 if per == "hour" else 24,
            start__gte=from_,
            start__lt=as_percentiles,
        )
        parts.append(_stored(summed, window.tag, keys, Cast(Value(None), DateTimeField())))
    groups = [(names, since) for names, since in ((plain, from_), (with_percentiles, as_percentiles)) if names]
    if per == "hour":
        for names, since in groups:
            hours = tally.filter(figure__in=names, hours=1, start__gte=since, start__lt=seen)
            parts.append(_stored(hours, window.tag, keys, F("start")))
    else:
        # The hours around the days, as two index ranges (before the first day, after the last).
        around = Q(start__gte=first, start__lt=min(day_from, seen)) | Q(start__gte=day_to, start__lt=seen)
        hour = TruncDay("start", tzinfo=UTC) if per == "day" else Cast(Value(None), DateTimeField())
        every = [f.name for f in figures]
        parts.append(_stored(tally.filter(around, figure__in=every, hours=1), window.tag, keys, hour))
        for names, since in groups:
            days = tally.filter(figure__in=names, hours=24, start__gte=since, start__lt=day_to)
            parts.append(_stored(days, window.tag, keys, F("start") if per == "day" else hour))
    for figure in figures:
        at = figure.at
        # The rest: the partial first hour, and the hours from `seen` to `end` (at most a few).
        rest = Q(**{f"{at}__gt": window.start, f"{at}__lt": first, f"{at}__lte": window.end}) | Q(
            **{f"{at}__gte": seen, f"{at}__lte": window.end}
        )
        parts.append(direct(figure, where=rest, tenant_ids=tenant_ids, tag=window.tag, per=per))
    return parts


STATE = "~rollup"  # the figure name of the row that carries the watermark the statement saw


def _state_row() -> QuerySet[Any]:
    nothing = Cast(Value(None), FloatField())
    row: QuerySet[Any] = (
        RollupState.objects.filter(pk=STATE_PK)
        .annotate(
            f_figure=Value(STATE, output_field=CharField()),
            f_tag=Value("", output_field=CharField()),
            f_tenant=Value(0, output_field=IntegerField()),
            f_hour=F("rolled_until"),
            f_key=Value("", output_field=CharField()),
            f_bucket=Value(0, output_field=IntegerField()),
            f_n=Value(0, output_field=IntegerField()),
            f_lo=nothing,
            f_hi=nothing,
            f_total=nothing,
        )
        .values_list(*COLUMNS)
    )
    return row


@dataclass
class Cell:
    n: int = 0
    lo: float | None = None
    hi: float | None = None
    total: float | None = None  # the sum of a duration figure's values

    def add(self, n: int, lo: float | None, hi: float | None, total: float | None = None) -> None:
        self.n += n
        if lo is not None:
            self.lo = lo if self.lo is None else min(self.lo, lo)
        if hi is not None:
            self.hi = hi if self.hi is None else max(self.hi, hi)
        if total is not None:
            self.total = total if self.total is None else self.total + total


# (key, bucket, hour or day or None) → cell
Cells = dict[tuple[str, int, datetime | None], Cell]
# (tag, figure) → cells
Tallies = dict[tuple[str, str], Cells]


def read(
    *,
    figures: Iterable[str],
    windows: Iterable[Window],
    tenant_ids: Sequence[int],
    keys: Sequence[str] | None = None,
) -> Tallies:
    """The named figures over each window, for the tenants (and only `keys`, if given), in one
    query after reading the watermark: stored hours and days and the rest computed directly,
    merged per key and bucket (and hour or UTC day, the window's `per`). A window read with
    `percentiles` also has cells under `percentile_figure(name)` (see `Window`)."""
    out: Tallies = defaultdict(lambda: defaultdict(Cell))
    if not tenant_ids:
        return out
    figures, windows = list(figures), list(windows)  # read once per window and attempt
    rolled = rolled_until()
    for _attempt in range(READ_ATTEMPTS):
        rows, seen = _read_once(figures, windows, tenant_ids, keys, rolled)
        if seen == rolled:
            break
        # A roll or rebuild committed between reading the watermark and the statement: read
        # again with the watermark the statement saw (the last try stores nothing: exact).
        rolled = seen if _attempt < READ_ATTEMPTS - 2 else None
    for figure, tag, _tenant, hour, key, bucket, n, lo, hi, total in rows:
        if hour is not None:
            hour = hour.astimezone(UTC) if hour.tzinfo else hour.replace(tzinfo=UTC)
        out[(tag, figure)][(key, bucket, hour)].add(n, lo, hi, total)
    return out


READ_ATTEMPTS = 3


def _read_once(
    figures: Iterable[str],
    windows: Iterable[Window],
    tenant_ids: Sequence[int],
    keys: Sequence[str] | None,
    rolled: datetime | None,
) -> tuple[list[tuple[Any, ...]], datetime | None]:
    """One statement: the parts of every figure and window with the stored hours before
    `rolled`, and the watermark the statement saw. Every committed watermark W promises that
    the hours before W are stored, so the rows are exact when the two agree (or `rolled` is
    None: nothing stored is read)."""
    parts: list[QuerySet[Any]] = [_state_row()]
    for window in windows:
        parts.extend(_parts([FIGURES[name] for name in figures], window, tenant_ids, keys, rolled))
    rows = list(parts[0].union(*parts[1:], all=True))
    state = [row for row in rows if row[0] == STATE]
    seen = state[0][3] if state else None
    if seen is not None and seen.tzinfo is None:
        seen = seen.replace(tzinfo=UTC)
    if rolled is None:
        seen = None  # nothing stored was read: exact whatever the watermark
    return [row for row in rows if row[0] != STATE], seen


def computed_hours(*, start: datetime, end: datetime) -> list[tuple[Any, ...]]:
    """Every figure of every tenant for the hours in [start, end), computed directly, as rows of
    `COLUMNS` (what `ops.rollups` stores), with the stored percentiles of each hour."""
    where_for = {name: Q(**{f"{figure.at}__gte": start, f"{figure.at}__lt": end}) for name, figure in FIGURES.items()}
    parts = [
        direct(figure, where=where_for[name], tenant_ids=None, tag="", per="hour") for name, figure in FIGURES.items()
    ]
    rows = list(parts[0].union(*parts[1:], all=True))
    return rows + percentile_rows(rows)


def percentile_rows(rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The stored percentiles of the figures that keep them, from their histogram rows (of
    `COLUMNS`, one hour or day each): per tenant, hour or day and key, one row per percentile."""
    histograms: dict[tuple[str, int, datetime, str], Histogram] = defaultdict(Histogram)
    for figure, _tag, tenant, hour, key, bucket, n, lo, hi, _total in rows:
        if FIGURES[figure].percentiles:
            histograms[(figure, tenant, hour, key)].buckets[bucket].add(n, lo, hi)
    out = []
    for (figure, tenant, hour, key), histogram in histograms.items():
        total = histogram.n
        for p in FIGURES[figure].percentiles:
            value = histogram.percentile(p)
            out.append((percentile_figure(figure), "", tenant, hour, key, p, total, value, value, None))
    return out


def stored_percentile_figures() -> list[str]:
    return [percentile_figure(name) for name, figure in FIGURES.items() if figure.percentiles]


# --- turning cells into figures -------------------------------------------------------------------


def counts(cells: dict[tuple[str, int, datetime | None], Cell]) -> dict[str, int]:
    """key → count, over buckets and hours."""
    out: dict[str, int] = defaultdict(int)
    for (key, _bucket, _hour), cell in cells.items():
        out[key] += cell.n
    return out


def categories(cells: dict[tuple[str, int, datetime | None], Cell], names: Sequence[str]) -> dict[str, dict[str, int]]:
    """key → {category name → count}, the bucket being the category's index in `names`."""
    out: dict[str, dict[str, int]] = {}
    for (key, bucket, _hour), cell in cells.items():
        if 0 <= bucket < len(names):
            out.setdefault(key, dict.fromkeys(names, 0))[names[bucket]] += cell.n
    return out


@dataclass
class Histogram:
    buckets: dict[int, Cell] = field(default_factory=lambda: defaultdict(Cell))

    @property
    def n(self) -> int:
        return sum(c.n for c in self.buckets.values())

    def percentile(self, p: float) -> float | None:
        """Nearest rank, as `selectors.percentile`: exact when the rank is the first or last value
        of its bucket, interpolated by rank between them otherwise (error < the bucket's width)."""
        total = self.n
        if not total:
            return None
        rank = max(1, math.ceil(p / 100 * total))
        seen = 0
        for bucket in sorted(self.buckets):
            cell = self.buckets[bucket]
            if seen + cell.n >= rank:
                assert cell.lo is not None and cell.hi is not None
                j = rank - seen
                if j == 1 or cell.n == 1:
                    return cell.lo
                if j == cell.n:
                    return cell.hi
                return cell.lo + (cell.hi - cell.lo) * (j - 1) / (cell.n - 1)
            seen += cell.n
        raise AssertionError("rank past the last bucket")


def histograms(cells: dict[tuple[str, int, datetime | None], Cell]) -> dict[str, Histogram]:
    out: dict[str, Histogram] = defaultdict(Histogram)
    for (key, bucket, _hour), cell in cells.items():
        out[key].buckets[bucket].add(cell.n, cell.lo, cell.hi)
    return out


@dataclass(frozen=True)
class Percentiles:
    values: dict[int, float | None]  # percentile → seconds
    n: int


def percentiles(cells: Cells, ps: Sequence[int]) -> dict[str, Percentiles]:
    """key → the percentiles `ps` of its histogram (cells of a duration figure)."""
    return {key: Percentiles({p: h.percentile(p) for p in ps}, h.n) for key, h in histograms(cells).items()}


def stored_percentiles(cells: Cells, ps: Sequence[int]) -> dict[str, Percentiles]:
    """key → the percentiles `ps` as stored (cells of `percentile_figure(name)` for one hour or
    day: bucket = the percentile, n = the histogram's count, lo = the value)."""
    values: dict[str, dict[int, float | None]] = defaultdict(dict)
    counts: dict[str, int] = {}
    for (key, p, _hour), cell in cells.items():
        values[key][p] = cell.lo
        counts[key] = cell.n
    return {key: Percentiles({p: values[key].get(p) for p in ps}, counts[key]) for key in values}
