"""Tenants, memberships and service API keys."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.models import Group, User
from django.db import transaction

from reviewqueue.tenancy.models import Membership, Role, ServiceClient, Tenant

KEY_PREFIX = "rq_"


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def tenant_create(*, slug: str, name: str) -> Tenant:
    return Tenant.objects.create(slug=slug, name=name)


def membership_grant(
    *, user: User, tenant: Tenant, role: str = Role.REVIEWER, groups: list[Group] | None = None
) -> Membership:
    with transaction.atomic():
        membership, _ = Membership.objects.update_or_create(user=user, tenant=tenant, defaults={"role": role})
        for group in groups or []:
            user.groups.add(group)
    return membership


def service_client_create(*, tenant: Tenant, name: str, webhook_url: str = "") -> tuple[ServiceClient, str]:
    """Returns the client and its API key. The key is shown once; only its hash is kept."""
    prefix = secrets.token_hex(6)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    client = ServiceClient.objects.create(
        tenant=tenant,
        name=name,
        key_prefix=prefix,
        key_hash=_hash_key(key),
        webhook_url=webhook_url,
        webhook_secret=secrets.token_hex(32) if webhook_url else "",
    )
    return client, key


def service_client_revoke(*, client: ServiceClient, now: datetime) -> None:
    """Every process refuses the key from its next request on: nothing caches a verified key."""
    ServiceClient.objects.filter(pk=client.pk, revoked_at__isnull=True).update(revoked_at=now)


def service_client_authenticate(*, key: str, now: datetime, touch_every: timedelta) -> ServiceClient | None:
    """One indexed lookup by prefix, a constant-time compare, and a last-used write at most once
    per `touch_every`, so authentication stays off the write path of every request. A revoked
    key matches no row."""
    if not key.startswith(KEY_PREFIX):
        return None
    prefix, sep, _ = key[len(KEY_PREFIX) :].partition("_")
    if not sep or not prefix:
        return None
    try:
        # Index: the unique key_prefix. get(), not first(): no ORDER BY to compile on every request.
        client = ServiceClient.objects.get(key_prefix=prefix, revoked_at__isnull=True)
    except ServiceClient.DoesNotExist:
        return None
    if not hmac.compare_digest(client.key_hash, _hash_key(key)):
        return None
    if client.last_used_at is None or client.last_used_at <= now - touch_every:
        ServiceClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
    return client
