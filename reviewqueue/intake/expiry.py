"""Bounded re-dispatch: until when a draft's scoring message may still wait in the broker.

A scoring message carries the draft's `dispatch_expires_at` as its Celery `expires`, so a worker
that gets it later discards it unrun. The column is NULL when no message can be pending (never
published, the publish failed, or a worker took it). The re-dispatch sweep sends a draft again
only when none can be (`no_message_pending`), so a worker outage leaves one live message per
draft instead of one per sweep.

Its own module, beside `dispatch` (which publishes) and `worker` (which takes the message), so
that both can use it without importing each other.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from reviewqueue.review.models import Draft


def dispatch_expiry(now: datetime) -> datetime:
    """Until when a scoring message published now may wait in the broker before a worker drops it."""
    return now + timedelta(seconds=settings.REVIEWQUEUE_DISPATCH_EXPIRES_SECONDS)


def no_message_pending(now: datetime) -> Q:
    """Drafts none of whose scoring messages can still run: never published, the publish
    failed, a worker took it, or it has expired (a worker discards it unrun)."""
    # Strictly after: a Celery worker still runs a message at its very expiry instant.
    return Q(dispatch_expires_at__isnull=True) | Q(dispatch_expires_at__lt=now)


def draft_dispatch_taken(*, draft_id: int) -> None:
    """A worker took the draft's message: none is pending any more, so if this run dies (the
    worker is killed) the sweep may send the draft again without waiting for the expiry."""
    Draft.objects.filter(pk=draft_id, dispatch_expires_at__isnull=False).update(dispatch_expires_at=None)


def dispatch_failed(*, draft_id: int, expires: datetime) -> None:
    """The publish failed: no message is pending, so the sweep may send the draft again. Only
    the expiry this publish wrote is cleared (a later re-dispatch may have written another)."""
    Draft.objects.filter(pk=draft_id, dispatch_expires_at=expires).update(dispatch_expires_at=None)
