"""The timers: short, idempotent, bounded per run and safe to overlap.

Each selects overdue rows by an indexed deadline column and moves them one by one through the
transition service, whose compare-and-swap skips rows another sweep (or a claimer) already moved.
The database, not a cache lock, prevents double work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from reviewqueue.review import services
from reviewqueue.review.models import OPEN_STATES, UNROUTED, Draft, ItemState, Queue, ReviewItem

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    examined: int
    moved: int

    def __str__(self) -> str:
        return f"examined {self.examined}, moved {self.moved}"


def lease_sweep(*, now: datetime, batch: int | None = None) -> SweepResult:
    # Index: item_claimed_lease (partial on state='claimed').
    ids = list(
        ReviewItem.objects.filter(state=ItemState.CLAIMED, lease_expires_at__lte=now)
        .order_by("lease_expires_at")
        .values_list("pk", flat=True)[: batch or settings.REVIEWQUEUE_SWEEP_BATCH]
    )
    moved = _each(ids, lambda pk: services.review_item_lapse(item_id=pk, now=now))
    _log("review.sweep.lease", ids, moved)
    return SweepResult(len(ids), moved)


def sla_sweep(*, now: datetime, batch: int | None = None) -> tuple[SweepResult, SweepResult]:
    """Breaches first (they change what the user receives), then warnings."""
    limit = batch or settings.REVIEWQUEUE_SWEEP_BATCH
    fraction = settings.REVIEWQUEUE_SLA_WARNING_FRACTION
    # Index: item_open_due (partial on open states).
    breached = list(
        ReviewItem.objects.filter(state__in=OPEN_STATES, due_at__lte=now)
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    expired = _each(breached, lambda pk: services.review_item_expire(item_id=pk, now=now))
    # Warning time is created + fraction × (due − created), and due − created is the queue's SLA,
    # so per SLA length an item is due for its warning once due_at <= now + (1 − fraction) × SLA.
    # Filtering on that in SQL (one range on item_open_due per distinct SLA) keeps a batch of
    # earlier-due items of a shorter SLA, not yet at their warning time, from starving the rest;
    # the service re-checks exactly.
    window = Q(pk__in=[])
    for minutes in Queue.objects.values_list("sla_minutes", flat=True).distinct():
        window |= Q(queue__sla_minutes=minutes, due_at__lte=now + timedelta(minutes=minutes) * (1 - fraction))
    candidates = list(
        ReviewItem.objects.filter(window, state__in=OPEN_STATES, sla_warned_at__isnull=True, due_at__gt=now)
        .select_related("queue")
        .order_by("due_at")[:limit]
    )
    warn_ids = [item.pk for item in candidates if now >= item.warning_at(fraction)]
    warned = _each(warn_ids, lambda pk: services.review_item_warn(item_id=pk, now=now, warning_fraction=fraction))
    _log("review.sweep.sla", breached, expired)
    return SweepResult(len(breached), expired), SweepResult(len(warn_ids), warned)


def redispatch_sweep(*, now: datetime, batch: int | None = None) -> SweepResult:
    stale_before = now - timedelta(seconds=settings.REVIEWQUEUE_REDISPATCH_AFTER_SECONDS)
    # Index: draft_unrouted_created (partial on the unrouted statuses). A draft left `scored`
    # means routing failed after scoring (a crash, a database error): it is sent again too.
    # Drafts whose message may still be pending are left out here, not only in the service's
    # compare-and-swap, so a worker outage's waiting drafts cannot fill every batch.
    ids = list(
        Draft.objects.filter(services.no_message_pending(now), status__in=UNROUTED, created_at__lt=stale_before)
        .order_by("created_at")
        .values_list("pk", flat=True)[: batch or settings.REVIEWQUEUE_SWEEP_BATCH]
    )
    moved = _each(ids, lambda pk: services.draft_redispatch(draft_id=pk, now=now, stale_before=stale_before))
    _log("draft.sweep.redispatch", ids, moved)
    return SweepResult(len(ids), moved)


def _each(ids: list[int], move: Callable[[int], bool]) -> int:
    """Move each row; one row that fails is logged and skipped, never the rest of the run."""
    moved = 0
    for pk in ids:
        try:
            moved += bool(move(pk))
        except Exception:
            logger.exception("sweep could not move row %s", pk, extra={"action": "sweep.row_failed", "row_id": pk})
    return moved


def _log(action: str, ids: list[int], moved: int) -> None:
    if ids:
        logger.info(
            "%s: examined %d, moved %d",
            action,
            len(ids),
            moved,
            extra={"action": action, "examined": len(ids), "moved": moved},
        )
