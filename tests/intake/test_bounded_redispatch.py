"""The backlog stays bounded after an outage (issue 15): a draft is sent again only when its
earlier scoring message can no longer be pending: never published, the publish failed, a worker
took it, or it expired (the message carries the expiry, and a worker drops it unrun after it).

Before: with the worker down 100 s and 200 drafts waiting the queue grew to 600 messages, and
recovery ran 581 no-op tasks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from reviewqueue.intake import expiry, sweeps
from reviewqueue.review.models import Draft
from tests.api.broker import broker, purge_scoring_messages, scoring_messages
from tests.conftest import T0
from tests.factories import make_draft, make_world

EXPIRES = settings.REVIEWQUEUE_DISPATCH_EXPIRES_SECONDS


def test_enqueue_records_until_when_its_message_may_be_pending(world, clock):
    draft = make_draft(world)
    assert draft.dispatch_expires_at == T0 + timedelta(seconds=EXPIRES)


@pytest.mark.parametrize(("after", "moves"), [(EXPIRES - 1, False), (EXPIRES, False), (EXPIRES + 1, True)])
def test_a_published_draft_is_sent_again_only_after_its_message_expired(
    world, clock, django_capture_on_commit_callbacks, after, moves
):
    draft = make_draft(world)  # published at T0 (its message expires at T0 + EXPIRES)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        # Every earlier sweep round, as beat runs them, finds nothing to send.
        for second in range(61, after, 60):
            assert sweeps.redispatch_sweep(now=T0 + timedelta(seconds=second)).moved == 0
        result = sweeps.redispatch_sweep(now=T0 + timedelta(seconds=after))
    assert result.moved == (1 if moves else 0)
    assert len(callbacks) == (1 if moves else 0)
    draft.refresh_from_db()
    if moves:
        assert draft.dispatch_expires_at == T0 + timedelta(seconds=after + EXPIRES)


def test_a_draft_a_worker_took_is_sent_again_after_the_usual_delay(world, clock, django_capture_on_commit_callbacks):
    # The worker was killed mid-task: its message is gone from the queue, so do not wait for expiry.
    draft = make_draft(world)
    expiry.draft_dispatch_taken(draft_id=draft.pk)
    with django_capture_on_commit_callbacks(execute=False):
        assert sweeps.redispatch_sweep(now=T0 + timedelta(seconds=60)).moved == 0
        assert sweeps.redispatch_sweep(now=T0 + timedelta(seconds=61)).moved == 1


def test_waiting_drafts_do_not_fill_the_sweeps_batch(world, clock, django_capture_on_commit_callbacks):
    # Older drafts whose messages are pending must not starve a newer one whose publish failed.
    for _ in range(3):
        make_draft(world, now=T0 - timedelta(seconds=10))
    failed = make_draft(world)
    Draft.objects.filter(pk=failed.pk).update(dispatch_expires_at=None)
    with django_capture_on_commit_callbacks(execute=False):
        result = sweeps.redispatch_sweep(now=T0 + timedelta(seconds=61), batch=1)
    assert result.moved == 1
    failed.refresh_from_db()
    assert failed.dispatch_attempts == 1


@pytest.mark.slow
@pytest.mark.skipif(not str(settings.CELERY_BROKER_URL).startswith("redis://"), reason="needs a Redis broker")
@pytest.mark.django_db(transaction=True)
def test_after_a_worker_outage_the_broker_holds_one_message_per_draft():
    """Fault test: the worker is down (nothing consumes), beat's re-dispatch sweep keeps running
    every 60 s for 5 minutes; each draft still has exactly one message, which carries its expiry."""
    import redis

    drafts = 20
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    stale = set(client.lrange("scoring", 0, -1))
    world = make_world()
    with broker(settings.CELERY_BROKER_URL):
        ids = [make_draft(world).pk for _ in range(drafts)]  # published on commit
        start = timezone.now()
        moved = sum(
            sweeps.redispatch_sweep(now=start + timedelta(seconds=second)).moved for second in range(61, 301, 60)
        )
    try:
        counts = [len(scoring_messages(client, pk, ignore=stale)) for pk in ids]
        print(f"worker down 300 s, {drafts} drafts: re-dispatched {moved}, messages per draft {set(counts)}")
        assert moved == 0
        assert counts == [1] * drafts
        import base64
        import json

        raw, _ = scoring_messages(client, ids[0], ignore=stale)[0]
        expires = json.loads(raw)["headers"]["expires"]
        assert expires == Draft.objects.get(pk=ids[0]).dispatch_expires_at.isoformat()
        assert base64.b64decode(json.loads(raw)["body"])  # a real Celery message
    finally:
        for pk in ids:
            purge_scoring_messages(client, pk, ignore=stale)
