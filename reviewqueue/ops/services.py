"""Writes of the ops workspace. (Transitions of review items, the lead's force-release included,
are in `reviewqueue.review.services`: one function per transition, whoever calls it.)"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from reviewqueue.agreement.models import DoubleReviewShare
from reviewqueue.agreement.selectors import queue_share
from reviewqueue.errors import InvalidInput, NotFound
from reviewqueue.ops.models import QueueSettingsChange
from reviewqueue.review.models import Queue
from reviewqueue.tenancy.models import Membership, Role, Tenant
from reviewqueue.tenancy.selectors import is_lead
from reviewqueue.tenancy.services import membership_grant

logger = logging.getLogger(__name__)


def lead_grant(*, user: User, tenant: Tenant) -> Membership:
    """Make `user` an ops lead of `tenant`: the lead role is the membership's role, per tenant,
    so a lead of one tenant is nobody in another. Idempotent."""
    return membership_grant(user=user, tenant=tenant, role=Role.LEAD)


def lead_revoke(*, user: User, tenant: Tenant) -> None:
    """Back to reviewer in `tenant` (the membership, and so access to its queues, stays)."""
    Membership.objects.filter(user=user, tenant=tenant, role=Role.LEAD).update(role=Role.REVIEWER)


# The queue settings a lead may change from /ops/queues/<id>/settings/.
QUEUE_SETTINGS = (
    "title",
    "sla_minutes",
    "lease_seconds",
    "reviewer_group",
    "fallback_action",
    "fallback_text",
    "follow_up_on_block",
    "escalation_queue",
    "reject_reasons",
    "business_value",
    "audit_share",
    "audit_queue",
    "guidelines",
)


_ATTNAME = {
    "reviewer_group": "reviewer_group_id",
    "escalation_queue": "escalation_queue_id",
    "audit_queue": "audit_queue_id",
}


def _settings_of(queue: Queue) -> dict[str, Any]:
    # The id for a foreign key: what the audit row stores.
    return {name: getattr(queue, _ATTNAME.get(name, name)) for name in QUEUE_SETTINGS}


def queue_settings_update(*, acting_user: User, queue_id: int, changes: dict[str, Any], now: datetime) -> Queue:
    """Apply validated settings to a queue of a tenant the user leads, with the audit row in the
    same transaction (lock → guard → write the changed fields → audit). Items already open keep
    the due time they were given; a new SLA applies to items opened from now on."""
    unknown = set(changes) - set(QUEUE_SETTINGS)
    if unknown:
        raise InvalidInput(f"Not a queue setting: {sorted(unknown)}.")
    with transaction.atomic():
        queue = Queue.objects.select_for_update().filter(pk=queue_id).first()
        if queue is None or not is_lead(user=acting_user, tenant_id=queue.tenant_id):
            raise NotFound(f"Queue {queue_id} does not exist.")
        before = _settings_of(queue)
        for name, value in changes.items():
            setattr(queue, name, value)
        try:
            queue.full_clean(exclude=["tenant", "name", "is_default", "scoring_rules"])
        except ValidationError as exc:
            raise InvalidInput("Invalid queue settings.", details={"fields": exc.message_dict}) from None
        after = _settings_of(queue)
        changed = [name for name in QUEUE_SETTINGS if before[name] != after[name]]
        if not changed:
            return queue
        queue.save(update_fields=changed)
        QueueSettingsChange.objects.create(
            queue=queue,
            actor=acting_user,
            created_at=now,
            before={n: before[n] for n in changed},
            after={n: after[n] for n in changed},
        )
    logger.info(
        "queue settings changed",
        extra={"action": "ops.queue.settings", "queue_id": queue.pk, "fields": changed, "actor": acting_user.pk},
    )
    return queue


def double_review_share_set(*, acting_user: User, queue_id: int, share: float, now: datetime) -> DoubleReviewShare:
    """Set a queue's second-review share (0–1), by a lead of its tenant, with the queue-settings
    audit row (the share is a queue setting, kept beside the queue in the agreement app)."""
    if not 0.0 <= share <= 1.0:
        raise InvalidInput("The share must be between 0 and 1.", details={"field": "share"})
    with transaction.atomic():
        queue = Queue.objects.select_for_update().filter(pk=queue_id).first()
        if queue is None or not is_lead(user=acting_user, tenant_id=queue.tenant_id):
            raise NotFound(f"Queue {queue_id} does not exist.")
        before = queue_share(queue=queue)
        row, _ = DoubleReviewShare.objects.update_or_create(
            queue=queue, defaults={"share": share, "updated_at": now, "updated_by": acting_user}
        )
        if before != share:
            QueueSettingsChange.objects.create(
                queue=queue,
                actor=acting_user,
                created_at=now,
                before={"second_review_share": before},
                after={"second_review_share": share},
            )
    return row
