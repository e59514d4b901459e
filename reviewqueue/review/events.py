"""Writing the append-only event log. Called inside the transaction of the change it records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User

from reviewqueue.review.models import Draft, ReviewEvent, ReviewItem
from reviewqueue.tenancy.models import ServiceClient


def event_data(draft: Draft, data: dict[str, Any] | None) -> dict[str, Any]:
    """The event's data plus the draft's context (claim_pg builds the same in SQL)."""
    payload = dict(data or {})
    # Every event carries the versions that shaped the decision, so any row explains itself.
    if draft.versions and "versions" not in payload:
        payload["versions"] = draft.versions
    if draft.prompt_version or draft.prompt_hash:
        payload.setdefault("prompt", {"version": draft.prompt_version, "hash": draft.prompt_hash})
    return payload


def event_new(
    *,
    draft: Draft,
    type: str,
    now: datetime,
    item: ReviewItem | None = None,
    actor: User | None = None,
    client: ServiceClient | None = None,
    from_state: str = "",
    to_state: str = "",
    data: dict[str, Any] | None = None,
) -> ReviewEvent:
    """The event row, unsaved (for a caller that writes it in its own statement)."""
    return ReviewEvent(
        draft=draft,
        item=item,
        actor=actor,
        client=client,
        type=type,
        from_state=from_state,
        to_state=to_state,
        created_at=now,
        data=event_data(draft, data),
    )


def event_record(
    *,
    draft: Draft,
    type: str,
    now: datetime,
    item: ReviewItem | None = None,
    actor: User | None = None,
    client: ServiceClient | None = None,
    from_state: str = "",
    to_state: str = "",
    data: dict[str, Any] | None = None,
) -> ReviewEvent:
    """Write the event now, in the caller's transaction."""
    event = event_new(draft=draft, type=type, now=now, item=item, actor=actor, client=client,
                      from_state=from_state, to_state=to_state, data=data)
    event.save(force_insert=True)
    return event
