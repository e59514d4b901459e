"""Reads for the ops pages and /metrics. Nothing here writes.

Every figure is read from the database at request time (no cache, no in-process counter), so
every web process answers the same: the floor and the breach rows from the review tables, the
windowed figures through `ops.tallies` (stored hourly tallies for the whole hours already rolled
up, the same queries run directly for the rest of the window).
"""

from __future__ import annotations

import difflib
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet

from reviewqueue.audit.events import EventType
from reviewqueue.audit.models import ReviewEvent
from reviewqueue.errors import NotFound
from reviewqueue.ops import tallies
from reviewqueue.policy.models import RoutingPolicyVersion
from reviewqueue.review.models import ItemState, Queue, ReviewItem
from reviewqueue.review.selectors import QueueStats, queue_stats
from reviewqueue.tenancy.models import Membership, Role

# The windows the SLA page offers, by their name in the URL (`?range=7d`).
RANGES: dict[str, timedelta] = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
DEFAULT_RANGE = "24h"
BREACH_HISTORY_LIMIT = 200
PERCENTILES = tallies.PERCENTILES


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


# The floor lists at most this many claimed items per page: at 1M items thousands are claimed at
# once, and a page of every one of them (each with its release form) is neither readable nor fast.
FLOOR_HELD_PAGE_SIZE = 50


@dataclass(frozen=True)
class Held:
    item_id: int
    queue: Queue
    owner: str
    held_for: timedelta | None
    lease_left: timedelta
    due_in: timedelta


@dataclass(frozen=True)
class Floor:
    stats: list[QueueStats]  # every queue of the lead's tenants
    queue: Queue | None  # the queue the claimed list is filtered to, None for all
    held: list[Held]  # one page of the claimed items, lapsed and soonest-lapsing leases first
    held_total: int  # claimed items in the listed queue(s), all pages
    page: int
    pages: int

    @property
    def first_shown(self) -> int:
        return (self.page - 1) * FLOOR_HELD_PAGE_SIZE + 1 if self.held else 0

    @property
    def last_shown(self) -> int:
        return (self.page - 1) * FLOOR_HELD_PAGE_SIZE + len(self.held)


def floor(
    *, queues: QuerySet[Queue], now: datetime, warning_fraction: float, queue_id: int | None = None, page: int = 1
) -> Floor:
    """Per queue: depth, oldest age, at risk, breached and claimed counts (one aggregate); and one
    page of the claimed items, of every queue or of `queue_id`, with their owner and lease left
    (one query: the partial `item_claimed_lease` index reads only the claimed rows, a top-N sort
    orders them; 4 ms for the 4,481 claimed of the 1M-item bench). Lapsed leases come first
    (the owner has gone and the sweep has not yet run: stuck), then the leases closest to lapsing.
    A page past the last is read as the last (items are released between two polls).
    NotFound for a `queue_id` that is not one of `queues`."""
    stats = queue_stats(queues=queues, now=now, warning_fraction=warning_fraction)
    by_pk = {s.queue.pk: s.queue for s in stats}
    if queue_id is not None and queue_id not in by_pk:
        raise NotFound(f"Queue {queue_id} does not exist.")
    listed = [queue_id] if queue_id is not None else list(by_pk)
    total = sum(s.held for s in stats if s.queue.pk in listed)
    pages = max(1, math.ceil(total / FLOOR_HELD_PAGE_SIZE))
    page = min(max(page, 1), pages)
    start = (page - 1) * FLOOR_HELD_PAGE_SIZE
    rows = (
        ReviewItem.objects.filter(queue__in=listed, state=ItemState.CLAIMED)
        .order_by("lease_expires_at", "pk")
        .values_list("pk", "queue_id", "lease_owner__username", "claimed_at", "lease_expires_at", "due_at")
    )[start : start + FLOOR_HELD_PAGE_SIZE]
    held = []
    for pk, qid, owner, claimed_at, expires, due in rows:
        assert expires is not None  # claimed ⇔ lease set (item_claimed_iff_lease)
        held.append(Held(pk, by_pk[qid], owner, now - claimed_at if claimed_at else None, expires - now, due - now))
    return Floor(stats, by_pk.get(queue_id) if queue_id is not None else None, held, total, page, pages)


