"""Writes for double review, one function per transition, each with its event (the review
item's recipe: atomic → lock or compare-and-swap → guard → write → event).

pending ─claim─▶ claimed ─submit─▶ resolved ─(labels differ)─ adjudicate ─▶ resolved + ruling
   ▲                │
   └────release─────┘   (a lapsed lease is claimable again by anyone else, no sweeper needed)
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q

from reviewqueue.agreement.models import (
    SECOND_TRANSITIONS,
    Label,
    SecondReview,
    SecondReviewState,
)
from reviewqueue.agreement.selectors import label_of, queue_share, second_review_for_user
from reviewqueue.audit.events import EventType, event_record
from reviewqueue.errors import InvalidInput, InvalidState, LeaseLost, NotFound
from reviewqueue.review.models import Disposition, ItemState, Queue, ReviewItem
from reviewqueue.review.selectors import queues_for_user
from reviewqueue.tenancy.selectors import is_lead

# The dispositions a second reviewer may give: the first reviewer's, less escalation (a second
# review changes nothing that was sent, so there is nothing to escalate).
SECOND_DISPOSITIONS = (Disposition.APPROVED, Disposition.EDITED, Disposition.REJECTED)


def sampled_for_second_review(*, item_id: int, share: float) -> bool:
    """Whether the item falls in the sampled share: a hash of its id, not a random draw, so the
    choice is reproducible (and auditable) and a retried submit samples the same way."""
    if share <= 0:
        return False
    digest = hashlib.sha256(f"second-review:{item_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def second_review_open(*, item: ReviewItem, now: datetime) -> SecondReview | None:
    """Called in the transaction of the first review's submit: open a blind second review if
    the item is in its queue's sampled share. Only a terminal human disposition is sampled
    (approve, edit, reject); an escalation is sampled where its successor is resolved."""
    if item.state != ItemState.RESOLVED or item.reviewer_id is None or item.disposition not in SECOND_DISPOSITIONS:
        return None
    share = queue_share(queue=item.queue)
    if not sampled_for_second_review(item_id=item.pk, share=share):
        return None
    review = SecondReview.objects.create(
        first_item=item,
        draft=item.draft,
        queue=item.queue,
        first_reviewer_id=item.reviewer_id,
        sampled_share=share,
        created_at=now,
    )
    event_record(
        draft=item.draft,
        type=EventType.SECOND_REVIEW_OPENED,
        now=now,
        item=item,
        to_state=SecondReviewState.PENDING,
        data={"second_review_id": review.pk, "share": share},
    )
    return review


def _guard(review: SecondReview, to_state: str) -> None:
    if to_state not in SECOND_TRANSITIONS[review.state]:
        raise InvalidState(
            f"Second review {review.pk} is {review.state}; it cannot become {to_state}.",
            details={"state": review.state},
        )


def second_review_claim_next(*, user: User, now: datetime) -> SecondReview | None:
    """Lease the oldest open second review in the user's queues that they did not review the
    first time: pending, or claimed on a lease that has lapsed. A compare-and-swap on the row
    (state and lease as read) makes two claimers race safely on both databases; the loser tries
    the next candidate."""
    queue_ids = list(queues_for_user(user).values_list("pk", flat=True))
    if not queue_ids:
        return None
    claimable = Q(state=SecondReviewState.PENDING) | Q(state=SecondReviewState.CLAIMED, lease_expires_at__lte=now)
    candidates = (
        SecondReview.objects.filter(claimable, queue_id__in=queue_ids)
        .exclude(first_reviewer=user)
        .order_by("created_at", "pk")
        .values_list("pk", "state", "lease_expires_at", "lease_owner_id")[:20]
    )
    lease_seconds = {q.pk: q.lease for q in Queue.objects.filter(pk__in=queue_ids)}
    for pk, state, expires, owner_id in candidates:
        with transaction.atomic():
            review = SecondReview.objects.select_related("queue", "draft", "first_item").get(pk=pk)
            expires_at = now + lease_seconds[review.queue_id]
            moved = SecondReview.objects.filter(
                pk=pk, state=state, lease_expires_at=expires, lease_owner_id=owner_id
            ).update(state=SecondReviewState.CLAIMED, lease_owner=user, lease_expires_at=expires_at, claimed_at=now)
            if not moved:
                continue  # someone else took it between the read and the write
            review.state, review.lease_owner, review.lease_expires_at, review.claimed_at = (
                SecondReviewState.CLAIMED,
                user,
                expires_at,
                now,
            )
            event_record(
                draft=review.draft,
                type=EventType.SECOND_REVIEW_CLAIMED,
                now=now,
                item=review.first_item,
                actor=user,
                from_state=state,
                to_state=SecondReviewState.CLAIMED,
                data={"second_review_id": pk, "lease_expires_at": expires_at.isoformat(), "lapsed_owner_id": owner_id},
            )
            return review
    return None


def _leased_for_update(*, user: User, review_id: int, now: datetime) -> SecondReview:
    review = second_review_for_user(user=user, review_id=review_id, for_update=True)
    if review.state == SecondReviewState.RESOLVED:
        raise InvalidState(f"Second review {review.pk} is already resolved.", details={"state": review.state})
    if review.lease_owner_id != user.pk or not review.lease_is_live(now):
        raise LeaseLost(
            "Your lease on this second review has lapsed or was taken by another reviewer.",
            details={"second_review_id": review.pk},
        )
    return review


def second_review_release(*, user: User, review_id: int, now: datetime) -> SecondReview:
    """claimed → pending, by the lease owner."""
    with transaction.atomic():
        review = _leased_for_update(user=user, review_id=review_id, now=now)
        _guard(review, SecondReviewState.PENDING)
        review.state, review.lease_owner, review.lease_expires_at = SecondReviewState.PENDING, None, None
        review.save(update_fields=["state", "lease_owner", "lease_expires_at"])
        event_record(
            draft=review.draft,
            type=EventType.SECOND_REVIEW_RELEASED,
            now=now,
            item=review.first_item,
            actor=user,
            from_state=SecondReviewState.CLAIMED,
            to_state=SecondReviewState.PENDING,
            data={"second_review_id": review.pk},
        )
    return review


def second_review_submit(
    *,
    user: User,
    review_id: int,
    disposition: str,
    now: datetime,
    final_text: str = "",
    reason_code: str = "",
    note: str = "",
) -> SecondReview:
    """claimed → resolved with the second reviewer's disposition. The draft is not touched: it
    was decided by the first review. Whether the two agree is in the event (for the audit
    trail); the page reads it from the two dispositions."""
    if disposition not in SECOND_DISPOSITIONS:
        raise InvalidInput("disposition must be one of approved, edited, rejected.", details={"field": "disposition"})
    with transaction.atomic():
        review = _leased_for_update(user=user, review_id=review_id, now=now)
        _guard(review, SecondReviewState.RESOLVED)
        if disposition == Disposition.EDITED and not final_text.strip():
            raise InvalidInput("An edit needs the edited text.", details={"field": "final_text"})
        if disposition == Disposition.REJECTED:
            allowed = list(review.queue.reject_reasons)
            if reason_code not in allowed:
                raise InvalidInput(
                    f"reason_code must be one of {allowed}.", details={"field": "reason_code", "allowed": allowed}
                )
        review.state = SecondReviewState.RESOLVED
        review.disposition, review.reason_code, review.note = disposition, reason_code, note
        review.final_text = final_text if disposition == Disposition.EDITED else ""
        review.reviewer, review.resolved_at = user, now
        review.lease_owner, review.lease_expires_at = None, None
        review.save(
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
        first, second = label_of(review.first_item.disposition), label_of(disposition)
        event_record(
            draft=review.draft,
            type=EventType.SECOND_REVIEW_SUBMITTED,
            now=now,
            item=review.first_item,
            actor=user,
            from_state=SecondReviewState.CLAIMED,
            to_state=SecondReviewState.RESOLVED,
            data={
                "second_review_id": review.pk,
                "disposition": disposition,
                "reason_code": reason_code,
                "label": second,
                "agrees": first == second,
            },
        )
    return review


def second_review_adjudicate(
    *, acting_user: User, review_id: int, label: str, now: datetime, note: str = ""
) -> SecondReview:
    """A lead of the tenant settles a disagreement: their label becomes the draft's label
    (`agreement.selectors.adjudicated_labels`). Only a resolved second review whose label
    differs from the first, and only once (a ruling is history; the event log keeps it)."""
    if label not in Label.values:
        raise InvalidInput(f"label must be one of {list(Label.values)}.", details={"field": "label"})
    with transaction.atomic():
        review = (
            SecondReview.objects.select_related("queue", "draft", "first_item")
            .select_for_update(of=("self",))
            .filter(pk=review_id)
            .first()
        )
        if review is None or not is_lead(user=acting_user, tenant_id=review.queue.tenant_id):
            raise NotFound(f"Second review {review_id} does not exist.")
        if review.state != SecondReviewState.RESOLVED:
            raise InvalidState("Only a finished second review can be adjudicated.", details={"state": review.state})
        first, second = label_of(review.first_item.disposition), label_of(review.disposition)
        if first == second:
            raise InvalidState("The two reviewers agree; there is nothing to adjudicate.")
        if review.adjudicated_at is not None:
            raise InvalidState(
                f"Second review {review.pk} was already adjudicated ({review.adjudicated_label}).",
                details={"label": review.adjudicated_label},
            )
        review.adjudicated_label, review.adjudicated_by, review.adjudicated_at = label, acting_user, now
        review.adjudication_note = note
        review.save(update_fields=["adjudicated_label", "adjudicated_by", "adjudicated_at", "adjudication_note"])
        data: dict[str, Any] = {
            "second_review_id": review.pk,
            "label": label,
            "first": {"reviewer_id": review.first_reviewer_id, "label": first},
            "second": {"reviewer_id": review.reviewer_id, "label": second},
            "note": note,
        }
        event_record(
            draft=review.draft,
            type=EventType.REVIEW_ADJUDICATED,
            now=now,
            item=review.first_item,
            actor=acting_user,
            data=data,
        )
    return review
