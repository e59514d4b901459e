"""Every write to review items, and the decision that closes a draft; one function per transition.

The REST API, the htmx views, Celery tasks and management commands all call these; none
repeats their logic. (Writes before review — enqueue, scoring, routing — are in `intake`.)
Each follows the same recipe: atomic → re-read with a row lock or a compare-and-swap update →
guard → write the changed fields → event row → side effects on commit.
"""

from __future__ import annotations

import difflib
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from reviewqueue.audit.events import EventType, event_new, event_record
from reviewqueue.audit.models import ReviewEvent
from reviewqueue.errors import AlreadyClaimed, Forbidden, InvalidInput, InvalidState, LeaseLost, NotFound, SlaExpired
from reviewqueue.review import audit_sampling, queries
from reviewqueue.review.models import (
    OPEN_STATES,
    TRANSITIONS,
    Disposition,
    Draft,
    DraftStatus,
    FallbackAction,
    ItemState,
    Outcome,
    Queue,
    ReviewItem,
)
from reviewqueue.review.selectors import draft_by_id, item_for_user, queues_for_claim, routing_queue
from reviewqueue.review.signals import draft_audit_sampled, review_item_submitted
from reviewqueue.tenancy.selectors import is_lead

# The SLA breach of a follow-up with nowhere to escalate: recorded as its fallback action.
FOLLOW_UP_MISSED = "follow_up_missed"

# The event each reviewer disposition writes.
_SUBMITTED: dict[str, EventType] = {
    Disposition.APPROVED: EventType.REVIEW_APPROVED,
    Disposition.EDITED: EventType.REVIEW_EDITED,
    Disposition.REJECTED: EventType.REVIEW_REJECTED,
}


def _guard_transition(item: ReviewItem, to_state: str) -> None:
    if to_state not in TRANSITIONS[item.state]:
        raise InvalidState(
            f"Review item {item.pk} is {item.state}; it cannot become {to_state}.", details={"state": item.state}
        )


# --- drafts: the end of the line -------------------------------------------------------------


def draft_decide(*, draft: Draft, outcome: str, final_text: str, now: datetime, item: ReviewItem | None = None) -> None:
    """Any state → decided: the final answer is fixed. Called inside the caller's transaction
    (routing's auto-send or block, a reviewer's submit, an SLA breach). A draft sent as written
    without a full review may then be drawn into the blind audit sample (review_item_open_audit)."""
    from_status = draft.status
    draft.status = DraftStatus.DECIDED
    draft.outcome = outcome
    draft.final_text = final_text
    draft.decided_at = now
    draft.save(update_fields=["status", "outcome", "final_text", "decided_at"])
    event_record(
        draft=draft,
        type=EventType.DRAFT_DECIDED,
        now=now,
        item=item,
        from_state=from_status,
        to_state=DraftStatus.DECIDED,
        data={"outcome": outcome},
    )
    review_item_open_audit(draft=draft, now=now)


def review_item_open_audit(*, draft: Draft, now: datetime) -> ReviewItem | None:
    """A just-sent draft → a pending blind audit item, if the audit sample draws it
    (audit_sampling.audit_probability); None if not. Inside draft_decide's transaction, so a
    draft is sent and sampled together or not at all, and only once (a draft is decided once).

    The item goes to the routing queue's audit target with priority 0: a customer waiting on a
    held draft comes first. It records the probability; `draft.audit_sampled` names the item, for
    whatever else reviews the sample (the LLM judge)."""
    if not audit_sampling.audit_eligible(draft):
        return None  # no queue read for the drafts that cannot be audited (blocked, held, edited)
    queue = routing_queue(draft)
    probability = audit_sampling.audit_probability(draft=draft, queue=queue)
    if queue is None or probability is None:
        return None
    target = queue.audit_target()
    item = review_item_open(draft=draft, queue=target, priority=0.0, now=now, audit_probability=probability)
    event_record(
        draft=draft,
        type=EventType.DRAFT_AUDIT_SAMPLED,
        now=now,
        item=item,
        data={"probability": probability, "queue": queue.name, "audit_queue": target.name},
    )
    transaction.on_commit(
        lambda: draft_audit_sampled.send(sender=ReviewItem, draft_id=draft.pk, item_id=item.pk), robust=True
    )
    return item


# --- review items ---------------------------------------------------------------------------


