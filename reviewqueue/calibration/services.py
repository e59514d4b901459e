"""Writes for calibration labels. Same recipe as the review services: atomic → lock → guard →
write → event."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction

from reviewqueue.audit.events import EventType, event_record
from reviewqueue.calibration.models import ClaimLabel, ClaimVerdict
from reviewqueue.errors import InvalidInput
from reviewqueue.intake.scores import stored_score
from reviewqueue.review.services import leased_item_for_update


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
