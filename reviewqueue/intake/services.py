"""Writes to drafts before scoring: enqueue (once per idempotency key) and re-dispatch.

Same recipe as every transition: atomic → compare-and-swap or constraint → event → side
effects (the dispatch to the scoring queue) on commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from reviewqueue.audit.events import EventType, event_new, event_record
from reviewqueue.errors import IdempotencyConflict, InvalidInput
from reviewqueue.intake.dispatch import draft_dispatch
from reviewqueue.intake.expiry import dispatch_expiry, no_message_pending
from reviewqueue.review import queries
from reviewqueue.review.models import UNROUTED, Draft, DraftStatus, Queue
from reviewqueue.tenancy.models import ServiceClient


def _has_default_queue(tenant_id: int) -> bool:
    return Queue.objects.filter(tenant_id=tenant_id, is_default=True).exists()


def _no_default_queue() -> InvalidInput:
    return InvalidInput(
        "The request body is invalid.", details={"fields": {"queue": ["is required: this tenant has no default queue"]}}
    )


def draft_enqueue(
    *,
    client: ServiceClient,
    idempotency_key: str,
    fields: dict[str, Any],
    now: datetime,
) -> tuple[Draft, bool]:
    """Create the draft once per (client, key) from `fields` (`drafts.parse_enqueue`; its
    `fingerprint` names the request a replay of the key must repeat). Returns (draft, created).

    Concurrent duplicates race on the unique constraint, not on a prior SELECT: the loser's
    INSERT waits for the winner's commit, inserts nothing, and reads the winner's row.
    """
    draft = Draft(
        tenant_id=client.tenant_id,
        client=client,
        idempotency_key=idempotency_key,
        created_at=now,
        # Written with the row, as if the publish after commit will succeed (it nearly always
        # does): no second write on the hot path; draft_dispatch clears it when the publish fails.
        dispatch_expires_at=dispatch_expiry(now),
        **fields,
    )
    event = event_new(
        draft=draft,
        type=EventType.DRAFT_RECEIVED,
        now=now,
        client=client,
        to_state=DraftStatus.RECEIVED,
        data={"idempotency_key": idempotency_key},
    )
    # Without a named queue a held draft goes to the tenant's default: the INSERT writes nothing
    # if there is none, so the draft is refused now, not later in the worker.
    with transaction.atomic():
        created = queries.draft_insert(draft)
        if created:
            event.draft = draft
            event.save(force_insert=True)
    if created:
        expires = draft.dispatch_expires_at
        transaction.on_commit(lambda: draft_dispatch(draft_id=draft.pk, expires=expires))
        return draft, True
    # Not written: a replay of the key, answered with the stored draft whatever the queues are now;
    # else no default queue to fall back on (looked up again only on this path).
    existing = Draft.objects.filter(client=client, idempotency_key=idempotency_key).first()
    if existing is None:
        if draft.requested_queue_id is None and not _has_default_queue(draft.tenant_id):
            raise _no_default_queue()
        raise IntegrityError("The draft could not be stored.")  # not the key's constraint: let it surface
    if existing.fingerprint != draft.fingerprint:
        raise IdempotencyConflict(
            "This Idempotency-Key was already used with a different request body.",
            details={"draft_id": existing.pk},
        )
    return existing, False


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
            type=EventType.DRAFT_REDISPATCHED,
            now=now,
            data={"attempt": draft.dispatch_attempts, "status": draft.status},
        )
        transaction.on_commit(lambda: draft_dispatch(draft_id=draft_id, expires=expires))
    return True
