"""Reads about tenants and the people in them."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils.crypto import salted_hmac

from reviewqueue.tenancy.models import Membership, Role, Tenant


def is_lead(*, user: User, tenant_id: int) -> bool:
    """Whether `user` is an ops lead of the tenant (the ops pages' and lead actions' guard)."""
    return Membership.objects.filter(user=user, tenant_id=tenant_id, role=Role.LEAD).exists()


def reviewer_ref(user: User, *, tenant: Tenant) -> str:
    """What a service may know of a reviewer: an opaque id, stable for one reviewer in one tenant
    (so "same reviewer" can be seen) and not the same across tenants; the username only when the
    tenant turned names on."""
    if tenant.expose_reviewer_names:
        return user.get_username()
    digest = salted_hmac("reviewqueue.api.reviewer_ref", f"{tenant.pk}:{user.pk}", algorithm="sha256").hexdigest()
    return f"rvw_{digest[:20]}"