# --- SLA ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attainment:
    queue: Queue
    due: int  # items whose SLA deadline fell in the window
    met: int  # … of which resolved before the deadline

    @property
    def share(self) -> float | None:
        return self.met / self.due if self.due else None


def _tenants_and_keys(queues: Sequence[Queue]) -> tuple[list[int], list[str]]:
    return sorted({q.tenant_id for q in queues}), [str(q.pk) for q in queues]


def _window(now: datetime, span: timedelta) -> list[tallies.Window]:
    return [tallies.Window("", now - span, now)]


def sla_attainment(*, queues: Iterable[Queue], now: datetime, span: timedelta) -> list[Attainment]:
    """Share resolved within SLA, per queue, over the items whose deadline fell in (now − span,
    now]. Counting by deadline counts every item once, whether a reviewer resolved it, the
    sweep expired it or it is still open past due (a breach the sweep has not yet reached)."""
    queue_list = list(queues)
    tenant_ids, keys = _tenants_and_keys(queue_list)
    read = tallies.read(figures=["sla.due", "sla.met"], windows=_window(now, span), tenant_ids=tenant_ids, keys=keys)
    due, met = tallies.counts(read[("", "sla.due")]), tallies.counts(read[("", "sla.met")])
    return [Attainment(q, due.get(str(q.pk), 0), met.get(str(q.pk), 0)) for q in queue_list]


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
    queue_list = list(queues)
    names = {q.pk: q.title or q.name for q in queue_list}
    # The rows are read newest first through the (type, created_at) index, stopping at `limit`;
    # the count comes from the tallies.
    events = ReviewEvent.objects.filter(
        type=EventType.REVIEW_SLA_BREACHED,
        item__queue__in=list(names),
        created_at__gt=now - span,
        created_at__lte=now,
    )
    tenant_ids, keys = _tenants_and_keys(queue_list)
    read = tallies.read(figures=["sla.breaches"], windows=_window(now, span), tenant_ids=tenant_ids, keys=keys)
    total = sum(tallies.counts(read[("", "sla.breaches")]).values())
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


def sla_latencies(*, queues: Iterable[Queue], now: datetime, span: timedelta) -> list[Latency]:
    """Per queue, p50/p90/p95 (from the hourly histograms, see `ops.tallies`) of
    - enqueue → first claim, over the items that entered the queue in the window and have been
      claimed (the first `review.claimed` event: a later re-claim after a lapse does not count);
    - claim → resolution, over the items resolved in the window (the claim that resolved it)."""
    queue_list = list(queues)
    tenant_ids, keys = _tenants_and_keys(queue_list)
    read = tallies.read(figures=LATENCY_FIGURES, windows=_window(now, span), tenant_ids=tenant_ids, keys=keys)
    first, handling = (tallies.percentiles(read[("", figure)], PERCENTILES) for figure in LATENCY_FIGURES)
    return latencies(queue_list, first, handling)


LATENCY_FIGURES = ["sla.first_claim", "sla.handling"]
NO_PERCENTILES = tallies.Percentiles(dict.fromkeys(PERCENTILES), 0)


def latencies(
    queues: Sequence[Queue], first_claim: dict[str, tallies.Percentiles], handling: dict[str, tallies.Percentiles]
) -> list[Latency]:
    """`sla_latencies` from the percentiles of its two figures per queue key (over the whole
    window, or a part of it)."""
    out = []
    for q in queues:
        f, h = first_claim.get(str(q.pk), NO_PERCENTILES), handling.get(str(q.pk), NO_PERCENTILES)
        out.append(Latency(q, f.values, f.n, h.values, h.n))
    return out


def window_range(value: str | None) -> tuple[str, timedelta]:
    """The window named in the URL, or the default one for a missing or unknown name."""
    name = value if value in RANGES else DEFAULT_RANGE
    return name, RANGES[name]


# --- reviewers --------------------------------------------------------------------------------

DISPOSITIONS = tallies.DISPOSITIONS


@dataclass(frozen=True)
class ReviewerLoad:
    username: str
    resolved: int
    dispositions: dict[str, int]
    handling_p50: float | None
    handling_p90: float | None
    lease_lapses: int
    releases: int  # given back by the reviewer
    force_released: int  # taken back by a lead

    def share(self, disposition: str) -> float | None:
        return self.dispositions[disposition] / self.resolved if self.resolved else None


