"""Sending a draft to the scoring queue, through Celery's own publishing (`apply_async`)."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import DatabaseError

from reviewqueue.intake.expiry import dispatch_failed
from reviewqueue.intake.worker import score_draft

logger = logging.getLogger(__name__)


def draft_dispatch(*, draft_id: int, expires: datetime | None) -> bool:
    """Send the draft to the scoring queue. A broker outage must not fail the enqueue: the
    draft stays `received` and the re-dispatch sweep sends it again later. No retry here, and
    the broker's timeouts are short (REVIEWQUEUE_BROKER_TIMEOUT_SECONDS), so a dead or silent
    broker costs the request a moment, not a hang.

    `expires` is the draft's dispatch_expires_at, written by the caller's transaction: the
    message carries it, so a worker that gets the message later discards it unrun. When the
    publish fails no message is pending, so it is cleared and the sweep may send the draft."""
    try:
        score_draft.apply_async(args=[draft_id], retry=False, expires=expires)
    except Exception:  # kombu raises OperationalError and friends; none must reach the client
        logger.warning(
            "draft dispatch failed", extra={"action": "draft.dispatch.failed", "draft_id": draft_id}, exc_info=True
        )
        if expires is not None:
            try:
                dispatch_failed(draft_id=draft_id, expires=expires)
            except DatabaseError:  # then the sweep waits for the expiry instead: later, never twice
                logger.warning("could not clear dispatch expiry", extra={"draft_id": draft_id}, exc_info=True)
        return False
    return True
