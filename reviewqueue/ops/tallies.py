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


def _first_claim() -> Subquery:
    return Subquery(
        ReviewEvent.objects.filter(item=OuterRef("pk"), type=EventType.REVIEW_CLAIMED)
        .order_by("created_at", "id")
        .values("created_at")[:1]
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
        lambda: (
            ReviewItem.objects.annotate(first_claim=_first_claim())
            .filter(first_claim__isnull=False)
            .annotate(f_seconds=Seconds("first_claim", "created_at"))
        ),
        "created_at",
        "queue__tenant_id",
        F("queue_id"),
        seconds="f_seconds",
    ),
    Figure("sla.handling", _resolved, "resolved_at", "queue__tenant_id", F("queue_id"), seconds="f_seconds"),
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
COLUMNS = ("f_figure", "f_tag", "f_tenant", "f_hour", "f_key", "f_bucket", "f_n", "f_lo", "f_hi")


def direct(figure: Figure, *, where: Q, tenant_ids: Sequence[int] | None, tag: str, by_hour: bool) -> QuerySet[Any]:
    """The figure computed from the review tables over the rows `where` selects (a range of the
    figure's timestamp), grouped by key and bucket (and hour when `by_hour`)."""
    rows = figure.rows().filter(where)
    if tenant_ids is not None:
        rows = rows.filter(**{f"{figure.tenant}__in": list(tenant_ids)})
    rows = rows.annotate(
        f_figure=Value(figure.name, output_field=CharField()),
        f_tag=Value(tag, output_field=CharField()),
        f_tenant=F(figure.tenant),
        f_hour=TruncHour(figure.at, tzinfo=UTC) if by_hour else Cast(Value(None), DateTimeField()),
        f_key=_text(figure.key),
        f_bucket=_hist_bucket(figure.seconds) if figure.seconds else figure.bucket,
    )
    measures: dict[str, Any]
    if figure.seconds:
        measures = {"f_n": Count("pk"), "f_lo": Min(figure.seconds), "f_hi": Max(figure.seconds)}
    else:
        nothing = Cast(Value(None), FloatField())
        measures = {"f_n": Count("pk", distinct=True), "f_lo": nothing, "f_hi": nothing}
    grouped: QuerySet[Any] = rows.order_by().values(*COLUMNS[:6]).annotate(**measures).values_list(*COLUMNS)
    return grouped


def _watermark() -> Subquery:
    return Subquery(RollupState.objects.order_by("pk").values("rolled_until")[:1])


