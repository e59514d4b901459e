"""Every write to drafts and review items, one function per transition.

The REST API, the htmx views, Celery tasks and management commands all call these; none
repeats their logic. Each follows the same recipe: atomic → re-read with a row lock or a
compare-and-swap update → guard → write the changed fields → event row → side effects on commit.
"""

from __future__ import annotations

import difflib
import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q

from reviewqueue.review import queries
from reviewqueue.review.errors import (
    Forbidden,
    IdempotencyConflict,
    InvalidInput,
    InvalidState,
    LeaseLost,
    NotFound,
    SlaExpired,
)
from reviewqueue.review.events import event_new, event_record
from reviewqueue.review.models import (
    OPEN_STATES,
    TRANSITIONS,
    UNROUTED,
    Decision,
    Disposition,
    Draft,
    DraftStatus,
    FallbackAction,
    ItemState,
    Outcome,
    Queue,
    ReviewEvent,
    ReviewItem,
)
from reviewqueue.review.selectors import item_for_user, queues_for_user
from reviewqueue.tenancy.models import ServiceClient

logger = logging.getLogger(__name__)


def _guard_transition(item: ReviewItem, to_state: str) -> None:
    if to_state not in TRANSITIONS[item.state]:
        raise InvalidState(
            f"Review item {item.pk} is {item.state}; it cannot become {to_state}.", details={"state": item.state}
        )


# --- drafts ---------------------------------------------------------------------------------


def _has_default_queue(tenant_id: int) -> bool:
    return Queue.objects.filter(tenant_id=tenant_id, is_default=True).exists()


def _insert_draft(draft: Draft, event: ReviewEvent, *, needs_default_queue: bool) -> bool:
    """Write the draft and its event, unless the tenant has no default queue the draft needs or
    the client already used the key: False if nothing was written."""
    if needs_default_queue and not _has_default_queue(draft.tenant_id):
        return False
    try:
        # A savepoint, so a duplicate key undoes only this and the caller's transaction goes on.
        with transaction.atomic():
            draft.save(force_insert=True)
            event.draft = draft
            event.save(force_insert=True)
    except IntegrityError:
        return False
    return True


def _no_default_queue() -> InvalidInput:
    return InvalidInput(
        "The request body is invalid.", details={"fields": {"queue": ["is required: this tenant has no default queue"]}}
    )


def draft_enqueue(
    *,
    client: ServiceClient,
    idempotency_key: str,
    fingerprint: str,
    fields: dict[str, Any],
    now: datetime,
) -> tuple[Draft, bool]:
    """Create the draft once per (client, key). Returns (draft, created).

    Concurrent duplicates race on the unique constraint, not on a prior SELECT: the loser's
    INSERT waits for the winner's commit, inserts nothing, and reads the winner's row.
    """
    draft = Draft(
        tenant_id=client.tenant_id,
        client=client,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        created_at=now,
        # Written with the row, as if the publish after commit will succeed (it nearly always
        # does): no second write on the hot path; draft_dispatch clears it when the publish fails.
        dispatch_expires_at=dispatch_expiry(now),
        **fields,
    )
    event = event_new(
        draft=draft,
        type="draft.received",
        now=now,
        client=client,
        to_state=DraftStatus.RECEIVED,
        data={"idempotency_key": idempotency_key},
    )
    # Without a named queue a held draft goes to the tenant's default: refuse it now if there is
    # none, not later in the worker.
    needs_default = draft.requested_queue_id is None
    created = _insert_draft(draft, event, needs_default_queue=needs_default)
    if created:
        expires = draft.dispatch_expires_at
        transaction.on_commit(lambda: draft_dispatch(draft_id=draft.pk, expires=expires))
        return draft, True
    # Not written: a replay of the key, answered with the stored draft whatever the queues are now;
    # else no default queue to fall back on (looked up again only on this path).
    existing = Draft.objects.filter(client=client, idempotency_key=idempotency_key).first()
    if existing is None:
        if needs_default and not _has_default_queue(draft.tenant_id):
            raise _no_default_queue()
        raise IntegrityError("The draft could not be stored.")  # not the key's constraint: let it surface
    if existing.fingerprint != fingerprint:
        raise IdempotencyConflict(
            "This Idempotency-Key was already used with a different request body.",
            details={"draft_id": existing.pk},
        )
    return existing, False


