"""Writes for calibration labels. Same recipe as the review services: atomic → lock → guard →
write → event."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from reviewqueue.audit.events import EventType, event_record
from reviewqueue.calibration.models import ClaimLabel, ClaimVerdict, DraftFeedback, FeedbackKind
from reviewqueue.errors import InvalidInput, InvalidState, NotFound
from reviewqueue.intake.scores import stored_score
from reviewqueue.review.models import Draft, DraftStatus, Outcome
from reviewqueue.review.services import leased_item_for_update
from reviewqueue.tenancy.models import ServiceClient


def claim_label_record(
    *,
    user: User,
    item_id: int,
    claim_index: int,
    label: str,
    now: datetime,
) -> ClaimLabel:
    """Record (or change) the reviewer's verdict on one claim of the item's draft.

    Only the reviewer holding a live lease may label, and only within the item's SLA (the same
    guard as submit): a label is part of the review, and a reviewer who lost the item must not
    keep writing to it.
    """
    if label not in ClaimVerdict.values:
        raise InvalidInput(f"label must be one of {list(ClaimVerdict.values)}.", details={"field": "label"})
    with transaction.atomic():
        item = leased_item_for_update(user=user, item_id=item_id, now=now)
        score = stored_score(item.draft.score)
        claims = score.claims if score is not None else ()
        if not 0 <= claim_index < len(claims):
            raise InvalidInput(f"This draft has no claim {claim_index}.", details={"field": "claim_index"})
        claim = claims[claim_index]
        start, end = int(claim.start or 0), int(claim.end or 0)
        existing = ClaimLabel.objects.filter(item=item, claim_index=claim_index, reviewer=user).first()
        previous = existing.label if existing else ""
        if existing is None:
            record = ClaimLabel.objects.create(
                item=item,
                draft=item.draft,
                claim_index=claim_index,
                claim_text=str(claim.text),
                start=max(start, 0),
                end=max(end, start, 0),
                model_verdict=str(claim.verdict or ""),
                label=label,
                reviewer=user,
                created_at=now,
                updated_at=now,
            )
        else:
            record = existing
            if existing.label != label:
                record.label, record.updated_at = label, now
                record.save(update_fields=["label", "updated_at"])
        if previous != label:
            event_record(
                draft=item.draft,
                type=EventType.CALIBRATION_CLAIM_LABELLED,
                now=now,
                item=item,
                actor=user,
                data={
                    "claim_index": claim_index,
                    "label": label,
                    "previous": previous or None,
                    "model_verdict": record.model_verdict or None,
                    "claim_text": record.claim_text,
                },
            )
    return record


def draft_feedback_record(
    *,
    client: ServiceClient,
    draft_id: int,
    kind: str,
    now: datetime,
    note: str = "",
    corrected_text: str = "",
) -> tuple[DraftFeedback, bool]:
    """Record what a service learnt from its customer after a draft was answered: reopened,
    complained, corrected. Returns the row and whether it is new.

    Idempotent per draft and kind: a repeat (a retried request, a second complaint) returns the
    stored row and writes nothing, so a label is never counted twice. Only a decided draft (an
    answer went out) takes feedback; another tenant's draft is a 404, never a hint that it exists.
    It labels the draft bad when the draft went out as written, auto-sent ones included
    (reviewqueue/calibration/labels.py); the event says whether it did.
    """
    if kind not in FeedbackKind.values:
        raise InvalidInput(f"kind must be one of {list(FeedbackKind.values)}.", details={"field": "kind"})
    with transaction.atomic():
        draft = Draft.objects.select_for_update().filter(pk=draft_id, tenant_id=client.tenant_id).first()
        if draft is None:
            raise NotFound(f"Draft {draft_id} does not exist.")
        if draft.status != DraftStatus.DECIDED:
            raise InvalidState(
                f"Draft {draft_id} is {draft.status}: no answer has been sent, so there is no outcome to report.",
                details={"status": draft.status},
            )
        existing = DraftFeedback.objects.filter(draft=draft, kind=kind).first()
        if existing is not None:
            return existing, False
        try:
            # The row lock above serialises duplicates on PostgreSQL; on SQLite the unique
            # constraint is what refuses the second of two concurrent writes.
            with transaction.atomic():
                row = DraftFeedback.objects.create(
                    draft=draft, kind=kind, note=note, corrected_text=corrected_text, client=client, created_at=now
                )
        except IntegrityError:
            return DraftFeedback.objects.get(draft=draft, kind=kind), False
        event_record(
            draft=draft,
            type=EventType.DRAFT_FEEDBACK,
            now=now,
            client=client,
            data={
                "feedback_id": row.pk,
                "kind": kind,
                "note": note,
                "labels_draft": draft.outcome == Outcome.SENT_DRAFT,
            },
        )
    return row, True
