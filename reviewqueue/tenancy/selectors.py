"""Reads about tenants and the people in them."""

from __future__ import annotations

from django.contrib.auth.models import User

from reviewqueue.tenancy.models import Membership, Role


def is_lead(*, user: User, tenant_id: int) -> bool:
    """Whether `user` is an ops lead of the tenant (the ops pages' and lead actions' guard)."""
    return Membership.objects.filter(user=user, tenant_id=tenant_id, role=Role.LEAD).exists()