def dispatch_expiry(now: datetime) -> datetime:
    """Until when a scoring message published now may wait in the broker before a worker drops it."""
    return now + timedelta(seconds=settings.REVIEWQUEUE_DISPATCH_EXPIRES_SECONDS)


def draft_dispatch(*, draft_id: int, expires: datetime | None) -> bool:
    """Send the draft to the scoring queue. A broker outage must not fail the enqueue: the
    draft stays `received` and the re-dispatch sweep sends it again later. No retry here, and
    the broker's timeouts are short (REVIEWQUEUE_BROKER_TIMEOUT_SECONDS), so a dead or silent
    broker costs the request a moment, not a hang.

    `expires` is the draft's dispatch_expires_at, written by the caller's transaction: the
    message carries it, so a worker that gets the message later discards it unrun. When the
    publish fails no message is pending, so it is cleared and the sweep may send the draft."""
    from reviewqueue.review.tasks import score_draft

    try:
        score_draft.apply_async(args=[draft_id], retry=False, expires=expires)
    except Exception:  # kombu raises OperationalError and friends; none must reach the client
        logger.warning(
            "draft dispatch failed", extra={"action": "draft.dispatch.failed", "draft_id": draft_id}, exc_info=True
        )
        if expires is not None:
            try:
                Draft.objects.filter(pk=draft_id, dispatch_expires_at=expires).update(dispatch_expires_at=None)
            except DatabaseError:  # then the sweep waits for the expiry instead: later, never twice
                logger.warning("could not clear dispatch expiry", extra={"draft_id": draft_id}, exc_info=True)
        return False
    return True


def draft_dispatch_taken(*, draft_id: int) -> None:
    """A worker took the draft's message: none is pending any more, so if this run dies (the
    worker is killed) the sweep may send the draft again without waiting for the expiry."""
    Draft.objects.filter(pk=draft_id, dispatch_expires_at__isnull=False).update(dispatch_expires_at=None)


def no_message_pending(now: datetime) -> Q:
    """Drafts none of whose scoring messages can still run: never published, the publish
    failed, a worker took it, or it has expired (a worker discards it unrun)."""
    # Strictly after: a Celery worker still runs a message at its very expiry instant.
    return Q(dispatch_expires_at__isnull=True) | Q(dispatch_expires_at__lt=now)


def draft_redispatch(*, draft_id: int, now: datetime, stale_before: datetime) -> bool:
    """Claim one stuck draft for re-dispatch with a compare-and-swap, so two overlapping sweeps
    never send the same draft twice in one round, and a draft whose earlier message may still
    be waiting in the broker (a worker outage) is not sent again: one live message per draft."""
    expires = dispatch_expiry(now)
    with transaction.atomic():
        claimed = Draft.objects.filter(
            Q(last_dispatch_at__isnull=True) | Q(last_dispatch_at__lt=stale_before),
            no_message_pending(now),
            pk=draft_id,
            status__in=UNROUTED,
            created_at__lt=stale_before,
        ).update(last_dispatch_at=now, dispatch_attempts=F("dispatch_attempts") + 1, dispatch_expires_at=expires)
        if not claimed:
            return False
        draft = Draft.objects.get(pk=draft_id)
        event_record(
            draft=draft,
            type="draft.redispatched",
            now=now,
            data={"attempt": draft.dispatch_attempts, "status": draft.status},
        )
        transaction.on_commit(lambda: draft_dispatch(draft_id=draft_id, expires=expires))
    return True


def draft_record_score(
    *,
    draft_id: int,
    score: dict[str, Any] | None,
    confidence: float | None,
    versions: dict[str, str],
    now: datetime,
    failed: bool = False,
    error: str = "",
) -> Draft | None:
    """received → scored (or scoring_failed). Returns None when the draft had already moved on,
    which makes a re-delivered task a no-op."""
    to_state = DraftStatus.SCORING_FAILED if failed else DraftStatus.SCORED
    with transaction.atomic():
        moved = Draft.objects.filter(pk=draft_id, status=DraftStatus.RECEIVED).update(
            status=to_state, score=score, confidence=confidence, versions=versions, scored_at=now
        )
        if not moved:
            return None
        draft = Draft.objects.select_related("client").get(pk=draft_id)
        event_record(
            draft=draft,
            type="draft.scoring_failed" if failed else "draft.scored",
            now=now,
            from_state=DraftStatus.RECEIVED,
            to_state=to_state,
            data={"confidence": confidence, "error": error} if failed else {"confidence": confidence},
        )
    return draft