def review_item_open(
    *,
    draft: Draft,
    queue: Queue,
    priority: float,
    now: datetime,
    actor: User | None = None,
    escalated_from: ReviewItem | None = None,
    audit_probability: float | None = None,
    follow_up: bool = False,
) -> ReviewItem:
    """A new pending item in `queue`, due after the queue's SLA, with its `review.created` event.

    The one way an item comes to be: routing (a held draft, or the follow-up a blocked draft's
    fallback promised), a reviewer's escalation, an SLA breach that escalates and the audit
    sample all call this inside their own transaction. An event that names the new item
    (`draft.routed`, `review.escalated`, `draft.audit_sampled`) is written after it; an SLA
    breach writes its own first.
    """
    item = ReviewItem.objects.create(
        draft=draft,
        queue=queue,
        state=ItemState.PENDING,
        priority=priority,
        created_at=now,
        due_at=now + queue.sla,
        escalated_from=escalated_from,
        audit_probability=audit_probability,
        follow_up=follow_up,
    )
    data: dict[str, Any] = {"queue": queue.name, "due_at": item.due_at.isoformat()}
    if escalated_from is not None:
        data["escalated_from"] = escalated_from.pk
    if audit_probability is not None:
        data["audit_probability"] = audit_probability
    if follow_up:
        data["follow_up"] = True
    event_record(
        draft=draft,
        type=EventType.REVIEW_CREATED,
        now=now,
        item=item,
        actor=actor,
        to_state=ItemState.PENDING,
        data=data,
    )
    return item


def review_item_claim_next(
    *,
    user: User,
    now: datetime,
    queue_ids: list[int] | None = None,
) -> ReviewItem | None:
    """Lease the next claimable item in the user's queues (or in `queue_ids`, each of which must
    be one of them) in the fair order: items at risk of breaching their SLA first, earliest due
    first; then the highest priority, then the earliest due; never an item this reviewer
    escalated into the queue while someone else could take it. One statement on both databases
    (queries.CLAIM_NEXT): row locks with SKIP LOCKED on PostgreSQL, the writer lock on SQLite.
    The item comes back with its draft and queue."""
    # The queues are read first and their ids passed as constants, not as a subquery of the
    # claim: PostgreSQL planned the 7-table subquery in each candidate read (~5 ms of a claim,
    # measured with bench/bench_intake.py), against ~0.3 ms for `queue_id IN (…)`.
    queues = {q.pk: q for q in queues_for_claim(user)}
    if queue_ids is not None and not set(queue_ids) <= queues.keys():
        raise Forbidden("You are not a reviewer in every queue you asked for.")
    allowed = queues.keys() if queue_ids is None else set(queue_ids)
    if not allowed:
        return None
    # An item is at risk within the last (1 − warning fraction) of its queue's SLA.
    at_risk = 1 - settings.REVIEWQUEUE_SLA_WARNING_FRACTION
    timers = {
        pk: queries.QueueTimers(
            lease=queues[pk].lease,
            risk_window=queues[pk].sla * at_risk,
            sole_reviewer=not queues[pk].others_can_claim,  # type: ignore[attr-defined]
        )
        for pk in allowed
    }
    with transaction.atomic():
        item = queries.claim_next(user_id=user.pk, now=now, queues=timers)
        if item is None:
            return None
        draft = draft_by_id(item.draft_id)
        item.draft, item.queue, item.lease_owner = draft, queues[item.queue_id], user
        previous = item.previous_state, item.previous_owner_id  # type: ignore[attr-defined]
        taken_over = previous[1] if previous[0] == ItemState.CLAIMED else None
        ReviewEvent.objects.bulk_create(_claim_events(draft, item, user=user, now=now, taken_over_from=taken_over))
    return item


def review_item_claim(*, user: User, item_id: int, now: datetime) -> ReviewItem:
    """Lease one item by id (picked from the queue view, or an item the review page links to):
    pending → claimed, or a lapsed lease taken over, under the same rules as claim-next (the
    reviewer's queue, before the due time, the queue's lease length). Claiming an item one already
    holds changes nothing.

    Race-safe on both databases: the write is a compare-and-swap on the state and lease the guard
    read, so of two reviewers who click the same item one wins and the other gets AlreadyClaimed
    (on PostgreSQL the row lock makes the second wait for the first to commit, then see it)."""
    with transaction.atomic():
        item = item_for_user(user=user, item_id=item_id, for_update=True)
        if item.state in (ItemState.RESOLVED, ItemState.EXPIRED):
            raise InvalidState(f"Review item {item.pk} is already {item.state}.", details={"state": item.state})
        if now >= item.due_at:
            raise SlaExpired("This item's SLA has passed; its fallback action applies.", details={"item_id": item.pk})
        if item.lease_is_live(now):
            if item.lease_owner_id == user.pk:
                return item
            raise AlreadyClaimed(
                f"Another reviewer claimed item #{item.pk} first; pick another one.", details={"item_id": item.pk}
            )
        _guard_transition(item, ItemState.CLAIMED)
        previous_state, previous_owner_id = item.state, item.lease_owner_id
        expires = now + item.queue.lease
        moved = ReviewItem.objects.filter(
            pk=item.pk, state=previous_state, lease_owner_id=previous_owner_id, lease_expires_at=item.lease_expires_at
        ).update(state=ItemState.CLAIMED, lease_owner=user, lease_expires_at=expires, claimed_at=now)
        if not moved:  # another claimer (or the lease sweep) wrote between our read and our write
            raise AlreadyClaimed(
                f"Another reviewer claimed item #{item.pk} first; pick another one.", details={"item_id": item.pk}
            )
        item.state, item.lease_owner, item.lease_expires_at, item.claimed_at = ItemState.CLAIMED, user, expires, now
        taken_over = previous_owner_id if previous_state == ItemState.CLAIMED else None
        ReviewEvent.objects.bulk_create(
            _claim_events(item.draft, item, user=user, now=now, taken_over_from=taken_over, picked=True)
        )
    return item