@dataclass(frozen=True)
class TeamLoad:
    reviewers: list[ReviewerLoad]
    team: ReviewerLoad  # everyone together: the reference each reviewer is compared with

    def spread(self, disposition: str) -> tuple[float, float] | None:
        """Lowest and highest share of `disposition` among reviewers with resolved items."""
        shares = [s for r in self.reviewers if (s := r.share(disposition)) is not None]
        return (min(shares), max(shares)) if shares else None


def reviewer_load(*, queues: Iterable[Queue], now: datetime, span: timedelta) -> TeamLoad:
    """Per reviewer over the window: items resolved and how (approve / edit / reject / escalate),
    handling time (claim → resolution, nearest-rank), leases that lapsed on them, items they gave
    back and items a lead took back. Listed by name, not ranked: what matters is how far each is
    from the team (seed 004: variance across reviewers is the signal)."""
    queue_list = list(queues)
    tenant_ids = sorted({q.tenant_id for q in queue_list})
    window = _window(now, span)
    # Tallies are per tenant: a lead sees every queue of their tenants, so the figures of the
    # lead's tenants are the figures of these queues.
    items = events = tallies.read(
        figures=[
            "reviewer.resolved",
            "reviewer.handling",
            "reviewer.lapses",
            "reviewer.releases",
            "reviewer.force_released",
        ],
        windows=window,
        tenant_ids=tenant_ids,
    )
    by_id = tallies.categories(items[("", "reviewer.resolved")], DISPOSITIONS)
    handling_by_id = tallies.histograms(items[("", "reviewer.handling")])
    lapses = tallies.counts(events[("", "reviewer.lapses")])
    releases = tallies.counts(events[("", "reviewer.releases")])
    forced = tallies.counts(events[("", "reviewer.force_released")])
    user_ids = {int(k) for k in (*by_id, *lapses, *releases, *forced) if k}
    names = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "username")) if user_ids else {}
    resolved = {names[int(k)]: v for k, v in by_id.items() if k and int(k) in names}
    handling = {names[int(k)]: v for k, v in handling_by_id.items() if k and int(k) in names}
    by_name: dict[str, tuple[int, int, int]] = {}
    for pk, name in names.items():
        key = str(pk)
        if key in lapses or key in releases or key in forced:
            by_name[name] = (lapses.get(key, 0), releases.get(key, 0), forced.get(key, 0))
    everyone = sorted(set(resolved) | set(by_name))
    rows = []
    for name in everyone:
        counts = resolved[name] if name in resolved else dict.fromkeys(DISPOSITIONS, 0)
        lapsed, released, force = by_name.get(name, (0, 0, 0))
        own = handling.get(name)
        rows.append(
            ReviewerLoad(
                name,
                sum(counts.values()),
                counts,
                own.percentile(50) if own else None,
                own.percentile(90) if own else None,
                lapsed,
                released,
                force,
            )
        )
    team_handling = tallies.Histogram()
    for histogram in handling.values():
        for bucket, cell in histogram.buckets.items():
            team_handling.buckets[bucket].add(cell.n, cell.lo, cell.hi)
    team = ReviewerLoad(
        "team",
        sum(r.resolved for r in rows),
        {d: sum(r.dispositions[d] for r in rows) for d in DISPOSITIONS},
        team_handling.percentile(50),
        team_handling.percentile(90),
        sum(r.lease_lapses for r in rows),
        sum(r.releases for r in rows),
        sum(r.force_released for r in rows),
    )
    return TeamLoad(rows, team)


# --- routing ----------------------------------------------------------------------------------

# What the routing page can be cut by, as named in the URL (`?by=intent`).
DIMENSIONS: dict[str, str] = {
    "queue": "Queue",
    "intent": "Intent",
    "prompt_version": "Prompt version",
    "generator_model": "Generator model",
}
DEFAULT_DIMENSION = "queue"
DECISIONS = tallies.DECISIONS
NOT_SET = "(none)"