def draft_route(
    *,
    draft_id: int,
    decision: str,
    reasons: list[str],
    queue: Queue | None,
    priority: float,
    now: datetime,
    versions: dict[str, str] | None = None,
) -> Draft | None:
    """scored → routed (a review item in `queue`) or → decided (auto-send / block).

    `versions` (model, calibrator, policy, …) that made the decision are stored with it, in the
    same transaction, so the routed event names them. Idempotent: only a draft still
    `scored`/`scoring_failed` moves, so a repeated task changes nothing.
    """
    if decision not in Decision.values:
        raise InvalidInput(f"Unknown routing decision {decision!r}.")
    needs_review = decision in (Decision.QUEUE_FOR_REVIEW, Decision.AUTO_DRAFT_HUMAN_SEND)
    if needs_review and queue is None:
        raise InvalidInput("A draft routed to review needs a queue.")
    with transaction.atomic():
        draft = (
            Draft.objects.select_for_update()
            .filter(pk=draft_id, status__in=[DraftStatus.SCORED, DraftStatus.SCORING_FAILED])
            .first()
        )
        if draft is None:
            return None
        from_status = draft.status
        draft.decision = decision
        draft.decision_reasons = list(reasons)
        draft.routed_at = now
        changed = ["decision", "decision_reasons", "routed_at"]
        if versions is not None:
            draft.versions = dict(versions)
            changed.append("versions")
        if needs_review:
            assert queue is not None
            draft.status = DraftStatus.ROUTED
            draft.save(update_fields=[*changed, "status"])
            item = ReviewItem.objects.create(
                draft=draft,
                queue=queue,
                state=ItemState.PENDING,
                priority=priority,
                created_at=now,
                due_at=now + queue.sla,
            )
            event_record(
                draft=draft,
                type="draft.routed",
                now=now,
                item=item,
                from_state=from_status,
                to_state=DraftStatus.ROUTED,
                data={"decision": decision, "reasons": list(reasons), "queue": queue.name, "priority": priority},
            )
            event_record(
                draft=draft,
                type="review.created",
                now=now,
                item=item,
                to_state=ItemState.PENDING,
                data={"queue": queue.name, "due_at": item.due_at.isoformat()},
            )
        else:
            outcome = Outcome.SENT_DRAFT if decision == Decision.AUTO_SEND else Outcome.SENT_FALLBACK
            fallback = queue.fallback_text if queue is not None else _tenant_fallback_text(draft)
            draft.save(update_fields=changed)
            event_record(
                draft=draft,
                type="draft.routed",
                now=now,
                from_state=from_status,
                to_state=DraftStatus.DECIDED,
                data={"decision": decision, "reasons": list(reasons)},
            )
            _draft_decide(
                draft=draft,
                outcome=outcome,
                final_text=draft.text if outcome == Outcome.SENT_DRAFT else fallback,
                now=now,
            )
    return draft


def _tenant_fallback_text(draft: Draft) -> str:
    default = Queue.objects.filter(tenant_id=draft.tenant_id, is_default=True).first()
    return default.fallback_text if default else Queue._meta.get_field("fallback_text").get_default()


def _draft_decide(
    *, draft: Draft, outcome: str, final_text: str, now: datetime, item: ReviewItem | None = None
) -> None:
    """Any state → decided: the final answer is fixed. Called inside the caller's transaction."""
    from_status = draft.status
    draft.status = DraftStatus.DECIDED
    draft.outcome = outcome
    draft.final_text = final_text
    draft.decided_at = now
    draft.save(update_fields=["status", "outcome", "final_text", "decided_at"])
    event_record(
        draft=draft,
        type="draft.decided",
        now=now,
        item=item,
        from_state=from_status,
        to_state=DraftStatus.DECIDED,
        data={"outcome": outcome},
    )


# --- review items ---------------------------------------------------------------------------


