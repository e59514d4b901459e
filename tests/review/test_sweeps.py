"""The timers: lease sweep, SLA warning and breach (with each fallback), re-dispatch."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.intake import sweeps as intake_sweeps
from reviewqueue.review import services, sweeps
from reviewqueue.review.models import (
    Draft,
    DraftStatus,
    FallbackAction,
    ItemState,
    Outcome,
    ReviewItem,
)
from tests.conftest import T0
from tests.factories import make_draft, make_pending_item, make_queue
from tests.review.helpers import event_types

US = timedelta(microseconds=1)


@pytest.fixture
def claimed(world, clock):
    make_pending_item(world)
    return services.review_item_claim_next(user=world.reviewer, now=timezone.now())


# --- lease sweep -----------------------------------------------------------------------------
@pytest.mark.parametrize(("offset", "moves"), [(-US, False), (timedelta(0), True), (US, True)])
def test_lease_sweep_at_the_boundary(world, clock, claimed, offset, moves):
    result = sweeps.lease_sweep(now=claimed.lease_expires_at + offset)
    assert (result.examined, result.moved) == ((1, 1) if moves else (0, 0))
    claimed.refresh_from_db()
    if not moves:
        assert claimed.state == ItemState.CLAIMED
        return
    assert claimed.state == ItemState.PENDING and claimed.lease_owner is None
    event = ReviewEvent.objects.get(item=claimed, type="review.lease.expired")
    assert event.data["detected_by"] == "sweep" and event.data["owner_id"] == world.reviewer.pk
    assert (event.actor, event.from_state, event.to_state) == (None, "claimed", "pending")


def test_lease_sweep_is_idempotent(world, clock, claimed):
    later = claimed.lease_expires_at + timedelta(seconds=5)
    assert sweeps.lease_sweep(now=later).moved == 1
    assert sweeps.lease_sweep(now=later).moved == 0
    assert event_types(claimed).count("review.lease.expired") == 1


def test_lease_lapse_skips_an_item_a_claimer_already_took(world, clock, claimed):
    clock.move_to(claimed.lease_expires_at)
    services.review_item_claim_next(user=world.other_reviewer, now=timezone.now())
    assert services.review_item_lapse(item_id=claimed.pk, now=timezone.now()) is False
    claimed.refresh_from_db()
    assert claimed.lease_owner == world.other_reviewer


def test_lease_sweep_is_bounded_per_run(world, clock):
    for _ in range(3):
        make_pending_item(world)
        services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    later = T0 + world.queue.lease
    assert sweeps.lease_sweep(now=later, batch=2).moved == 2
    assert sweeps.lease_sweep(now=later, batch=2).moved == 1
    assert sweeps.lease_sweep(now=later, batch=2).moved == 0


# --- SLA warning -------------------------------------------------------------------------------
@pytest.mark.parametrize("fraction", [0.5, 0.8])
@pytest.mark.parametrize(("offset", "warns"), [(-US, False), (timedelta(0), True), (US, True)])
def test_sla_warning_at_the_configured_fraction(world, clock, settings, fraction, offset, warns):
    settings.REVIEWQUEUE_SLA_WARNING_FRACTION = fraction
    item = make_pending_item(world)  # created T0, due T0 + 60 min
    warn_at = T0 + timedelta(minutes=60 * fraction)
    assert item.warning_at(fraction) == warn_at
    breached, warned = sweeps.sla_sweep(now=warn_at + offset)
    assert breached.moved == 0
    assert warned.moved == (1 if warns else 0)
    item.refresh_from_db()
    assert (item.sla_warned_at is not None) is warns
    assert item.sla_state(warn_at + offset, warning_fraction=fraction) == ("warning" if warns else "ok")
    if warns:
        event = ReviewEvent.objects.get(item=item, type="review.sla.warning")
        assert event.created_at == warn_at + offset and event.actor is None
        assert item.state == ItemState.PENDING  # a warning changes no state


def test_sla_warning_is_recorded_once(world, clock):
    item = make_pending_item(world)
    sweeps.sla_sweep(now=T0 + timedelta(minutes=50))
    sweeps.sla_sweep(now=T0 + timedelta(minutes=55))
    assert services.review_item_warn(item_id=item.pk, now=T0 + timedelta(minutes=56), warning_fraction=0.8) is False
    assert event_types(item).count("review.sla.warning") == 1


def test_sla_warning_also_covers_claimed_items(world, clock, claimed):
    _, warned = sweeps.sla_sweep(now=T0 + timedelta(minutes=49))
    assert warned.moved == 1


# --- SLA breach --------------------------------------------------------------------------------
@pytest.mark.parametrize(("offset", "breaches"), [(-US, False), (timedelta(0), True), (US, True)])
def test_sla_breach_at_due(world, clock, offset, breaches):
    item = make_pending_item(world)
    breached, _ = sweeps.sla_sweep(now=item.due_at + offset)
    assert breached.moved == (1 if breaches else 0)
    item.refresh_from_db()
    assert item.state == (ItemState.EXPIRED if breaches else ItemState.PENDING)
    assert item.sla_state(item.due_at + offset, warning_fraction=0.8) == ("closed" if breaches else "warning")


def _breach(world, item):
    breached, _ = sweeps.sla_sweep(now=item.due_at)
    assert breached.moved == 1
    item.refresh_from_db()
    item.draft.refresh_from_db()
    assert item.state == ItemState.EXPIRED
    event = ReviewEvent.objects.get(item=item, type="review.sla.breached")
    assert event.created_at == item.due_at and event.actor is None
    return event


def test_breach_with_block_sends_the_fallback_text(world, clock):
    world.queue.fallback_action = FallbackAction.BLOCK
    world.queue.fallback_text = "A specialist will get back to you."
    world.queue.save()
    item = make_pending_item(world)
    event = _breach(world, item)
    assert event.data["fallback_action"] == "block"
    assert item.draft.status == DraftStatus.DECIDED and item.draft.outcome == Outcome.SENT_FALLBACK
    assert item.draft.final_text == "A specialist will get back to you."
    assert event_types(item)[-2:] == ["review.sla.breached", "draft.decided"]


def test_breach_with_send_draft_sends_the_draft(world, clock):
    world.queue.fallback_action = FallbackAction.SEND_DRAFT
    world.queue.save()
    item = make_pending_item(world)
    event = _breach(world, item)
    assert event.data["fallback_action"] == "send_draft"
    assert item.draft.outcome == Outcome.SENT_DRAFT and item.draft.final_text == item.draft.text


def test_breach_with_escalate_opens_a_fresh_item_in_the_escalation_queue(world, clock):
    world.queue.fallback_action = FallbackAction.ESCALATE
    world.queue.escalation_queue = world.l2_queue
    world.queue.save()
    item = make_pending_item(world)
    event = _breach(world, item)
    assert event.data["fallback_action"] == "escalate"
    successor = ReviewItem.objects.get(escalated_from=item)
    assert successor.queue == world.l2_queue and successor.state == ItemState.PENDING
    assert successor.created_at == item.due_at and successor.due_at == item.due_at + world.l2_queue.sla
    assert item.draft.status == DraftStatus.ROUTED
    # The fresh item is claimable in the escalation queue.
    clock.move_to(item.due_at + timedelta(seconds=1))
    assert services.review_item_claim_next(user=world.reviewer, now=timezone.now()).pk == successor.pk


def test_breach_with_escalate_but_no_escalation_queue_blocks(world, clock):
    world.queue.fallback_action = FallbackAction.ESCALATE
    world.queue.save()
    item = make_pending_item(world)
    event = _breach(world, item)
    assert event.data["fallback_action"] == "block"
    assert item.draft.outcome == Outcome.SENT_FALLBACK


def test_breach_of_a_claimed_item_clears_the_lease(world, clock):
    item = make_pending_item(world)
    clock.move_to(item.due_at - timedelta(seconds=30))
    services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    event = _breach(world, item)
    assert event.from_state == "claimed"
    assert item.lease_owner is None and item.lease_expires_at is None
    with pytest.raises(Exception) as exc:
        services.review_item_submit(user=world.reviewer, item_id=item.pk, disposition="approved", now=item.due_at)
    assert getattr(exc.value, "code", None) == "invalid_state"


def test_sla_sweep_is_idempotent_and_bounded(world, clock):
    items = [make_pending_item(world) for _ in range(3)]
    due = max(i.due_at for i in items)
    assert sweeps.sla_sweep(now=due, batch=2)[0].moved == 2
    assert sweeps.sla_sweep(now=due, batch=2)[0].moved == 1
    assert sweeps.sla_sweep(now=due, batch=2)[0].moved == 0
    assert ReviewEvent.objects.filter(type="review.sla.breached").count() == 3
    assert ReviewEvent.objects.filter(type="draft.decided").count() == 3


def test_resolved_items_never_breach(world, clock, claimed):
    services.review_item_submit(user=world.reviewer, item_id=claimed.pk, disposition="approved", now=timezone.now())
    breached, warned = sweeps.sla_sweep(now=claimed.due_at + timedelta(hours=1))
    assert breached.moved == warned.moved == 0


# --- re-dispatch -------------------------------------------------------------------------------
def _publish_failed(draft: Draft) -> Draft:
    """What draft_dispatch leaves when the broker refused the message: none can be pending."""
    Draft.objects.filter(pk=draft.pk).update(dispatch_expires_at=None)
    return draft


@pytest.mark.parametrize(("after", "moves"), [(59, False), (60, False), (61, True)])
def test_redispatch_picks_drafts_stuck_in_received(
    world, clock, settings, django_capture_on_commit_callbacks, after, moves
):
    settings.REVIEWQUEUE_REDISPATCH_AFTER_SECONDS = 60
    draft = _publish_failed(make_draft(world))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = intake_sweeps.redispatch_sweep(now=T0 + timedelta(seconds=after))
    assert result.moved == (1 if moves else 0)
    assert len(callbacks) == (1 if moves else 0)
    draft.refresh_from_db()
    assert draft.dispatch_attempts == (1 if moves else 0)
    if moves:
        assert draft.last_dispatch_at == T0 + timedelta(seconds=after)
        assert ReviewEvent.objects.filter(draft=draft, type="draft.redispatched").count() == 1


def test_redispatch_is_idempotent_within_a_round_and_retries_later(
    world, clock, settings, django_capture_on_commit_callbacks
):
    settings.REVIEWQUEUE_REDISPATCH_AFTER_SECONDS = 60
    draft = _publish_failed(make_draft(world))
    first = T0 + timedelta(seconds=61)
    expiry = first + timedelta(seconds=settings.REVIEWQUEUE_DISPATCH_EXPIRES_SECONDS)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert intake_sweeps.redispatch_sweep(now=first).moved == 1
        assert intake_sweeps.redispatch_sweep(now=first + timedelta(seconds=30)).moved == 0
        # The first re-dispatch's message may still wait in the broker until it expires.
        assert intake_sweeps.redispatch_sweep(now=first + timedelta(seconds=61)).moved == 0
        assert intake_sweeps.redispatch_sweep(now=expiry).moved == 0
        assert intake_sweeps.redispatch_sweep(now=expiry + timedelta(seconds=1)).moved == 1
    assert len(callbacks) == 2
    draft.refresh_from_db()
    assert draft.dispatch_attempts == 2


def test_redispatch_ignores_drafts_that_moved_on(world, clock):
    item = make_pending_item(world)
    assert intake_sweeps.redispatch_sweep(now=T0 + timedelta(hours=1)).examined == 0
    assert item.draft.status == DraftStatus.ROUTED


# --- cron entry points ---------------------------------------------------------------------------
@pytest.mark.parametrize("timer", ["lease", "sla", "redispatch"])
def test_sweep_command(world, timer):
    out = StringIO()
    call_command("sweep", timer, "--batch", "10", stdout=out)
    assert "examined 0, moved 0" in out.getvalue()


def test_sla_warning_is_not_starved_by_earlier_due_items_of_a_shorter_sla(world, clock, settings):
    # A long-SLA item already past its warning time must be warned even when a full batch of
    # short-SLA items, due sooner but not yet at their warning time, comes first by due time.
    settings.REVIEWQUEUE_SLA_WARNING_FRACTION = 0.8
    long_sla = make_queue(world.tenant, "long", group=world.queue.reviewer_group, sla_minutes=600)
    late = make_pending_item(world, queue=long_sla, now=T0 - timedelta(minutes=540))  # due T0+60m, warn T0-60m
    short = make_queue(world.tenant, "short", group=world.queue.reviewer_group, sla_minutes=30)
    for _ in range(3):
        make_pending_item(world, queue=short)  # due T0+30m, warn T0+24m
    _, warned = sweeps.sla_sweep(now=T0, batch=2)
    assert warned.moved == 1
    late.refresh_from_db()
    assert late.sla_warned_at == T0
