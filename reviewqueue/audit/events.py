"""The append-only event log: the registry of event types and the functions that write a row.

Called inside the transaction of the change the event records. Every type an event may have is
named in `EventType`; writing any other is a bug and raises at once, so a typo cannot reach the
history an auditor reads or the webhooks a service receives.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from django.contrib.auth.models import User
from django.db import models

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.tenancy.models import ServiceClient

if TYPE_CHECKING:  # annotations only: the event's foreign keys name these models by string
    from reviewqueue.review.models import Draft, ReviewItem


class EventType(models.TextChoices):
    """Every event type, dotted `<part>.<what>[.<detail>]`, with what it records."""

    DRAFT_RECEIVED = "draft.received", "A service enqueued the draft"
    DRAFT_REDISPATCHED = "draft.redispatched", "The re-dispatch sweep sent a stuck draft to scoring again"
    DRAFT_SCORED = "draft.scored", "The scorer scored the draft"
    DRAFT_SCORING_FAILED = "draft.scoring_failed", "The scorer failed on the draft; it goes to review"
    DRAFT_ROUTED = "draft.routed", "The routing policy decided where the draft goes"
    DRAFT_DECIDED = "draft.decided", "The final answer is fixed"
    DRAFT_AUDIT_SAMPLED = "draft.audit_sampled", "The sent draft was drawn into the blind audit sample"
    DRAFT_FEEDBACK = "draft.feedback", "A service reported the customer's outcome (reopened, complained, corrected)"
    DRAFT_FOLLOW_UP_SENT = "draft.follow_up.sent", "A reviewer sent the follow-up a blocked draft's fallback promised"
    DRAFT_CONTENT_PURGED = "draft.content.purged", "The retention sweep purged the decided draft's content"
    REVIEW_CREATED = "review.created", "A review item was opened in a queue"
    REVIEW_CLAIMED = "review.claimed", "A reviewer leased the item"
    REVIEW_RELEASED = "review.released", "The reviewer gave the item back to its queue"
    REVIEW_FORCE_RELEASED = "review.force_released", "An ops lead took a claimed item back from its reviewer"
    REVIEW_APPROVED = "review.approved", "The reviewer sent the draft as written"
    REVIEW_EDITED = "review.edited", "The reviewer sent an edited answer"
    REVIEW_REJECTED = "review.rejected", "The reviewer rejected the draft; the fallback was sent"
    REVIEW_ESCALATED = "review.escalated", "The reviewer escalated the item to another queue"
    REVIEW_LEASE_EXPIRED = "review.lease.expired", "A lease lapsed (found by a claim or the lease sweep)"
    REVIEW_SLA_WARNING = "review.sla.warning", "The item passed the warning fraction of its SLA"
    REVIEW_SLA_BREACHED = "review.sla.breached", "The item passed its SLA; the fallback action applied"
    CALIBRATION_CLAIM_LABELLED = "calibration.claim.labelled", "A reviewer labelled one claim of the draft"
    SECOND_REVIEW_OPENED = "review.second.opened", "The resolved item was sampled for a blind second review"
    SECOND_REVIEW_CLAIMED = "review.second.claimed", "Another reviewer leased the second review"
    SECOND_REVIEW_RELEASED = "review.second.released", "The second reviewer gave the second review back"
    SECOND_REVIEW_SUBMITTED = "review.second.submitted", "The second reviewer gave their disposition"
    REVIEW_ADJUDICATED = "review.adjudicated", "A lead settled a disagreement; their label wins for the draft"
    GOLDEN_PROMOTED = "golden.promoted", "A lead added the reviewed draft to the tenant's golden set"
    # Golden-set events that concern no draft are written to golden.GoldenEvent with these types.
    GOLDEN_IMPORTED = "golden.imported", "Records were imported into the tenant's golden set"
    GOLDEN_EVALUATED = "golden.evaluated", "The golden set was scored for a version combination"
    GOLDEN_REGRESSION = "golden.regression", "A golden-set figure fell beyond the tenant's tolerance"
    GOLDEN_GATE_BLOCKED = "golden.gate.blocked", "The golden gate refused to promote a candidate"
    GOLDEN_TOLERANCE_CHANGED = "golden.tolerance.changed", "A lead changed the golden-set tolerance"
    # Candidate events (no draft): recorded by `calibration.shadow` in `CandidateEvent`, typed here.
    CANDIDATE_STAGED = "policy.candidate.staged", "A lead staged a calibrator or policy as the shadow candidate"
    CANDIDATE_PROMOTED = "policy.candidate.promoted", "A lead promoted the shadow candidate: it routes live"
    CANDIDATE_ROLLED_BACK = "policy.candidate.rolled_back", "A lead rolled a candidate back (withdrawn or unpromoted)"

    # Alert events have no draft: they are rows of `alerts.AlertEvent`, the alerts' own outbox.
    ALERT_RULE_CREATED = "alert.rule.created", "An ops lead created an alert rule"
    ALERT_RULE_UPDATED = "alert.rule.updated", "An ops lead changed an alert rule"
    ALERT_FIRED = "alert.fired", "An alert rule's figure reached its threshold: an episode began"
    ALERT_CLEARED = "alert.cleared", "An alert rule's figure went back under its threshold: the episode ended"


# A set, read once: `EventType.values` builds a new list on every access, twice per event written.
_REGISTERED = frozenset(EventType.values)


def event_type_check(type: str) -> str:
    """The type, if registered; a ValueError otherwise (for every table that records events)."""
    if type not in _REGISTERED:
        raise ValueError(f"{type!r} is not a registered event type (EventType)")
    return str(type)


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


def event_new(*, draft: Draft, type: EventType, now: datetime, **fields: Unpack[EventFields]) -> ReviewEvent:
    """The event row, unsaved (for a caller that saves it along with a new draft)."""
    return ReviewEvent(
        draft=draft,
        item=fields.get("item"),
        actor=fields.get("actor"),
        client=fields.get("client"),
        type=event_type_check(type),
        from_state=fields.get("from_state", ""),
        to_state=fields.get("to_state", ""),
        created_at=now,
        data=event_data(draft, fields.get("data")),
    )


def event_record(*, draft: Draft, type: EventType, now: datetime, **fields: Unpack[EventFields]) -> ReviewEvent:
    """Write the event now, in the caller's transaction."""
    event = event_new(draft=draft, type=type, now=now, **fields)
    event.save(force_insert=True)
    return event