def review_item_claim_next(
    *,
    user: User,
    now: datetime,
    queue_ids: list[int] | None = None,
) -> ReviewItem | None:
    """Lease the highest-priority, then earliest-due claimable item in the user's queues (or in
    `queue_ids`, each of which must be one of them). One statement on both databases
    (queries.CLAIM_NEXT): row locks with SKIP LOCKED on PostgreSQL, the writer lock on SQLite.
    The item comes back with its draft and queue."""
    # The queues are read first and their ids passed as constants, not as a subquery of the
    # claim: PostgreSQL planned the 7-table subquery in each candidate read (~5 ms of a claim,
    # measured with bench/bench_intake.py), against ~0.3 ms for `queue_id IN (…)`.
    # Unordered and without the tenant the listing pages join: the claim needs neither.
    queues = {q.pk: q for q in queues_for_user(user).select_related(None).order_by()}
    if queue_ids is not None and not set(queue_ids) <= queues.keys():
        raise Forbidden("You are not a reviewer in every queue you asked for.")
    allowed = queues.keys() if queue_ids is None else set(queue_ids)
    if not allowed:
        return None
    with transaction.atomic():
        item = queries.claim_next(user_id=user.pk, now=now, leases={pk: queues[pk].lease for pk in allowed})
        if item is None:
            return None
        draft = Draft.objects.get(pk=item.draft_id)
        item.draft, item.queue, item.lease_owner = draft, queues[item.queue_id], user
        events = []
        if item.previous_state == ItemState.CLAIMED:  # type: ignore[attr-defined]
            events.append(
                event_new(
                    draft=draft,
                    type="review.lease.expired",
                    now=now,
                    item=item,
                    from_state=ItemState.CLAIMED,
                    to_state=ItemState.PENDING,
                    data={"owner_id": item.previous_owner_id, "detected_by": "claim"},  # type: ignore[attr-defined]
                )
            )
        events.append(
            event_new(
                draft=draft,
                type="review.claimed",
                now=now,
                item=item,
                actor=user,
                from_state=ItemState.PENDING,
                to_state=ItemState.CLAIMED,
                data={"lease_expires_at": (now + item.queue.lease).isoformat()},
            )
        )
        # In order: a takeover's `review.lease.expired` comes before its `review.claimed`.
        ReviewEvent.objects.bulk_create(events)
    return item


def review_item_heartbeat(*, user: User, item_id: int, now: datetime) -> ReviewItem:
    """Extend a live lease. Zero rows updated means the lease is gone (lapsed or taken).

    Heartbeats write no event: they change no state, and one row per beat would drown the history.
    """
    item = item_for_user(user=user, item_id=item_id)
    expires = now + item.queue.lease
    # A lease past the item's due time is of no use: submit refuses it, so renewal does too.
    moved = ReviewItem.objects.filter(
        pk=item.pk, state=ItemState.CLAIMED, lease_owner=user, lease_expires_at__gt=now, due_at__gt=now
    ).update(lease_expires_at=expires)
    if not moved:
        # Same answers as release/submit: a closed item is a wrong-state error, not a lost lease.
        if item.state in (ItemState.RESOLVED, ItemState.EXPIRED):
            raise InvalidState(f"Review item {item.pk} is already {item.state}.", details={"state": item.state})
        if item.lease_owner_id == user.pk and item.lease_is_live(now) and now >= item.due_at:
            raise SlaExpired("This item's SLA has passed; its fallback action applies.", details={"item_id": item.pk})
        raise LeaseLost(
            "Your lease on this item has lapsed or was taken by another reviewer.", details={"item_id": item.pk}
        )
    item.lease_expires_at = expires
    return item


def _locked_leased_item(*, user: User, item_id: int, now: datetime) -> ReviewItem:
    """Re-read the item under a row lock and check the caller still holds a live lease."""
    item = item_for_user(user=user, item_id=item_id, for_update=True)
    if item.state in (ItemState.RESOLVED, ItemState.EXPIRED):
        raise InvalidState(f"Review item {item.pk} is already {item.state}.", details={"state": item.state})
    if item.lease_owner_id != user.pk or not item.lease_is_live(now):
        raise LeaseLost(
            "Your lease on this item has lapsed or was taken by another reviewer.", details={"item_id": item.pk}
        )
    if now >= item.due_at:
        raise SlaExpired("This item's SLA has passed; its fallback action applies.", details={"item_id": item.pk})
    return item