def _claim_events(
    draft: Draft, item: ReviewItem, *, user: User, now: datetime, taken_over_from: int | None, picked: bool = False
) -> list[ReviewEvent]:
    """The events of a claim, in order: a takeover's `review.lease.expired` (the lapsed lease of
    `taken_over_from`) before the `review.claimed`. `picked`: claimed by id, not by claim-next."""
    events = []
    if taken_over_from is not None:
        events.append(
            event_new(
                draft=draft,
                type=EventType.REVIEW_LEASE_EXPIRED,
                now=now,
                item=item,
                from_state=ItemState.CLAIMED,
                to_state=ItemState.PENDING,
                data={"owner_id": taken_over_from, "detected_by": "claim"},
            )
        )
    assert item.lease_expires_at is not None
    data: dict[str, Any] = {"lease_expires_at": item.lease_expires_at.isoformat()}
    if picked:
        data["picked"] = True
    events.append(
        event_new(
            draft=draft,
            type=EventType.REVIEW_CLAIMED,
            now=now,
            item=item,
            actor=user,
            from_state=ItemState.PENDING,
            to_state=ItemState.CLAIMED,
            data=data,
        )
    )
    return events


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


def leased_item_for_update(*, user: User, item_id: int, now: datetime) -> ReviewItem:
    """Re-read the item under a row lock and check the caller still holds a live lease on an
    open item within its SLA: the guard of every reviewer write on a claimed item (release,
    submit, escalate, a claim label). Call it inside the caller's transaction."""
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


def _unlease(item: ReviewItem) -> None:
    """claimed → pending with no lease: the write a release and a lead's force-release share."""
    _guard_transition(item, ItemState.PENDING)
    item.state, item.lease_owner, item.lease_expires_at = ItemState.PENDING, None, None
    item.save(update_fields=["state", "lease_owner", "lease_expires_at"])


def review_item_release(*, user: User, item_id: int, now: datetime) -> ReviewItem:
    """claimed → pending, by the lease owner."""
    with transaction.atomic():
        item = leased_item_for_update(user=user, item_id=item_id, now=now)
        _unlease(item)
        event_record(
            draft=item.draft,
            type=EventType.REVIEW_RELEASED,
            now=now,
            item=item,
            actor=user,
            from_state=ItemState.CLAIMED,
            to_state=ItemState.PENDING,
        )
    return item


