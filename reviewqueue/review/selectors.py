"""Reads. Nothing here writes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q, QuerySet

from reviewqueue.audit.events import EventType
from reviewqueue.audit.models import ReviewEvent
from reviewqueue.compiled_reads import CompiledRead
from reviewqueue.errors import Forbidden, NotFound
from reviewqueue.review.models import OPEN_STATES, Decision, Draft, ItemState, Queue, ReviewItem
from reviewqueue.review.visibility import item_visible_check
from reviewqueue.tenancy.models import Membership, ServiceClient

AnyUser = User | AnonymousUser


def queues_for_user(user: AnyUser) -> QuerySet[Queue]:
    """Queues whose reviewer group the user is in: the only queues they may see and claim."""
    if not user.is_authenticated:
        return Queue.objects.none()
    # Both the queue's group and a membership in its tenant: revoking the membership must end
    # access even if the group was left behind (item_for_user checks the tenant the same way).
    return (
        Queue.objects.filter(reviewer_group__user=user, tenant__memberships__user=user)
        .select_related("tenant")
        .order_by("tenant__slug", "name")
    )


def routing_queue(draft: Draft) -> Queue | None:
    """The queue routing sends the draft to: the one the service named, else the tenant's default.
    Its settings (SLA, audit share) apply to the draft even when it is auto-sent and no item opens."""
    if draft.requested_queue_id is not None:
        return draft.requested_queue
    return Queue.objects.filter(tenant_id=draft.tenant_id, is_default=True).first()


def _queues_for_claim(user_id: int) -> QuerySet[Queue]:
    others = User.objects.filter(
        is_active=True, groups=OuterRef("reviewer_group"), memberships__tenant=OuterRef("tenant")
    ).exclude(pk=user_id)
    return queues_for_user(User(pk=user_id)).select_related(None).order_by().annotate(others_can_claim=Exists(others))


# Compiled once per process: building and compiling this queryset was most of claim-next's queue
# read (1.5 of 1.8 ms of CPU; compiled_reads).
_QUEUES_FOR_CLAIM = CompiledRead(_queues_for_claim, user_id=int)


_DRAFT_BY_ID = CompiledRead(lambda draft_id: Draft.objects.filter(pk=draft_id), draft_id=int)


def draft_by_id(draft_id: int) -> Draft:
    """The draft, for a caller that already holds a row pointing at it (claim-next's item);
    compiled once, as claim-next runs it on every claim."""
    draft = next(iter(_DRAFT_BY_ID(draft_id=draft_id)), None)
    if draft is None:
        raise Draft.DoesNotExist(f"Draft {draft_id} does not exist.")
    return draft


def queues_for_claim(user: AnyUser) -> Iterable[Queue]:
    """The user's queues as claim-next reads them: unordered, without the tenant the listing
    pages join, each with `others_can_claim`: whether another active reviewer of the queue (in
    its group, with a membership in its tenant) could take an item from it."""
    if not user.is_authenticated:
        return []
    return _QUEUES_FOR_CLAIM(user_id=user.pk)


def _same_tenant(user: AnyUser, tenant_id: int) -> bool:
    return Membership.objects.filter(user=user, tenant_id=tenant_id).exists() if user.is_authenticated else False


def item_for_user(*, user: AnyUser, item_id: int, for_update: bool = False) -> ReviewItem:
    """The item if the user may act on it: 404 across tenants (no existence leak), 403 within."""
    qs = ReviewItem.objects.select_related("queue", "draft")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    item = qs.filter(pk=item_id).first()
    if item is None or not _same_tenant(user, item.queue.tenant_id):
        raise NotFound(f"Review item {item_id} does not exist.")
    if not user.groups.filter(pk=item.queue.reviewer_group_id).exists():
        raise Forbidden("You are not a reviewer in this item's queue.")
    # The packages built on review may hide an item further (double review's blind second look).
    item_visible_check(item=item, user=user)
    return item


def lease_lapsed_on(*, item: ReviewItem, user: AnyUser) -> bool:
    """Whether the item's last lease event is `user`'s lease lapsing: it is pending again because
    the lease sweep (or a claim) found their lease expired, not because they released it or
    never held it. The review page then says "your lease lapsed", not "you do not hold this item".
    One indexed read (event_draft_time narrows by draft; few events per item)."""
    if not user.is_authenticated:
        return False
    lease_events = (EventType.REVIEW_CLAIMED, EventType.REVIEW_LEASE_EXPIRED, EventType.REVIEW_RELEASED)
    last = (
        ReviewEvent.objects.filter(draft_id=item.draft_id, item=item, type__in=lease_events)
        .order_by("-id")
        .values_list("type", "data")
        .first()
    )
    if last is None or last[0] != EventType.REVIEW_LEASE_EXPIRED or not isinstance(last[1], dict):
        return False
    return bool(last[1].get("owner_id") == user.pk)


def draft_for_client(*, client: ServiceClient, draft_id: int) -> Draft:
    draft = (
        Draft.objects.filter(pk=draft_id, tenant_id=client.tenant_id)
        .select_related("tenant")
        .prefetch_related("review_items__reviewer", "review_items__queue")
        .first()
    )
    if draft is None:
        raise NotFound(f"Draft {draft_id} does not exist.")
    return draft


@dataclass(frozen=True)
class DraftPage:
    drafts: list[Draft]
    next_after: tuple[datetime, int] | None  # the position to continue after, on the last page None


def drafts_for_client(
    *,
    client: ServiceClient,
    limit: int,
    status: str | None = None,
    decision: str | None = None,
    idempotency_key: str | None = None,
    queue: Queue | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    after: tuple[datetime, int] | None = None,
) -> DraftPage:
    """The client's tenant's drafts, newest first (created_at, then id), after the cursor position
    `after`. Keyset pagination on draft_tenant_recent (tenant, -created_at): a page costs the same
    however deep it is, and drafts arriving meanwhile neither repeat nor skip one. Two queries
    per page: the drafts, and their review items with queue and reviewer."""
    qs = Draft.objects.filter(tenant_id=client.tenant_id)
    if status is not None:
        qs = qs.filter(status=status)
    if decision is not None:
        qs = qs.filter(decision=decision)
    if idempotency_key is not None:
        qs = qs.filter(idempotency_key=idempotency_key)
    if queue is not None:
        qs = qs.filter(Exists(ReviewItem.objects.filter(draft=OuterRef("pk"), queue=queue)))
    if created_after is not None:
        qs = qs.filter(created_at__gte=created_after)
    if created_before is not None:
        qs = qs.filter(created_at__lt=created_before)
    if after is not None:
        at, pk = after
        qs = qs.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    items = ReviewItem.objects.select_related("queue", "reviewer")
    rows = list(
        qs.order_by("-created_at", "-pk").prefetch_related(Prefetch("review_items", queryset=items))[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return DraftPage(drafts=rows, next_after=(rows[-1].created_at, rows[-1].pk) if more else None)


def latest_item(draft: Draft) -> ReviewItem | None:
    """The draft's current review, as its service sees it: the last item of its review chain. A
    blind audit item is internal quality control of an answer already sent, not the draft's review."""
    items = sorted(
        (i for i in draft.review_items.all() if i.audit_probability is None), key=lambda i: (i.created_at, i.pk)
    )
    return items[-1] if items else None


class FollowUp(models.TextChoices):
    """What became of the follow-up a blocked draft's fallback may promise (queue setting
    `follow_up_on_block`). Not stored: read from the draft's items (the latest follow-up one)."""

    NONE = "none", "Blocked without a follow-up: the fallback is the whole answer"
    PENDING = "pending", "A follow-up review item is open"
    SENT = "sent", "A reviewer sent the follow-up"
    MISSED = "missed", "The follow-up item passed its SLA unanswered"


def follow_up_status(draft: Draft) -> str | None:
    """The follow-up of a blocked draft, or None for a draft that was not blocked. Uses the
    prefetched `review_items` when there are (draft_for_client, drafts_for_client)."""
    if draft.decision != Decision.BLOCK:
        return None
    item = latest_item_where(draft, follow_up=True)
    if item is None:
        return FollowUp.NONE
    if item.state in OPEN_STATES:
        return FollowUp.PENDING
    return FollowUp.SENT if item.state == ItemState.RESOLVED else FollowUp.MISSED


def latest_item_where(draft: Draft, *, follow_up: bool) -> ReviewItem | None:
    items = sorted(
        (i for i in draft.review_items.all() if i.follow_up == follow_up), key=lambda i: (i.created_at, i.pk)
    )
    return items[-1] if items else None


@dataclass(frozen=True)
class QueueStats:
    queue: Queue
    depth: int
    claimed: int
    oldest_age: timedelta | None
    near_breach: int
    breached: int
    # Items in the claimed state, lapsed leases included (the sweep has not yet returned them):
    # what the ops floor lists and can force-release. `claimed` counts the live leases only.
    held: int


def queue_stats(*, queues: QuerySet[Queue], now: datetime, warning_fraction: float) -> list[QueueStats]:
    """Depth, oldest age, near-breach and breached counts per queue, in one aggregate query."""
    queue_list = list(queues)
    # "Near breach" is past the warning fraction of the SLA; the warning time of an item is
    # created + fraction × SLA, so compare per queue with the queue's SLA.
    near_breach = Q(pk__in=[])
    for queue in queue_list:
        near_breach |= Q(queue_id=queue.pk, due_at__lte=now + queue.sla * (1 - warning_fraction))
    rows = {
        row["queue_id"]: row
        for row in ReviewItem.objects.filter(queue__in=[q.pk for q in queue_list], state__in=OPEN_STATES)
        .values("queue_id")
        .annotate(
            depth=Count("id"),
            claimed=Count("id", filter=Q(state=ItemState.CLAIMED, lease_expires_at__gt=now)),
            held=Count("id", filter=Q(state=ItemState.CLAIMED)),
            oldest=Min("created_at"),
            breached=Count("id", filter=Q(due_at__lte=now)),
            near=Count("id", filter=Q(due_at__gt=now) & near_breach),
        )
    }
    stats = []
    for queue in queue_list:
        row = rows.get(queue.pk)
        if row is None:
            stats.append(QueueStats(queue, 0, 0, None, 0, 0, 0))
            continue
        stats.append(
            QueueStats(
                queue, row["depth"], row["claimed"], now - row["oldest"], row["near"], row["breached"], row["held"]
            )
        )
    return stats


def item_events(item: ReviewItem) -> QuerySet[ReviewEvent]:
    return ReviewEvent.objects.filter(draft_id=item.draft_id).select_related("actor").order_by("created_at", "id")


def queue_for_user(*, user: AnyUser, queue_id: int) -> Queue:
    """A queue the user reviews: 404 across tenants (no existence leak), 403 within."""
    queue = queues_for_user(user).filter(pk=queue_id).first()
    if queue is not None:
        return queue
    tenant_id = Queue.objects.filter(pk=queue_id).values_list("tenant_id", flat=True).first()
    if tenant_id is None or not _same_tenant(user, tenant_id):
        raise NotFound(f"Queue {queue_id} does not exist.")
    raise Forbidden("You are not a reviewer in this queue.")


# The queue view's filters (web/forms.QueueItemsFilter): item states and SLA risk.
STATE_FILTERS: dict[str, tuple[str, ...]] = {
    "open": tuple(OPEN_STATES),
    "pending": (ItemState.PENDING,),
    "claimed": (ItemState.CLAIMED,),
    "resolved": (ItemState.RESOLVED,),
    "expired": (ItemState.EXPIRED,),
}
QUEUE_ITEMS_LIMIT = 100


def queue_items(
    *,
    queue: Queue,
    now: datetime,
    warning_fraction: float,
    state: str = "open",
    risk: str = "",
    intent: str = "",
    older_than: timedelta | None = None,
    limit: int = QUEUE_ITEMS_LIMIT,
) -> list[ReviewItem]:
    """A page of one queue's items for the queue view, filtered; open items most urgent first
    (earliest due), closed ones newest first. `risk` is the SLA state of open items: `ok`,
    `warning` (past the warning fraction: the floor's "near breach") or `breached` (past due).
    One query, with the draft and the lease owner."""
    qs = ReviewItem.objects.filter(queue=queue, state__in=STATE_FILTERS[state])
    at_risk_from = now + queue.sla * (1 - warning_fraction)
    if risk == "ok":
        qs = qs.filter(state__in=OPEN_STATES, due_at__gt=at_risk_from)
    elif risk == "warning":
        qs = qs.filter(state__in=OPEN_STATES, due_at__gt=now, due_at__lte=at_risk_from)
    elif risk == "breached":
        qs = qs.filter(state__in=OPEN_STATES, due_at__lte=now)
    if intent:
        qs = qs.filter(draft__intent=intent)
    if older_than is not None:
        qs = qs.filter(created_at__lte=now - older_than)
    order = ("due_at", "id") if set(STATE_FILTERS[state]) <= set(OPEN_STATES) else ("-created_at", "-id")
    return list(qs.select_related("draft", "lease_owner").order_by(*order)[:limit])


def queue_intents(queue: Queue) -> list[str]:
    """The intents of the queue's open items, for the intent filter's suggestions.
    Index: item_pending_queue_order / item_open_due narrow to open items."""
    rows = (
        ReviewItem.objects.filter(queue=queue, state__in=OPEN_STATES)
        .exclude(draft__intent="")
        .values_list("draft__intent", flat=True)
        .distinct()
    )
    return sorted(rows)


def linked_items(item: ReviewItem) -> list[ReviewItem]:
    """The draft's other review items (where it was escalated from or to, a follow-up), oldest
    first, with their queues."""
    return list(
        ReviewItem.objects.filter(draft_id=item.draft_id)
        .exclude(pk=item.pk)
        .select_related("queue", "lease_owner")
        .order_by("created_at", "id")
    )


def claimable(item: ReviewItem, *, queue_ids: set[int], now: datetime) -> bool:
    """Whether `review_item_claim` would lease the item now to a reviewer of `queue_ids` who does
    not hold it (pages offer the button only then; the service decides again under its lock)."""
    if item.queue_id not in queue_ids or now >= item.due_at:
        return False
    if item.state == ItemState.PENDING:
        return True
    return item.state == ItemState.CLAIMED and not item.lease_is_live(now)
