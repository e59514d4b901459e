"""Reads for the ops pages and /metrics. Nothing here writes.

Every figure is computed from the review tables at request time (no cache, no in-process
counter), so every web process answers the same.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db.models import Count, F, Min, Q, QuerySet

from reviewqueue.audit.events import EventType
from reviewqueue.review.models import ItemState, Queue, ReviewEvent, ReviewItem
from reviewqueue.review.selectors import QueueStats, queue_stats
from reviewqueue.tenancy.models import Membership, Role

# The windows the SLA page offers, by their name in the URL (`?range=7d`).
RANGES: dict[str, timedelta] = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
DEFAULT_RANGE = "24h"
BREACH_HISTORY_LIMIT = 200
PERCENTILES = (50, 90, 95)


def lead_tenant_ids(user: User) -> list[int]:
    return list(
        Membership.objects.filter(user=user, role=Role.LEAD).order_by("tenant_id").values_list("tenant_id", flat=True)
    )


def queues_for_tenants(tenant_ids: Sequence[int]) -> QuerySet[Queue]:
    """Every queue of the lead's tenants, whatever reviewer groups the lead is in."""
    return Queue.objects.filter(tenant_id__in=tenant_ids).select_related("tenant").order_by("tenant__slug", "name")


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least p % of the values at or below
    it (PostgreSQL's percentile_disc). None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


# --- the floor now --------------------------------------------------------------------------


@dataclass(frozen=True)
class Held:
    item_id: int
    owner: str
    held_for: timedelta | None
    lease_left: timedelta
    due_in: timedelta


@dataclass(frozen=True)
class FloorRow:
    stats: QueueStats
    held: list[Held]


def floor(*, queues: QuerySet[Queue], now: datetime, warning_fraction: float) -> list[FloorRow]:
    """Per queue: depth, oldest age, at risk, breached (one aggregate), and the claimed items with
    their owner and lease left (one query). A lease that has lapsed but not yet been swept is
    shown with a negative lease left: the next claim takes it over."""
    stats = queue_stats(queues=queues, now=now, warning_fraction=warning_fraction)
    held: dict[int, list[Held]] = defaultdict(list)
    rows = (
        ReviewItem.objects.filter(queue__in=[s.queue.pk for s in stats], state=ItemState.CLAIMED)
        .order_by("lease_expires_at")
        .values_list("pk", "queue_id", "lease_owner__username", "claimed_at", "lease_expires_at", "due_at")
    )
    for pk, queue_id, owner, claimed_at, expires, due in rows:
        assert expires is not None  # claimed ⇔ lease set (item_claimed_iff_lease)
        held[queue_id].append(Held(pk, owner, now - claimed_at if claimed_at else None, expires - now, due - now))
    return [FloorRow(s, held.get(s.queue.pk, [])) for s in stats]


# --- SLA ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attainment:
    queue: Queue
    due: int  # items whose SLA deadline fell in the window
    met: int  # … of which resolved before the deadline

    @property
    def share(self) -> float | None:
        return self.met / self.due if self.due else None


def sla_attainment(*, queues: Iterable[Queue], now: datetime, span: timedelta) -> list[Attainment]:
    """Share resolved within SLA, per queue, over the items whose deadline fell in (now − span,
    now]. Counting by deadline counts every item once, whether a reviewer resolved it, the
    sweep expired it or it is still open past due (a breach the sweep has not yet reached)."""
    queue_list = list(queues)
    rows = {
        row["queue_id"]: row
        for row in ReviewItem.objects.filter(
            queue__in=[q.pk for q in queue_list], due_at__gt=now - span, due_at__lte=now
        )
        .values("queue_id")
        .annotate(
            due=Count("id"),
            met=Count("id", filter=Q(state=ItemState.RESOLVED, resolved_at__lt=F("due_at"))),
        )
    }
    return [
        Attainment(q, rows[q.pk]["due"], rows[q.pk]["met"]) if q.pk in rows else Attainment(q, 0, 0) for q in queue_list
    ]


@dataclass(frozen=True)
class Breach:
    at: datetime
    item_id: int
    draft_id: int
    queue: str
    fallback_action: str
    from_state: str


def breach_history(
    *, queues: Iterable[Queue], now: datetime, span: timedelta, limit: int = BREACH_HISTORY_LIMIT
) -> tuple[list[Breach], int]:
    """The `review.sla.breached` events of the window, newest first (at most `limit`), and how
    many there were. Events are never deleted, so a breach stays visible after the sweep."""
    names = {q.pk: q.title or q.name for q in queues}
    events = ReviewEvent.objects.filter(
        type=EventType.REVIEW_SLA_BREACHED,
        item__queue__in=list(names),
        created_at__gt=now - span,
        created_at__lte=now,
    )
    total = events.count()
    rows = events.order_by("-created_at", "-id").values_list(
        "created_at", "item_id", "draft_id", "item__queue_id", "data", "from_state"
    )[:limit]
    breaches = [
        Breach(at, item_id, draft_id, names[queue_id], str((data or {}).get("fallback_action", "")), from_state)
        for at, item_id, draft_id, queue_id, data, from_state in rows
    ]
    return breaches, total


@dataclass(frozen=True)
class Latency:
    queue: Queue
    to_first_claim: dict[int, float | None]  # percentile → seconds
    first_claim_n: int
    handling: dict[int, float | None]
    handling_n: int


def _percentiles(values: Sequence[float]) -> dict[int, float | None]:
    return {p: percentile(values, p) for p in PERCENTILES}


def sla_latencies(*, queues: Iterable[Queue], now: datetime, span: timedelta) -> list[Latency]:
    """Per queue, p50/p90/p95 of
    - enqueue → first claim, over the items that entered the queue in the window and have been
      claimed (the first `review.claimed` event: a later re-claim after a lapse does not count);
    - claim → resolution, over the items resolved in the window (the claim that resolved it)."""
    queue_list = list(queues)
    ids = [q.pk for q in queue_list]
    first: dict[int, list[float]] = defaultdict(list)
    for queue_id, created, first_claim in (
        ReviewItem.objects.filter(queue__in=ids, created_at__gt=now - span, created_at__lte=now)
        .annotate(first_claim=Min("events__created_at", filter=Q(events__type=EventType.REVIEW_CLAIMED)))
        .filter(first_claim__isnull=False)
        .values_list("queue_id", "created_at", "first_claim")
    ):
        first[queue_id].append((first_claim - created).total_seconds())
    handling: dict[int, list[float]] = defaultdict(list)
    for queue_id, claimed, resolved in ReviewItem.objects.filter(
        queue__in=ids,
        state=ItemState.RESOLVED,
        resolved_at__gt=now - span,
        resolved_at__lte=now,
        claimed_at__isnull=False,
    ).values_list("queue_id", "claimed_at", "resolved_at"):
        if claimed is not None and resolved is not None:  # both, by the filter and the constraint
            handling[queue_id].append((resolved - claimed).total_seconds())
    return [
        Latency(
            q,
            _percentiles(first[q.pk]),
            len(first[q.pk]),
            _percentiles(handling[q.pk]),
            len(handling[q.pk]),
        )
        for q in queue_list
    ]
