"""Writing the append-only event log. Called inside the transaction of the change it records."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict, Unpack

from django.contrib.auth.models import User

from reviewqueue.review.models import Draft, ReviewEvent, ReviewItem
from reviewqueue.tenancy.models import ServiceClient


def event_data(draft: Draft, data: dict[str, Any] | None) -> dict[str, Any]:
    """The event's data plus the draft's context."""
    payload = dict(data or {})
    # Every event carries the versions that shaped the decision, so any row explains itself.
    if draft.versions and "versions" not in payload:
        payload["versions"] = draft.versions
    if draft.prompt_version or draft.prompt_hash:
        payload.setdefault("prompt", {"version": draft.prompt_version, "hash": draft.prompt_hash})
    return payload


class EventFields(TypedDict, total=False):
    """What an event may say beyond its draft, type and time."""

    item: ReviewItem | None
    actor: User | None
    client: ServiceClient | None
    from_state: str
    to_state: str
    data: dict[str, Any] | None


def event_new(*, draft: Draft, type: str, now: datetime, **fields: Unpack[EventFields]) -> ReviewEvent:
    """The event row, unsaved (for a caller that saves it along with a new draft)."""
    return ReviewEvent(
        draft=draft,
        item=fields.get("item"),
        actor=fields.get("actor"),
        client=fields.get("client"),
        type=type,
        from_state=fields.get("from_state", ""),
        to_state=fields.get("to_state", ""),
        created_at=now,
        data=event_data(draft, fields.get("data")),
    )


def event_record(*, draft: Draft, type: str, now: datetime, **fields: Unpack[EventFields]) -> ReviewEvent:
    """Write the event now, in the caller's transaction."""
    event = event_new(draft=draft, type=type, now=now, **fields)
    event.save(force_insert=True)
    return event
