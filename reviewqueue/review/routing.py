"""Score a draft and route it: the one adapter between Django and the `scoring` library.

Model inference happens here, outside any transaction; the results are then written through
the transition services (`draft_record_score`, `draft_route`).
"""

from __future__ import annotations

import logging

from django.utils import timezone

from reviewqueue.review import services
from reviewqueue.review.models import Decision, Draft, DraftStatus, Queue

logger = logging.getLogger(__name__)


def target_queue(draft: Draft) -> Queue | None:
    if draft.requested_queue_id is not None:
        return draft.requested_queue
    return Queue.objects.filter(tenant_id=draft.tenant_id, is_default=True).first()


def priority_for(*, risk: float, confidence: float | None, business_value: float) -> float:
    """risk × (1 − confidence) × business value; an unscored draft counts as a coin flip."""
    conf = 0.5 if confidence is None else confidence
    return round(risk * (1.0 - conf) * business_value, 6)


def score_and_route(draft_id: int) -> str:
    """Returns what happened, for the task log. Safe to run twice for the same draft."""
    draft = Draft.objects.select_related("requested_queue").filter(pk=draft_id).first()
    if draft is None:
        return "missing"
    if draft.status == DraftStatus.RECEIVED:
        # The scoring seam: until the scoring engine is wired in, every draft is held for review.
        services.draft_record_score(draft_id=draft.pk, score=None, confidence=None,
                                    versions={"scorer": "seam"}, now=timezone.now())
    queue = target_queue(draft)
    routed = services.draft_route(
        draft_id=draft.pk, decision=Decision.QUEUE_FOR_REVIEW, reasons=["scoring_not_configured"],
        queue=queue, priority=priority_for(risk=1.0, confidence=None,
                                           business_value=queue.business_value if queue else 1.0),
        now=timezone.now(),
    )
    return "routed" if routed else "already_routed"