@dataclass(frozen=True)
class RoutingRow:
    key: str
    mix: dict[str, int]  # routing decision → drafts routed in the window
    reviewed: dict[str, int]  # disposition → held items resolved in the window
    scoring_p50: float | None
    scoring_p95: float | None
    scored: int
    scoring_failures: int

    @property
    def routed(self) -> int:
        return sum(self.mix.values())

    @property
    def resolved(self) -> int:
        return sum(self.reviewed.values())

    def mix_share(self, decision: str) -> float | None:
        return self.mix[decision] / self.routed if self.routed else None

    def review_share(self, disposition: str) -> float | None:
        return self.reviewed[disposition] / self.resolved if self.resolved else None

    @property
    def override_rate(self) -> float | None:
        """Held drafts a reviewer did not send unchanged (edited or rejected), over those
        approved, edited or rejected (escalations are counted apart)."""
        decided = self.reviewed["approved"] + self.reviewed["edited"] + self.reviewed["rejected"]
        return (self.reviewed["edited"] + self.reviewed["rejected"]) / decided if decided else None

    @property
    def escalation_rate(self) -> float | None:
        return self.review_share("escalated")


def routing_mix(*, tenant_ids: Sequence[int], now: datetime, span: timedelta, dimension: str) -> list[RoutingRow]:
    """Per value of `dimension` over the window: the routing mix (drafts routed in it), how
    reviewers resolved the held ones (items resolved in it: override and escalation rates),
    scoring latency (enqueue → scored, p50/p95 from the hourly histograms, drafts scored in it)
    and scoring failures (`draft.scoring_failed` events in it). Drafts are cut by queue by the
    queue their first review item was opened in (what routing chose)."""
    names = {figure: f"routing.{figure}.{dimension}" for figure in ("mix", "reviewed", "scoring", "failures")}
    read = tallies.read(figures=list(names.values()), windows=_window(now, span), tenant_ids=tenant_ids)

    def one(figure: str) -> tallies.Cells:
        return read[("", names[figure])]

    def named(values: dict[str, Any]) -> dict[str, Any]:
        # A value the rows do not have (NULL or "") is stored as "" and shown as NOT_SET.
        return {key or NOT_SET: value for key, value in values.items()}

    mix = named(tallies.categories(one("mix"), DECISIONS))
    reviewed = named(tallies.categories(one("reviewed"), DISPOSITIONS))
    latency = named(tallies.histograms(one("scoring")))
    failures = named(tallies.counts(one("failures")))
    keys = sorted(set(mix) | set(reviewed) | set(latency) | set(failures))
    return [
        RoutingRow(
            k,
            mix[k] if k in mix else dict.fromkeys(DECISIONS, 0),
            reviewed[k] if k in reviewed else dict.fromkeys(DISPOSITIONS, 0),
            latency[k].percentile(50) if k in latency else None,
            latency[k].percentile(95) if k in latency else None,
            latency[k].n if k in latency else 0,
            failures.get(k, 0),
        )
        for k in keys
    ]


@dataclass(frozen=True)
class MixBucket:
    start: datetime
    mix: dict[str, int]


def routing_mix_over_time(*, tenant_ids: Sequence[int], now: datetime, span: timedelta) -> list[MixBucket]:
    """The routing mix per hour (24 h window) or per day (longer), oldest first, empty buckets
    included so the time axis is even."""
    hourly = span <= timedelta(hours=24)
    step = timedelta(hours=1) if hourly else timedelta(days=1)
    figure = f"routing.mix.{DEFAULT_DIMENSION}"  # any cut of the mix: the hour is what counts here
    per = "hour" if hourly else "day"
    window = tallies.Window("", now - span, now, per=per)
    cells = tallies.read(figures=[figure], windows=[window], tenant_ids=tenant_ids)[("", figure)]
    counts: dict[datetime, dict[str, int]] = defaultdict(lambda: dict.fromkeys(DECISIONS, 0))
    for (_key, bucket, hour), cell in cells.items():
        assert hour is not None  # read per hour or day
        at = hour
        if 0 <= bucket < len(DECISIONS):
            counts[at][DECISIONS[bucket]] += cell.n
    first = (now - span).astimezone(UTC)
    first = (
        first.replace(minute=0, second=0, microsecond=0)
        if hourly
        else first.replace(hour=0, minute=0, second=0, microsecond=0)
    )
    buckets = []
    at = first
    while at <= now:
        buckets.append(MixBucket(at, counts[at] if at in counts else dict.fromkeys(DECISIONS, 0)))
        at += step
    return buckets


def item_for_lead(*, tenant_ids: Sequence[int], item_id: int) -> ReviewItem | None:
    """The item if it is in one of the lead's tenants (None otherwise: no existence leak)."""
    return (
        ReviewItem.objects.select_related("queue", "draft", "reviewer", "lease_owner")
        .filter(pk=item_id, queue__tenant_id__in=tenant_ids)
        .first()
    )


