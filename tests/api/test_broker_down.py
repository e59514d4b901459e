"""A draft enqueued while the broker is unreachable is accepted, then re-dispatched and routed."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.intake import sweeps as intake_sweeps
from reviewqueue.intake.worker import score_draft
from reviewqueue.review.models import DraftStatus, ItemState, ReviewItem
from tests.api.broker import broker, scoring_messages
from tests.api.conftest import service_client
from tests.factories import draft_body, make_world

UNREACHABLE = "redis://127.0.0.1:1/0"

pytestmark = pytest.mark.skipif(
    not str(settings.CELERY_BROKER_URL).startswith("redis://"), reason="needs a Redis broker (CELERY_BROKER_URL)"
)


@pytest.mark.django_db(transaction=True)
def test_enqueue_while_broker_down_is_accepted_then_redispatched(caplog):
    import redis

    world = make_world()
    redis_client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    stale = set(redis_client.lrange("scoring", 0, -1))
    with broker(UNREACHABLE):
        started = time.monotonic()
        response = service_client(world.api_key).post(
            "/api/v1/drafts", draft_body(), format="json", HTTP_IDEMPOTENCY_KEY="while-down"
        )
        elapsed = time.monotonic() - started
    assert response.status_code == 201, response.content
    assert elapsed < 3, f"enqueue waited {elapsed:.1f}s on a dead broker"
    draft_id = response.json()["id"]
    from reviewqueue.review.models import Draft

    draft = Draft.objects.get(pk=draft_id)
    assert draft.status == DraftStatus.RECEIVED and draft.dispatch_attempts == 0
    assert scoring_messages(redis_client, draft_id, ignore=stale) == []
    failed = [r for r in caplog.records if getattr(r, "action", None) == "draft.dispatch.failed"]
    assert [r.draft_id for r in failed] == [draft_id]

    # Before the re-dispatch delay nothing happens; after it, the draft is really published.
    with broker(settings.CELERY_BROKER_URL):
        assert intake_sweeps.redispatch_sweep(now=timezone.now()).moved == 0
        later = timezone.now() + timedelta(seconds=settings.REVIEWQUEUE_REDISPATCH_AFTER_SECONDS + 1)
        assert intake_sweeps.redispatch_sweep(now=later).moved == 1
    messages = scoring_messages(redis_client, draft_id, ignore=stale)
    assert len(messages) == 1, "the re-dispatch did not reach the `scoring` queue"
    raw, args = messages[0]
    # Take the message off the queue and run it, as a worker would (a real worker test exists too).
    assert redis_client.lrem("scoring", 1, raw) == 1
    score_draft.apply(args=args).get()

    draft.refresh_from_db()
    assert draft.dispatch_attempts == 1
    assert draft.dispatch_expires_at is None  # the worker took the message: none is pending
    assert draft.scored_at is not None and draft.decision  # scored, then routed by the policy
    assert draft.status in (DraftStatus.ROUTED, DraftStatus.DECIDED)
    if draft.status == DraftStatus.ROUTED:
        item = ReviewItem.objects.get(draft=draft)
        assert item.state == ItemState.PENDING and item.queue == world.queue  # the tenant's default queue
    types = list(ReviewEvent.objects.filter(draft=draft).order_by("id").values_list("type", flat=True))
    assert types[:2] == ["draft.received", "draft.redispatched"]
    assert "draft.routed" in types
    assert "draft.scored" in types or "draft.scoring_failed" in types