def review_item_force_release(*, acting_user: User, item_id: int, now: datetime, reason: str = "") -> ReviewItem:
    """claimed → pending, by an ops lead of the item's tenant, whoever holds the lease (a stuck
    item: the reviewer went home with the tab open and the heartbeat keeps the lease alive).
    The former owner's next heartbeat or submit finds no lease and is refused (409)."""
    with transaction.atomic():
        item = (
            ReviewItem.objects.select_related("queue", "draft", "lease_owner")
            .select_for_update(of=("self",))
            .filter(pk=item_id)
            .first()
        )
        # Another tenant's item, or a non-lead: 404 (no existence leak across tenants).
        if item is None or not is_lead(user=acting_user, tenant_id=item.queue.tenant_id):
            raise NotFound(f"Review item {item_id} does not exist.")
        if item.state != ItemState.CLAIMED:
            raise InvalidState(
                f"Review item {item.pk} is {item.state}; only a claimed item can be released.",
                details={"state": item.state},
            )
        owner_id, expires = item.lease_owner_id, item.lease_expires_at
        _unlease(item)
        event_record(
            draft=item.draft,
            type=EventType.REVIEW_FORCE_RELEASED,
            now=now,
            item=item,
            actor=acting_user,
            from_state=ItemState.CLAIMED,
            to_state=ItemState.PENDING,
            data={
                "owner_id": owner_id,
                "lease_expires_at": expires.isoformat() if expires else None,
                "reason": reason,
            },
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
    """claimed → resolved with approve / edit (& send) / reject; the draft is decided.

    On a blind audit item the draft went out long ago: the disposition is its label and
    nothing is sent (an edit is kept as the correction the draft needed)."""
    if disposition not in (Disposition.APPROVED, Disposition.EDITED, Disposition.REJECTED):
        raise InvalidInput("disposition must be one of approved, edited, rejected.", details={"field": "disposition"})
    with transaction.atomic():
        item = leased_item_for_update(user=user, item_id=item_id, now=now)
        _guard_transition(item, ItemState.RESOLVED)
        draft = item.draft
        if item.follow_up and disposition == Disposition.REJECTED:
            # The customer already has the fallback, which promised them more: a follow-up that
            # sends nothing would break the promise. Edit the answer, or escalate it.
            raise InvalidInput(
                "A follow-up cannot be rejected: the customer was promised one. Edit the answer, or escalate.",
                details={"field": "disposition"},
            )
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
        if item.is_audit:
            sent = final_text if disposition == Disposition.EDITED else ""
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
        if item.is_audit:
            data["audit"] = True
        event_record(
            draft=draft,
            type=_SUBMITTED[disposition],
            now=now,
            item=item,
            actor=user,
            from_state=ItemState.CLAIMED,
            to_state=ItemState.RESOLVED,
            data=data,
        )
        if item.follow_up:
            # The draft was decided when it was blocked (the fallback went out); the follow-up is
            # a second message, told to the service by its own event, the draft left as decided.
            event_record(
                draft=draft,
                type=EventType.DRAFT_FOLLOW_UP_SENT,
                now=now,
                item=item,
                actor=user,
                data={"item_id": item.pk, "disposition": disposition},
            )
        elif not item.is_audit:
            draft_decide(draft=draft, outcome=outcome, final_text=sent, now=now, item=item)
        # In the same transaction (receivers run synchronously): a sampled item always has its
        # second review, never half (double review opens it: `agreement.receivers`).
        review_item_submitted.send(sender=ReviewItem, item=item, now=now)
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
        item = leased_item_for_update(user=user, item_id=item_id, now=now)
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
        successor = review_item_open(
            draft=item.draft,
            queue=target,
            priority=item.priority,
            now=now,
            actor=user,
            escalated_from=item,
            audit_probability=item.audit_probability,
            follow_up=item.follow_up,
        )
        event_record(
            draft=item.draft,
            type=EventType.REVIEW_ESCALATED,
            now=now,
            item=item,
            actor=user,
            from_state=ItemState.CLAIMED,
            to_state=ItemState.RESOLVED,
            data={"to_queue": target.name, "to_item_id": successor.pk, "note": note},
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
            type=EventType.REVIEW_LEASE_EXPIRED,
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
            type=EventType.REVIEW_SLA_WARNING,
            now=now,
            item=item,
            data={"due_at": item.due_at.isoformat(), "queue": item.queue.name},
        )
    return True


def review_item_expire(*, item_id: int, now: datetime) -> bool:
    """pending/claimed past due → expired, and the queue's fallback action is applied. An audit
    item's draft was sent long ago: it just expires, unlabelled."""
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
        if item.is_audit:
            event_record(
                draft=draft,
                type=EventType.REVIEW_SLA_BREACHED,
                now=now,
                item=item,
                from_state=from_state,
                to_state=ItemState.EXPIRED,
                data={"fallback_action": None, "queue": queue.name, "audit": True},
            )
            return True
        if item.follow_up and action != FallbackAction.ESCALATE:
            # A follow-up's draft is decided already (it was blocked, the fallback went out):
            # neither sending the blocked draft nor a second fallback is an answer. It expires,
            # missed, for the SLA page to show; with an escalation queue it goes there instead.
            action = FOLLOW_UP_MISSED
        event_record(
            draft=draft,
            type=EventType.REVIEW_SLA_BREACHED,
            now=now,
            item=item,
            from_state=from_state,
            to_state=ItemState.EXPIRED,
            data={"fallback_action": action, "queue": queue.name},
        )
        if action == FallbackAction.ESCALATE and target is not None:
            review_item_open(
                draft=draft,
                queue=target,
                priority=item.priority,
                now=now,
                escalated_from=item,
                follow_up=item.follow_up,
            )
        elif action == FOLLOW_UP_MISSED:
            pass
        elif action == FallbackAction.SEND_DRAFT:
            draft_decide(draft=draft, outcome=Outcome.SENT_DRAFT, final_text=draft.text, now=now, item=item)
        else:
            draft_decide(draft=draft, outcome=Outcome.SENT_FALLBACK, final_text=queue.fallback_text, now=now, item=item)
    return True


def text_diff(before: str, after: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True), fromfile="draft", tofile="sent"
        )
    )
