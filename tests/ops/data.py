"""One constructed day on the world's `billing` queue (SLA 60 min, warning at 80 %), with every
figure the SLA page and /metrics should show worked out by hand. T0 is the clock's instant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from reviewqueue.intake import routing
from reviewqueue.review import services
from reviewqueue.review.models import ReviewItem
from tests.conftest import T0
from tests.factories import World, make_draft, make_pending_item

MIN = timedelta(minutes=1)
US = timedelta(microseconds=1)
DAY = timedelta(hours=24)


@dataclass
class Day:
    a: ReviewItem  # due exactly at T0 − 24 h: just outside the 24 h window; breached
    b: ReviewItem  # due 1 µs after T0 − 24 h: just inside; breached
    c: ReviewItem  # enqueued T0 − 120 min, claimed +5 min, approved +15 min
    d: ReviewItem  # enqueued T0 − 90 min, claimed +10 min, edited +40 min
    e: ReviewItem  # enqueued T0 − 60 min: due exactly at T0, still open (missed, not swept)
    f: ReviewItem  # enqueued T0 − 59 min: due T0 + 1 min, at risk


def build_day(world: World, t0: datetime = T0) -> Day:
    world.queue.lease_seconds = 3600  # long enough that nobody needs a heartbeat here
    world.queue.save(update_fields=["lease_seconds"])
    a = make_pending_item(world, now=t0 - DAY - 60 * MIN)
    b = make_pending_item(world, now=t0 - DAY - 60 * MIN + US)
    assert services.review_item_expire(item_id=a.pk, now=a.due_at)
    assert services.review_item_expire(item_id=b.pk, now=b.due_at)
    c = make_pending_item(world, now=t0 - 120 * MIN)
    claimed = services.review_item_claim_next(user=world.reviewer, now=t0 - 115 * MIN)
    assert claimed is not None and claimed.pk == c.pk
    services.review_item_submit(user=world.reviewer, item_id=c.pk, disposition="approved", now=t0 - 105 * MIN)
    d = make_pending_item(world, now=t0 - 90 * MIN)
    claimed = services.review_item_claim_next(user=world.other_reviewer, now=t0 - 80 * MIN)
    assert claimed is not None and claimed.pk == d.pk
    services.review_item_submit(
        user=world.other_reviewer, item_id=d.pk, disposition="edited", final_text="Edited.", now=t0 - 50 * MIN
    )
    e = make_pending_item(world, now=t0 - 60 * MIN)
    f = make_pending_item(world, now=t0 - 59 * MIN)
    # A scoring failure 2 s after enqueue (the draft is never routed).
    failed = make_draft(world, now=t0 - 30 * MIN)
    routing.draft_record_score(
        draft_id=failed.pk,
        score=None,
        confidence=None,
        versions={},
        now=t0 - 30 * MIN + 2 * timedelta(seconds=1),
        failed=True,
        error="verifier down",
    )
    for item in (a, b, c, d, e, f):
        item.refresh_from_db()
    return Day(a, b, c, d, e, f)