def _floor_hour(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Window:
    """A window (start, end] as read by `read`, under a tag so one statement can read several."""

    tag: str
    start: datetime
    end: datetime


def _stored(rows: QuerySet[Tally], tag: str, keys: Sequence[str] | None, by_hour: bool) -> QuerySet[Any]:
    if keys is not None:
        rows = rows.filter(key__in=list(keys))
    grouped: QuerySet[Any] = (
        rows.order_by()
        .annotate(
            f_figure=F("figure"),
            f_tag=Value(tag, output_field=CharField()),
            f_tenant=F("tenant_id"),
            f_hour=F("start") if by_hour else Cast(Value(None), DateTimeField()),
            f_key=F("key"),
            f_bucket=F("bucket"),
        )
        .values(*COLUMNS[:6])
        .annotate(f_n=Sum("n"), f_lo=Min("lo"), f_hi=Max("hi"))
        .values_list(*COLUMNS)
    )
    return grouped


def _parts(
    figure: Figure, window: Window, tenant_ids: Sequence[int], keys: Sequence[str] | None, by_hour: bool
) -> list[QuerySet[Any]]:
    """The stored days and hours of the window, and the rest computed directly. `by_hour`
    reads hours only (the caller wants each hour); otherwise whole UTC days come from day rows."""
    first = _floor_hour(window.start) + HOUR  # the first hour that starts after `start`
    last = _floor_hour(window.end)  # hours before it end at or before `end`
    rolled = Coalesce(_watermark(), Value(first))
    # Stored hours are those in [first, min(last, rolled)); of them, the whole days from the
    # first day boundary at or after `first` to the last one at or before that end.
    day_from = first if first == first.replace(hour=0) else first.replace(hour=0) + 24 * HOUR
    day_to = TruncDay(Least(Value(last), rolled), tzinfo=UTC)
    tally = Tally.objects.filter(tenant_id__in=list(tenant_ids), figure=figure.name)
    hours = tally.filter(hours=1, start__gte=first, start__lt=last).filter(start__lt=rolled)
    parts = []
    if by_hour:
        parts.append(_stored(hours, window.tag, keys, by_hour))
    else:
        parts.append(_stored(hours.filter(Q(start__lt=day_from) | Q(start__gte=day_to)), window.tag, keys, by_hour))
        days = tally.filter(hours=24, start__gte=day_from).filter(start__lt=day_to)
        parts.append(_stored(days, window.tag, keys, by_hour))
    at = figure.at
    # The rest: the partial first hour, and from the first hour not rolled (or `last`) to `end`.
    # Both are plain ranges of the figure's indexed timestamp (the second one's lower bound,
    # max(first, min(last, rolled)), is computed once by the database), so each is an index
    # range scan over at most a few hours, never the window.
    unrolled_from = Greatest(Value(first), Least(Value(last), rolled))
    rest = Q(**{f"{at}__gt": window.start, f"{at}__lt": first, f"{at}__lte": window.end}) | Q(
        **{f"{at}__gte": unrolled_from, f"{at}__lte": window.end}
    )
    parts.append(direct(figure, where=rest, tenant_ids=tenant_ids, tag=window.tag, by_hour=by_hour))
    return parts


@dataclass
class Cell:
    n: int = 0
    lo: float | None = None
    hi: float | None = None

    def add(self, n: int, lo: float | None, hi: float | None) -> None:
        self.n += n
        if lo is not None:
            self.lo = lo if self.lo is None else min(self.lo, lo)
        if hi is not None:
            self.hi = hi if self.hi is None else max(self.hi, hi)


# (tag, figure) → (key, bucket, hour or None) → cell
Tallies = dict[tuple[str, str], dict[tuple[str, int, datetime | None], Cell]]


def read(
    *,
    figures: Iterable[str],
    windows: Iterable[Window],
    tenant_ids: Sequence[int],
    keys: Sequence[str] | None = None,
    by_hour: bool = False,
) -> Tallies:
    """The named figures over each window, for the tenants (and only `keys`, if given), in one
    query: stored hours and the rest computed directly, merged per key and bucket."""
    out: Tallies = defaultdict(lambda: defaultdict(Cell))
    if not tenant_ids:
        return out
    parts: list[QuerySet[Any]] = []
    for window in windows:
        for name in figures:
            parts.extend(_parts(FIGURES[name], window, tenant_ids, keys, by_hour))
    query = parts[0].union(*parts[1:], all=True)
    for figure, tag, _tenant, hour, key, bucket, n, lo, hi in query:
        if hour is not None:
            hour = hour.astimezone(UTC) if hour.tzinfo else hour.replace(tzinfo=UTC)
        out[(tag, figure)][(key, bucket, hour)].add(n, lo, hi)
    return out


def computed_hours(*, start: datetime, end: datetime) -> list[tuple[Any, ...]]:
    """Every figure of every tenant for the hours in [start, end), computed directly, as rows of
    `COLUMNS` (what `ops.rollups` stores)."""
    where_for = {name: Q(**{f"{figure.at}__gte": start, f"{figure.at}__lt": end}) for name, figure in FIGURES.items()}
    parts = [
        direct(figure, where=where_for[name], tenant_ids=None, tag="", by_hour=True) for name, figure in FIGURES.items()
    ]
    return list(parts[0].union(*parts[1:], all=True))


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
