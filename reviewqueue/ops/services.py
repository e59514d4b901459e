"""Writes of the ops workspace. (Transitions of review items, the lead's force-release included,
are in `reviewqueue.review.services`: one function per transition, whoever calls it.)"""

from __future__ import annotations

from django.contrib.auth.models import User

from reviewqueue.tenancy.models import Membership, Role, Tenant
from reviewqueue.tenancy.services import membership_grant


def lead_grant(*, user: User, tenant: Tenant) -> Membership:
    """Make `user` an ops lead of `tenant`: the lead role is the membership's role, per tenant,
    so a lead of one tenant is nobody in another. Idempotent."""
    return membership_grant(user=user, tenant=tenant, role=Role.LEAD)


def lead_revoke(*, user: User, tenant: Tenant) -> None:
    """Back to reviewer in `tenant` (the membership, and so access to its queues, stays)."""
    Membership.objects.filter(user=user, tenant=tenant, role=Role.LEAD).update(role=Role.REVIEWER)
