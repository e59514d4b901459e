"""Reads for the ops pages and /metrics. Nothing here writes.

Every figure is computed from the review tables at request time (no cache, no in-process
counter), so every web process answers the same.
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
from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDay, TruncHour

from reviewqueue.audit.events import EventType
from reviewqueue.audit.models import ReviewEvent
from reviewqueue.policy.models import RoutingPolicyVersion
from reviewqueue.review.models import Draft, ItemState, Queue, ReviewItem
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


def window_range(value: str | None) -> tuple[str, timedelta]:
    """The window named in the URL, or the default one for a missing or unknown name."""
    name = value if value in RANGES else DEFAULT_RANGE
    return name, RANGES[name]


# --- reviewers --------------------------------------------------------------------------------

DISPOSITIONS = ("approved", "edited", "rejected", "escalated")


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
    ids = [q.pk for q in queues]
    start = now - span
    resolved: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(DISPOSITIONS, 0))
    handling: dict[str, list[float]] = defaultdict(list)
    for username, disposition, claimed, done in ReviewItem.objects.filter(
        queue__in=ids, state=ItemState.RESOLVED, resolved_at__gt=start, resolved_at__lte=now
    ).values_list("reviewer__username", "disposition", "claimed_at", "resolved_at"):
        resolved[username][disposition] += 1
        if claimed is not None and done is not None:
            handling[username].append((done - claimed).total_seconds())
    # Lapses and lead take-backs name the owner in the event's data; releases are the actor's.
    lapses: dict[int, int] = defaultdict(int)
    forced: dict[int, int] = defaultdict(int)
    releases: dict[int, int] = defaultdict(int)
    for type_, actor_id, data in ReviewEvent.objects.filter(
        type__in=[EventType.REVIEW_LEASE_EXPIRED, EventType.REVIEW_RELEASED, EventType.REVIEW_FORCE_RELEASED],
        item__queue__in=ids,
        created_at__gt=start,
        created_at__lte=now,
    ).values_list("type", "actor_id", "data"):
        owner = (data or {}).get("owner_id")
        if type_ == EventType.REVIEW_RELEASED and actor_id is not None:
            releases[actor_id] += 1
        elif type_ == EventType.REVIEW_LEASE_EXPIRED and owner is not None:
            lapses[int(owner)] += 1
        elif type_ == EventType.REVIEW_FORCE_RELEASED and owner is not None:
            forced[int(owner)] += 1
    user_ids = set(lapses) | set(forced) | set(releases)
    names = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "username")) if user_ids else {}
    by_name: dict[str, tuple[int, int, int]] = {}
    for pk, name in names.items():
        by_name[name] = (lapses.get(pk, 0), releases.get(pk, 0), forced.get(pk, 0))
    everyone = sorted(set(resolved) | set(by_name))
    rows = []
    for name in everyone:
        counts = resolved[name] if name in resolved else dict.fromkeys(DISPOSITIONS, 0)
        lapsed, released, force = by_name.get(name, (0, 0, 0))
        rows.append(
            ReviewerLoad(
                name,
                sum(counts.values()),
                counts,
                percentile(handling[name], 50),
                percentile(handling[name], 90),
                lapsed,
                released,
                force,
            )
        )
    all_handling = [v for values in handling.values() for v in values]
    team = ReviewerLoad(
        "team",
        sum(r.resolved for r in rows),
        {d: sum(r.dispositions[d] for r in rows) for d in DISPOSITIONS},
        percentile(all_handling, 50),
        percentile(all_handling, 90),
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
DECISIONS = ("auto_send", "auto_draft_human_send", "queue_for_review", "block")
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


def _draft_key(dimension: str) -> str:
    # Drafts are cut by the queue their first review item was opened in (what routing chose);
    # a draft routed to no queue (auto-sent, blocked) has none.
    return "routed_queue" if dimension == "queue" else dimension


def _routed_queue() -> Subquery:
    return Subquery(
        ReviewItem.objects.filter(draft=OuterRef("pk"), escalated_from__isnull=True)
        .order_by("id")
        .values("queue__name")[:1]
    )


def routing_mix(*, tenant_ids: Sequence[int], now: datetime, span: timedelta, dimension: str) -> list[RoutingRow]:
    """Per value of `dimension` over the window: the routing mix (drafts routed in it), how
    reviewers resolved the held ones (items resolved in it: override and escalation rates),
    scoring latency (enqueue → scored, nearest-rank p50/p95, drafts scored in it) and scoring
    failures (`draft.scoring_failed` events in it)."""
    start = now - span
    drafts = Draft.objects.filter(tenant_id__in=tenant_ids)
    if dimension == "queue":
        drafts = drafts.annotate(routed_queue=_routed_queue())
    key = _draft_key(dimension)
    mix: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(DECISIONS, 0))
    for value, decision, n in (
        drafts.filter(routed_at__gt=start, routed_at__lte=now)
        .exclude(decision="")
        .values(key, "decision")
        .annotate(n=Count("id"))
        .values_list(key, "decision", "n")
    ):
        mix[value or NOT_SET][decision] += n
    item_key = "queue__name" if dimension == "queue" else f"draft__{dimension}"
    reviewed: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(DISPOSITIONS, 0))
    for value, disposition, n in (
        ReviewItem.objects.filter(
            queue__tenant_id__in=tenant_ids, state=ItemState.RESOLVED, resolved_at__gt=start, resolved_at__lte=now
        )
        .values(item_key, "disposition")
        .annotate(n=Count("id"))
        .values_list(item_key, "disposition", "n")
    ):
        reviewed[value or NOT_SET][disposition] += n
    latency: dict[str, list[float]] = defaultdict(list)
    for value, created, scored in drafts.filter(scored_at__gt=start, scored_at__lte=now).values_list(
        key, "created_at", "scored_at"
    ):
        if scored is not None:
            latency[value or NOT_SET].append((scored - created).total_seconds())
    failures: dict[str, int] = defaultdict(int)
    event_key = "draft__" + ("review_items__queue__name" if dimension == "queue" else dimension)
    for value, n in (
        ReviewEvent.objects.filter(
            type=EventType.DRAFT_SCORING_FAILED,
            draft__tenant_id__in=tenant_ids,
            created_at__gt=start,
            created_at__lte=now,
        )
        .values(event_key)
        .annotate(n=Count("id", distinct=True))
        .values_list(event_key, "n")
    ):
        failures[value or NOT_SET] += n
    keys = sorted(set(mix) | set(reviewed) | set(latency) | set(failures))
    return [
        RoutingRow(
            k,
            mix[k] if k in mix else dict.fromkeys(DECISIONS, 0),
            reviewed[k] if k in reviewed else dict.fromkeys(DISPOSITIONS, 0),
            percentile(latency.get(k, []), 50),
            percentile(latency.get(k, []), 95),
            len(latency.get(k, [])),
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
    trunc = TruncHour("routed_at", tzinfo=UTC) if hourly else TruncDay("routed_at", tzinfo=UTC)
    counts: dict[datetime, dict[str, int]] = defaultdict(lambda: dict.fromkeys(DECISIONS, 0))
    for bucket, decision, n in (
        Draft.objects.filter(tenant_id__in=tenant_ids, routed_at__gt=now - span, routed_at__lte=now)
        .exclude(decision="")
        .annotate(bucket=trunc)
        .values("bucket", "decision")
        .annotate(n=Count("id"))
        .values_list("bucket", "decision", "n")
    ):
        counts[bucket][decision] += n
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
PSI_BINS = 10
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
    start, ref_start = now - span, now - 2 * span
    windows: dict[tuple[str, str], tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for prompt, model, confidence, scored in Draft.objects.filter(
        tenant_id__in=tenant_ids, scored_at__gt=ref_start, scored_at__lte=now, confidence__isnull=False
    ).values_list("prompt_version", "generator_model", "confidence", "scored_at"):
        if confidence is None or scored is None:
            continue
        windows[(prompt or NOT_SET, model or NOT_SET)][0 if scored <= start else 1].append(confidence)
    out = []
    for (prompt, model), (ref, cur) in sorted(windows.items()):
        rb, cb = confidence_bins(ref), confidence_bins(cur)
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
