"""16 reviewers racing over 500 items on real PostgreSQL, with leases lapsing mid-review.

Real threads, each with its own database connection, and real time (time_machine cannot span
threads): the queue has the shortest lease the schema allows (5 s) and a few reviewers sleep
past it. The event log is then replayed to prove that no item was ever held by two reviewers at
once, none was lost, and every one was resolved exactly once.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import pytest
from django.db import connection
from django.utils import timezone

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.errors import InvalidState, LeaseLost
from reviewqueue.review import services
from reviewqueue.review.models import (
    OPEN_STATES,
    Decision,
    Draft,
    DraftStatus,
    ItemState,
    ReviewItem,
)
from tests.factories import make_queue, make_user, make_world

ITEMS = 500
WORKERS = 16
LAPSERS = 4  # workers that sleep past their lease once
LEASE_SECONDS = 5  # the schema's minimum (queue_positive_timers)
RESOLUTIONS = {"review.approved", "review.edited", "review.rejected"}


@dataclass
class Tally:
    claims: int = 0
    resolved: int = 0
    released: int = 0
    lapsed: int = 0
    refused: int = 0
    errors: list[BaseException] = field(default_factory=list)


def _seed(world, queue, now: datetime) -> None:
    """Routed drafts with pending items, in bulk: the same rows the services would write."""
    drafts = Draft.objects.bulk_create(
        Draft(
            tenant=world.tenant,
            client=world.client,
            idempotency_key=f"race-{i}",
            fingerprint=f"{i:064x}",
            question="Is it covered?",
            text=f"Draft answer {i}.",
            status=DraftStatus.ROUTED,
            decision=Decision.QUEUE_FOR_REVIEW,
            created_at=now,
            scored_at=now,
            routed_at=now,
        )
        for i in range(ITEMS)
    )
    rng = random.Random(7)
    items = ReviewItem.objects.bulk_create(
        # Few distinct priorities, so many claimers race for the same head of the queue.
        ReviewItem(draft=d, queue=queue, priority=rng.choice([0.2, 0.5, 0.9]), created_at=now, due_at=now + queue.sla)
        for d in drafts
    )
    ReviewEvent.objects.bulk_create(
        ReviewEvent(
            draft_id=i.draft_id,
            item=i,
            type="review.created",
            to_state="pending",
            created_at=now,
            data={"queue": queue.name},
        )
        for i in items
    )


def _work(index: int, user, barrier: threading.Barrier, tally: Tally, lock: threading.Lock) -> None:
    rng = random.Random(index)
    lapse_on_claim = 2 if index < LAPSERS else None
    mine = Tally()
    try:
        barrier.wait(timeout=30)
        while True:
            item = services.review_item_claim_next(user=user, now=timezone.now())
            if item is None:
                if not ReviewItem.objects.filter(state__in=OPEN_STATES).exists():
                    break
                time.sleep(0.05)  # the rest are leased by sleepers; they lapse soon
                continue
            mine.claims += 1
            if mine.claims == lapse_on_claim:
                mine.lapsed += 1
                time.sleep(LEASE_SECONDS + 0.3)
                # Refused either way: lease lost, or (if a re-claimer already finished it) wrong state.
                for action in (services.review_item_heartbeat, services.review_item_release):
                    try:
                        action(user=user, item_id=item.pk, now=timezone.now())
                    except (LeaseLost, InvalidState):
                        mine.refused += 1
                try:
                    services.review_item_submit(user=user, item_id=item.pk, disposition="approved", now=timezone.now())
                except (LeaseLost, InvalidState):
                    mine.refused += 1
                continue
            roll = rng.random()
            if roll < 0.05:
                services.review_item_release(user=user, item_id=item.pk, now=timezone.now())
                mine.released += 1
                continue
            if roll < 0.2:
                services.review_item_heartbeat(user=user, item_id=item.pk, now=timezone.now())
            disposition, extra = rng.choice(
                [
                    ("approved", {}),
                    ("edited", {"final_text": "Edited answer."}),
                    ("rejected", {"reason_code": "off_policy"}),
                ]
            )
            services.review_item_submit(
                user=user, item_id=item.pk, disposition=disposition, now=timezone.now(), **extra
            )
            mine.resolved += 1
    except BaseException as exc:
        mine.errors.append(exc)
    finally:
        connection.close()
        with lock:
            for name in ("claims", "resolved", "released", "lapsed", "refused"):
                setattr(tally, name, getattr(tally, name) + getattr(mine, name))
            tally.errors.extend(mine.errors)


def _replay(events: list[ReviewEvent]) -> None:
    """Walk one item's history in commit order and check every lease against the next event."""
    holder: tuple[int, datetime] | None = None  # (owner id, lease expiry)
    resolved = 0
    for e in events:
        if e.type == "review.claimed":
            assert holder is None, f"item {e.item_id}: claimed by {e.actor_id} while held by {holder}"
            holder = (e.actor_id, datetime.fromisoformat(e.data["lease_expires_at"]))
            assert resolved == 0, f"item {e.item_id}: claimed after it was resolved"
        elif e.type == "review.lease.expired":
            assert holder is not None and e.data["owner_id"] == holder[0]
            assert e.created_at >= holder[1], f"item {e.item_id}: lease of {holder} ended early at {e.created_at}"
            holder = None
        elif e.type == "review.released" or e.type in RESOLUTIONS:
            assert holder is not None and e.actor_id == holder[0], f"item {e.item_id}: {e.type} by a non-holder"
            assert e.created_at < holder[1], f"item {e.item_id}: {e.type} after the lease lapsed"
            holder = None
            resolved += e.type in RESOLUTIONS
    assert resolved == 1, f"item {events[0].item_id} resolved {resolved} times"


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_sixteen_claimers_over_five_hundred_items_with_lapsing_leases():
    world = make_world()
    queue = make_queue(world.tenant, "race", lease_seconds=LEASE_SECONDS, sla_minutes=60, reject_reasons=["off_policy"])
    users = [
        make_user(f"racer{i}-{world.tenant.pk}", world.tenant, groups=[queue.reviewer_group]) for i in range(WORKERS)
    ]
    _seed(world, queue, timezone.now())

    tally, lock = Tally(), threading.Lock()
    barrier = threading.Barrier(WORKERS)
    threads = [threading.Thread(target=_work, args=(i, u, barrier, tally, lock)) for i, u in enumerate(users)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a claimer hung"
    assert not tally.errors, tally.errors
    elapsed = time.monotonic() - started

    # None lost, every one resolved exactly once.
    items = ReviewItem.objects.filter(queue=queue)
    assert items.count() == ITEMS
    assert Counter(items.values_list("state", flat=True)) == {ItemState.RESOLVED: ITEMS}
    assert not items.filter(lease_owner__isnull=False).exists()
    assert Draft.objects.filter(client=world.client, status=DraftStatus.DECIDED).count() == ITEMS
    events = ReviewEvent.objects.filter(item__queue=queue).order_by("id")
    assert events.filter(type__in=RESOLUTIONS).count() == ITEMS == tally.resolved
    assert ReviewEvent.objects.filter(draft__client=world.client, type="draft.decided").count() == ITEMS

    # The lapsed leases were refused to their sleepers and re-claimed by someone, without a sweeper.
    assert tally.lapsed == LAPSERS
    assert tally.refused == 3 * LAPSERS  # heartbeat, release and submit each refused
    expired = events.filter(type="review.lease.expired")
    assert expired.count() == LAPSERS
    assert set(expired.values_list("data__detected_by", flat=True)) == {"claim"}
    assert events.filter(type="review.claimed").count() == tally.claims == ITEMS + tally.released + LAPSERS

    # No item was ever held by two reviewers at once: replay each item's log in commit order.
    by_item: dict[int, list[ReviewEvent]] = defaultdict(list)
    for event in events.exclude(type="review.created"):
        by_item[event.item_id].append(event)
    assert len(by_item) == ITEMS
    for history in by_item.values():
        _replay(history)

    # Fair share: every claimer did some of the work (SKIP LOCKED kept them from queueing on one row).
    per_reviewer = Counter(events.filter(type__in=RESOLUTIONS).values_list("actor_id", flat=True))
    assert len(per_reviewer) == WORKERS
    assert elapsed < 60, f"took {elapsed:.0f}s"