# --- drift ------------------------------------------------------------------------------------

# Population stability index of the confidence distribution, current window against the window
# before it, in ten equal bins on [0, 1]. The usual reading: < 0.1 stable, 0.1–0.2 moderate,
# ≥ 0.2 a shift worth acting on (recalibrate, look at the prompt or model change).
PSI_BINS = tallies.PSI_BINS
PSI_MODERATE = 0.1
PSI_SHIFT = 0.2
PSI_EMPTY = 1e-4  # the share used for a bin empty on one side only (ln 0 is undefined)
PSI_MIN_SAMPLE = 10  # fewer drafts than this in either window: too few to judge


def confidence_bins(values: Sequence[float]) -> list[int]:
    counts = [0] * PSI_BINS
    for v in values:
        counts[min(PSI_BINS - 1, max(0, int(v * PSI_BINS)))] += 1
    return counts


def psi(reference: Sequence[int], current: Sequence[int]) -> float | None:
    """Σ (c − r) · ln(c / r) over the bins, on shares; a bin empty on both sides adds nothing."""
    r_total, c_total = sum(reference), sum(current)
    if not r_total or not c_total:
        return None
    total = 0.0
    for r_n, c_n in zip(reference, current, strict=True):
        if not r_n and not c_n:
            continue
        r = r_n / r_total or PSI_EMPTY
        c = c_n / c_total or PSI_EMPTY
        total += (c - r) * math.log(c / r)
    return total


@dataclass(frozen=True)
class Drift:
    prompt_version: str
    generator_model: str
    reference: list[int]
    current: list[int]
    psi: float | None

    @property
    def enough(self) -> bool:
        return sum(self.reference) >= PSI_MIN_SAMPLE and sum(self.current) >= PSI_MIN_SAMPLE

    @property
    def level(self) -> str:
        if not self.enough or self.psi is None:
            return "too few"
        if self.psi >= PSI_SHIFT:
            return "shifted"
        return "moderate" if self.psi >= PSI_MODERATE else "stable"


def confidence_drift(*, tenant_ids: Sequence[int], now: datetime, span: timedelta) -> list[Drift]:
    """Per prompt version and generator model: the confidence of drafts scored in (now − span,
    now] against those scored in the span before it."""
    read = tallies.read(
        figures=["drift.confidence"],
        windows=[tallies.Window("reference", now - 2 * span, now - span), tallies.Window("current", now - span, now)],
        tenant_ids=tenant_ids,
    )
    windows: dict[tuple[str, str], tuple[list[int], list[int]]] = defaultdict(lambda: ([0] * PSI_BINS, [0] * PSI_BINS))
    for side, tag in ((0, "reference"), (1, "current")):
        for (key, bucket, _hour), cell in read[(tag, "drift.confidence")].items():
            prompt, _, model = key.partition(tallies.KEY_SEPARATOR)
            windows[(prompt or NOT_SET, model or NOT_SET)][side][bucket] += cell.n
    out = []
    for (prompt, model), (rb, cb) in sorted(windows.items()):
        out.append(Drift(prompt, model, rb, cb, psi(rb, cb)))
    return out


# --- routing policies -------------------------------------------------------------------------


def policy_versions(*, tenant_id: int) -> list[RoutingPolicyVersion]:
    """Every published version, newest first, with who published it. Versions are never edited,
    so this list is the audit trail of the tenant's routing policy."""
    return list(
        RoutingPolicyVersion.objects.filter(tenant_id=tenant_id)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def policy_text(config: dict[str, Any]) -> str:
    return json.dumps(config, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def policy_diff(old: RoutingPolicyVersion, new: RoutingPolicyVersion) -> list[tuple[str, str]]:
    """A unified diff of the two configs (sorted keys, one value per line), as (kind, line) with
    kind one of `add`, `del`, `hunk`, `ctx` for the template to mark up."""
    lines = difflib.unified_diff(
        policy_text(old.config).splitlines(),
        policy_text(new.config).splitlines(),
        fromfile=old.version,
        tofile=new.version,
        lineterm="",
    )
    out = []
    for line in lines:
        if line.startswith(("+++", "---")):
            kind = "file"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        else:
            kind = "ctx"
        out.append((kind, line))
    return out
