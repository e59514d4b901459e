"""Stuck drafts after scoring, a failing row in a sweep, queue validation, intake without a queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.intake import expiry, routing
from reviewqueue.intake import sweeps as intake_sweeps
from reviewqueue.review import services, sweeps
from reviewqueue.review.models import Draft, FallbackAction, Queue, ReviewItem
from tests.factories import make_draft, make_pending_item, make_queue


def test_redispatch_picks_up_a_draft_scored_but_never_routed(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.REVIEWQUEUE_REDISPATCH_AFTER_SECONDS = 60
    created = timezone.now() - timedelta(minutes=5)
    draft = make_draft(world, now=created)
    expiry.draft_dispatch_taken(draft_id=draft.pk)  # as score_draft does first: a worker took it
    routing.draft_record_score(draft_id=draft.pk, score=None, confidence=0.5, versions={}, now=created)
    result = intake_sweeps.redispatch_sweep(now=timezone.now())
    assert result.moved == 1
    event = ReviewEvent.objects.get(draft=draft, type="draft.redispatched")
    assert event.data["attempt"] == 1 and event.data["status"] == "scored"
    # Within the back-off window it is not sent again; a routed draft never is.
    assert intake_sweeps.redispatch_sweep(now=timezone.now()).moved == 0


def test_one_failing_row_does_not_stop_the_sweep(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    items = [make_pending_item(world, now=now - timedelta(hours=2)) for _ in range(3)]
    real = services.review_item_expire

    def flaky(*, item_id: int, now):  # type: ignore[no-untyped-def]
        if item_id == items[0].pk:
            raise RuntimeError("disk full")
        return real(item_id=item_id, now=now)

    monkeypatch.setattr(services, "review_item_expire", flaky)
    breached, _ = sweeps.sla_sweep(now=now)
    assert breached.examined == 3 and breached.moved == 2
    assert ReviewItem.objects.get(pk=items[0].pk).state == "pending"


def test_escalation_to_a_foreign_or_own_queue_is_refused_and_falls_back_to_block(world) -> None:  # type: ignore[no-untyped-def]
    foreign = Queue.objects.get(tenant=world.other_tenant)
    queue = world.queue
    queue.fallback_action, queue.escalation_queue = FallbackAction.ESCALATE, foreign
    with pytest.raises(ValidationError):
        queue.full_clean()
    queue.escalation_queue = queue
    with pytest.raises(ValidationError):
        queue.full_clean()
    queue.save()  # misconfigured anyway (bypassing validation): expiry must still answer the user
    now = timezone.now()
    item = make_pending_item(world, now=now - timedelta(hours=2))
    sweeps.sla_sweep(now=now)
    draft = Draft.objects.get(pk=item.draft_id)
    assert draft.status == "decided" and draft.outcome == "sent_fallback"
    assert not ReviewItem.objects.filter(draft=draft, state="pending").exists()


def test_escalate_fallback_needs_a_target(world) -> None:  # type: ignore[no-untyped-def]
    queue = make_queue(world.tenant, "needs-target", fallback_action=FallbackAction.ESCALATE)
    with pytest.raises(ValidationError):
        queue.full_clean()


def test_enqueue_without_queue_needs_a_default_queue(world, api_client) -> None:  # type: ignore[no-untyped-def]
    Queue.objects.filter(tenant=world.tenant).update(is_default=False)
    from tests.factories import draft_body

    before = Draft.objects.count()
    response = api_client.post(
        "/api/v1/drafts",
        draft_body(),
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {world.api_key}",
        HTTP_IDEMPOTENCY_KEY="no-queue",
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"]["fields"] == {"queue": ["is required: this tenant has no default queue"]}
    assert Draft.objects.count() == before


def test_a_replay_returns_the_stored_draft_even_after_the_default_queue_is_gone(world, api_client) -> None:  # type: ignore[no-untyped-def]
    # The key decides, not today's queues.
    from tests.factories import draft_body

    headers = {"HTTP_AUTHORIZATION": f"Bearer {world.api_key}", "HTTP_IDEMPOTENCY_KEY": "replay-no-queue"}
    first = api_client.post("/api/v1/drafts", draft_body(), format="json", **headers)
    assert first.status_code == 201
    Queue.objects.filter(tenant=world.tenant).update(is_default=False)
    before = Draft.objects.count()
    again = api_client.post("/api/v1/drafts", draft_body(), format="json", **headers)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Draft.objects.count() == before
