"""Labelled and routed drafts for the calibration tests, built through the services."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from reviewqueue.intake import routing
from reviewqueue.review import services
from reviewqueue.review.models import Decision, Draft, Queue
from tests.factories import World, make_draft, make_pending_item

VERSIONS = {"scorer": "test", "model": "m@1", "fusion": "f@1", "calibrator": "live-cal"}


def score(raw: float, confidence: float, *, versions: dict[str, str] | None = None) -> dict[str, Any]:
    """A stored score the router can read back (ScoreResult.to_dict shape): no claims, no
    guardrail hits, verified, so only the thresholds decide."""
    return {
        "logprob_signals": None,
        "claims": [],
        "guardrail_hits": [],
        "features": {},
        "raw_score": raw,
        "confidence": confidence,
        "risk": 0.5,
        "verification_status": "complete",
        "versions": dict(versions or VERSIONS),
        "timings_ms": {},
        "errors": [],
    }


def labelled(
    world: World,
    *,
    raw: float,
    confidence: float,
    good: bool,
    now: datetime | None = None,
    queue: Queue | None = None,
    versions: dict[str, str] | None = None,
    handled: timedelta = timedelta(minutes=1),
    **overrides: Any,
) -> Draft:
    """A draft routed to review, then approved (good) or rejected (bad) by the reviewer, who
    took `handled` from claim to decision."""
    now = now or timezone.now()
    item = make_pending_item(world, now=now, queue=queue, **overrides)
    Draft.objects.filter(pk=item.draft_id).update(
        score=score(raw, confidence, versions=versions), confidence=confidence, scored_at=now
    )
    claimed = services.review_item_claim_next(user=world.reviewer, now=now)
    assert claimed is not None and claimed.pk == item.pk
    if good:
        services.review_item_submit(user=world.reviewer, item_id=item.pk, disposition="approved", now=now + handled)
    else:
        services.review_item_submit(
            user=world.reviewer,
            item_id=item.pk,
            disposition="rejected",
            reason_code="factually_wrong",
            now=now + handled,
        )
    return Draft.objects.get(pk=item.draft_id)


def auto_sent(world: World, *, raw: float, confidence: float, now: datetime | None = None) -> Draft:
    now = now or timezone.now()
    draft = make_draft(world, now=now)
    routing.draft_record_score(
        draft_id=draft.pk, score=score(raw, confidence), confidence=confidence, versions=VERSIONS, now=now
    )
    routing.draft_route(
        draft_id=draft.pk, decision=Decision.AUTO_SEND, reasons=["test"], queue=world.queue, priority=0.1, now=now
    )
    return Draft.objects.get(pk=draft.pk)


def label_set(world: World, n_good: int, n_bad: int, *, now: datetime | None = None) -> None:
    """Good drafts score high, bad ones low, with overlap in the middle; live confidences are
    overconfident (raw + 0.2), so a fit has something to correct."""
    for n in range(n_good):
        raw = 0.45 + 0.5 * n / max(n_good - 1, 1)
        labelled(world, raw=raw, confidence=min(1.0, raw + 0.2), good=True, now=now)
    for n in range(n_bad):
        raw = 0.05 + 0.5 * n / max(n_bad - 1, 1)
        labelled(world, raw=raw, confidence=min(1.0, raw + 0.2), good=False, now=now)
