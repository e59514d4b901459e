"""Drafts in every labelled state, built through the services (enqueue → score → route → review)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from reviewqueue.intake import routing
from reviewqueue.review import services
from reviewqueue.review.models import Decision, Draft, ItemState, Queue, ReviewItem
from tests.factories import World, make_draft
from tests.web.helpers import stored_score


def scored_draft(
    world: World,
    *,
    raw: float = 0.7,
    model: str = "m1",
    fusion: str = "f1",
    prompt_version: str = "faq-v3",
    queue: Queue | None = None,
    now: datetime | None = None,
) -> Draft:
    now = now or timezone.now()
    metadata = {"intent": "warranty", "generator_model": "gpt-4o-mini", "prompt_version": prompt_version}
    draft = make_draft(world, now=now, queue=queue, metadata=metadata)
    versions = {"model": model, "fusion": fusion, "calibrator": "c1"}
    score = stored_score(
        raw_score=raw, confidence=raw, features={"nli_support": raw, "guardrail_hits": 0.0}, versions=versions
    )
    routing.draft_record_score(draft_id=draft.pk, score=score, confidence=raw, versions=versions, now=now)
    return Draft.objects.get(pk=draft.pk)


def routed(world: World, decision: str, *, queue: Queue | None = None, now: datetime | None = None, **kw: Any) -> Draft:
    """A scored draft routed with `decision` (auto-sent and blocked drafts are decided at once)."""
    now = now or timezone.now()
    draft = scored_draft(world, queue=queue, now=now, **kw)
    routed = routing.draft_route(
        draft_id=draft.pk,
        decision=decision,
        reasons=["test"],
        queue=queue or world.queue,
        priority=0.5,
        now=now,
        versions=draft.versions,
    )
    assert routed is not None
    return Draft.objects.get(pk=draft.pk)


def open_item(draft: Draft, *, audit: bool = False) -> ReviewItem:
    return ReviewItem.objects.get(draft=draft, state=ItemState.PENDING, audit_probability__isnull=not audit)


def lease(item: ReviewItem, user: User, now: datetime) -> None:
    """Hand `user` the lease on a pending item (claim-next would pick by priority among many)."""
    ReviewItem.objects.filter(pk=item.pk).update(
        state=ItemState.CLAIMED, lease_owner=user, lease_expires_at=now + timedelta(minutes=1), claimed_at=now
    )


def resolve(item: ReviewItem, user: User, disposition: str, *, now: datetime | None = None, **kw: Any) -> ReviewItem:
    now = now or timezone.now()
    lease(item, user, now)
    if disposition == "escalated":
        return services.review_item_escalate(
            user=user, item_id=item.pk, target_queue_id=kw["to"].pk, note="over to you", now=now
        )
    if disposition == "rejected":
        kw.setdefault("reason_code", "factually_wrong")
    return services.review_item_submit(user=user, item_id=item.pk, disposition=disposition, now=now, **kw)


def held(world: World, *, decision: str = Decision.QUEUE_FOR_REVIEW, **kw: Any) -> ReviewItem:
    return open_item(routed(world, decision, **kw))