def review_item_release(*, user: User, item_id: int, now: datetime) -> ReviewItem:
    """claimed → pending, by the lease owner."""
    with transaction.atomic():
        item = _locked_leased_item(user=user, item_id=item_id, now=now)
        _guard_transition(item, ItemState.PENDING)
        item.state, item.lease_owner, item.lease_expires_at = ItemState.PENDING, None, None
        item.save(update_fields=["state", "lease_owner", "lease_expires_at"])
        event_record(
            draft=item.draft,
            type="review.released",
            now=now,
            item=item,
            actor=user,
            from_state=ItemState.CLAIMED,
            to_state=ItemState.PENDING,
        )
    return item


def review_item_submit(
    *,
    user: User,
    item_id: int,
    disposition: str,
    now: datetime,
    final_text: str = "",
    reason_code: str = "",
    note: str = "",
) -> ReviewItem:
    """claimed → resolved with approve / edit (& send) / reject; the draft is decided."""
    if disposition not in (Disposition.APPROVED, Disposition.EDITED, Disposition.REJECTED):
        raise InvalidInput("disposition must be one of approved, edited, rejected.", details={"field": "disposition"})
    with transaction.atomic():
        item = _locked_leased_item(user=user, item_id=item_id, now=now)
        _guard_transition(item, ItemState.RESOLVED)
        draft = item.draft
        if disposition == Disposition.EDITED:
            if not final_text.strip():
                raise InvalidInput("An edit needs the edited text.", details={"field": "final_text"})
            outcome, sent = Outcome.SENT_EDITED, final_text
        elif disposition == Disposition.REJECTED:
            allowed = list(item.queue.reject_reasons)
            if reason_code not in allowed:
                raise InvalidInput(
                    f"reason_code must be one of {allowed}.", details={"field": "reason_code", "allowed": allowed}
                )
            outcome, sent = Outcome.SENT_FALLBACK, item.queue.fallback_text
        else:
            outcome, sent = Outcome.SENT_DRAFT, draft.text
        item.state = ItemState.RESOLVED
        item.disposition, item.reason_code, item.note = disposition, reason_code, note
        item.final_text, item.reviewer, item.resolved_at = sent, user, now
        item.lease_owner, item.lease_expires_at = None, None
        item.save(
            update_fields=[
                "state",
                "disposition",
                "reason_code",
                "note",
                "final_text",
                "reviewer",
                "resolved_at",
                "lease_owner",
                "lease_expires_at",
            ]
        )
        data: dict[str, Any] = {
            "disposition": disposition,
            "reason_code": reason_code,
            "note": note,
            "seconds_spent": (now - item.claimed_at).total_seconds() if item.claimed_at else None,
        }
        if disposition == Disposition.EDITED:
            data["diff"] = text_diff(draft.text, final_text)
        event_record(
            draft=draft,
            type=f"review.{disposition}",
            now=now,
            item=item,
            actor=user,
            from_state=ItemState.CLAIMED,
            to_state=ItemState.RESOLVED,
            data=data,
        )
        _draft_decide(draft=draft, outcome=outcome, final_text=sent, now=now, item=item)
    return item


def review_item_escalate(
    *,
    user: User,
    item_id: int,
    target_queue_id: int,
    note: str,
    now: datetime,
) -> ReviewItem:
    """claimed → resolved(escalated); a fresh pending item in the target queue with a new SLA."""
    with transaction.atomic():
        item = _locked_leased_item(user=user, item_id=item_id, now=now)
        target = Queue.objects.filter(pk=target_queue_id, tenant_id=item.queue.tenant_id).first()
        if target is None:
            raise NotFound(f"Queue {target_queue_id} does not exist.", details={"field": "queue"})
        if target.pk == item.queue_id:
            raise InvalidInput("An item cannot be escalated to its own queue.", details={"field": "queue"})
        _guard_transition(item, ItemState.RESOLVED)
        item.state, item.disposition, item.note = ItemState.RESOLVED, Disposition.ESCALATED, note
        item.reviewer, item.resolved_at = user, now
        item.lease_owner, item.lease_expires_at = None, None
        item.save(
            update_fields=["state", "disposition", "note", "reviewer", "resolved_at", "lease_owner", "lease_expires_at"]
        )
        successor = ReviewItem.objects.create(
            draft=item.draft,
            queue=target,
            state=ItemState.PENDING,
            priority=item.priority,
            created_at=now,
            due_at=now + target.sla,
            escalated_from=item,
        )
        event_record(
            draft=item.draft,
            type="review.escalated",
            now=now,
            item=item,
            actor=user,
            from_state=ItemState.CLAIMED,
            to_state=ItemState.RESOLVED,
            data={"to_queue": target.name, "to_item_id": successor.pk, "note": note},
        )
        event_record(
            draft=item.draft,
            type="review.created",
            now=now,
            item=successor,
            actor=user,
            to_state=ItemState.PENDING,
            data={"queue": target.name, "due_at": successor.due_at.isoformat(), "escalated_from": item.pk},
        )
    return successor


