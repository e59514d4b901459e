"""Sending a draft to the scoring queue, through Celery's own publishing (`apply_async`)."""

from __future__ import annotations

import logging

from reviewqueue.intake.worker import score_draft

logger = logging.getLogger(__name__)


def draft_dispatch(*, draft_id: int) -> bool:
    """Send the draft to the scoring queue. A broker outage must not fail the enqueue: the
    draft stays `received` and the re-dispatch sweep sends it again later. No retry here, and
    the broker's connect timeouts are short (settings: CELERY_BROKER_*), so a dead broker
    costs the request a moment, not a hang."""
    try:
        score_draft.apply_async(args=[draft_id], retry=False)
    except Exception:  # kombu raises OperationalError and friends; none must reach the client
        logger.warning(
            "draft dispatch failed", extra={"action": "draft.dispatch.failed", "draft_id": draft_id}, exc_info=True
        )
        return False
    return True
