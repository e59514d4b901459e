"""The intake timer: drafts stuck before routing go to the scoring queue again.

Short, idempotent, bounded per run and safe to overlap: each draft is claimed for re-dispatch
with a compare-and-swap (`services.draft_redispatch`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from reviewqueue.intake import services
from reviewqueue.intake.expiry import no_message_pending
from reviewqueue.review.models import UNROUTED, Draft
from reviewqueue.sweeping import SweepResult, log_sweep, move_each


def redispatch_sweep(*, now: datetime, batch: int | None = None) -> SweepResult:
    stale_before = now - timedelta(seconds=settings.REVIEWQUEUE_REDISPATCH_AFTER_SECONDS)
    # Index: draft_unrouted_created (partial on the unrouted statuses). A draft left `scored`
    # means routing failed after scoring (a crash, a database error): it is sent again too.
    # Drafts whose message may still be pending are left out here, not only in the service's
    # compare-and-swap, so a worker outage's waiting drafts cannot fill every batch.
    ids = list(
        Draft.objects.filter(no_message_pending(now), status__in=UNROUTED, created_at__lt=stale_before)
        .order_by("created_at")
        .values_list("pk", flat=True)[: batch or settings.REVIEWQUEUE_SWEEP_BATCH]
    )
    moved = move_each(ids, lambda pk: services.draft_redispatch(draft_id=pk, now=now, stale_before=stale_before))
    log_sweep("draft.sweep.redispatch", ids, moved)
    return SweepResult(len(ids), moved)