def review_item_lapse(*, item_id: int, now: datetime) -> bool:
    """claimed with an expired lease → pending (the lease sweep). Returns whether it moved."""
    with transaction.atomic():
        item = (
            ReviewItem.objects.select_related("draft")
            .filter(pk=item_id, state=ItemState.CLAIMED, lease_expires_at__lte=now)
            .first()
        )
        if item is None:
            return False
        moved = ReviewItem.objects.filter(
            pk=item.pk, state=ItemState.CLAIMED, lease_expires_at=item.lease_expires_at
        ).update(state=ItemState.PENDING, lease_owner=None, lease_expires_at=None)
        if not moved:  # a claimer or another sweep got there first
            return False
        event_record(
            draft=item.draft,
            type="review.lease.expired",
            now=now,
            item=item,
            from_state=ItemState.CLAIMED,
            to_state=ItemState.PENDING,
            data={"owner_id": item.lease_owner_id, "detected_by": "sweep"},
        )
    return True


def review_item_warn(*, item_id: int, now: datetime, warning_fraction: float) -> bool:
    """Record the SLA warning once per item (compare-and-swap on `sla_warned_at`)."""
    with transaction.atomic():
        item = (
            ReviewItem.objects.select_related("draft", "queue")
            .filter(pk=item_id, state__in=OPEN_STATES, sla_warned_at__isnull=True, due_at__gt=now)
            .first()
        )
        if item is None or now < item.warning_at(warning_fraction):
            return False
        if not ReviewItem.objects.filter(pk=item.pk, sla_warned_at__isnull=True).update(sla_warned_at=now):
            return False
        event_record(
            draft=item.draft,
            type="review.sla.warning",
            now=now,
            item=item,
            data={"due_at": item.due_at.isoformat(), "queue": item.queue.name},
        )
    return True


def review_item_expire(*, item_id: int, now: datetime) -> bool:
    """pending/claimed past due → expired, and the queue's fallback action is applied."""
    with transaction.atomic():
        item = (
            ReviewItem.objects.select_related("draft", "queue", "queue__escalation_queue")
            .filter(pk=item_id, state__in=OPEN_STATES, due_at__lte=now)
            .first()
        )
        if item is None:
            return False
        from_state = item.state
        moved = ReviewItem.objects.filter(pk=item.pk, state=from_state, due_at__lte=now).update(
            state=ItemState.EXPIRED, lease_owner=None, lease_expires_at=None
        )
        if not moved:
            return False
        queue, draft = item.queue, item.draft
        action, target = queue.fallback_action, queue.escalation_target()
        if action == FallbackAction.ESCALATE and target is None:
            action = FallbackAction.BLOCK  # misconfigured escalation must still answer the user
        event_record(
            draft=draft,
            type="review.sla.breached",
            now=now,
            item=item,
            from_state=from_state,
            to_state=ItemState.EXPIRED,
            data={"fallback_action": action, "queue": queue.name},
        )
        if action == FallbackAction.ESCALATE and target is not None:
            successor = ReviewItem.objects.create(
                draft=draft,
                queue=target,
                state=ItemState.PENDING,
                priority=item.priority,
                created_at=now,
                due_at=now + target.sla,
                escalated_from=item,
            )
            event_record(
                draft=draft,
                type="review.created",
                now=now,
                item=successor,
                to_state=ItemState.PENDING,
                data={"queue": target.name, "due_at": successor.due_at.isoformat(), "escalated_from": item.pk},
            )
        elif action == FallbackAction.SEND_DRAFT:
            _draft_decide(draft=draft, outcome=Outcome.SENT_DRAFT, final_text=draft.text, now=now, item=item)
        else:
            _draft_decide(
                draft=draft, outcome=Outcome.SENT_FALLBACK, final_text=queue.fallback_text, now=now, item=item
            )
    return True


def text_diff(before: str, after: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True), fromfile="draft", tofile="sent"
        )
    )
