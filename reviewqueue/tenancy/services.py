"""Tenants, memberships and service API keys."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.models import Group, User
from django.db import connection, transaction

from reviewqueue import rows
from reviewqueue.tenancy import keycache
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
    ServiceClient.objects.filter(pk=client.pk, revoked_at__isnull=True).update(revoked_at=now)
    # This process forgets now; the others within REVIEWQUEUE_KEY_CACHE_SECONDS (see keycache).
    keycache.forget_all()


# The timestamps are judged in SQL and not loaded: turning a timestamptz into an aware datetime
# is Python code in Django's loader, run for each of them on every uncached lookup.
# A revoked key matches no row; the last column says whether last_used_at is due for a touch.
_CLIENT_DEFER: rows.Defer = ("created_at", "last_used_at", "revoked_at")
_CLIENT_BY_PREFIX = (
    f"SELECT {rows.columns(ServiceClient, 'c', _CLIENT_DEFER)},"  # noqa: S608 - column names from the model
    " c.last_used_at IS NULL OR c.last_used_at <= %s"
    " FROM tenancy_serviceclient AS c WHERE c.key_prefix = %s AND c.revoked_at IS NULL"
)


def service_client_authenticate(
    *,
    key: str,
    now: datetime,
    touch_every: timedelta,
    cache_seconds: float = 0,
) -> ServiceClient | None:
    """One indexed lookup by prefix, a constant-time compare, and a last-used write at most once
    per `touch_every`, so authentication stays off the write path of every request. With
    `cache_seconds`, a key verified that recently is not looked up again (see keycache)."""
    if not key.startswith(KEY_PREFIX):
        return None
    prefix, sep, _ = key[len(KEY_PREFIX) :].partition("_")
    if not sep or not prefix:
        return None
    key_hash = _hash_key(key)
    if cache_seconds > 0 and (cached := keycache.get(key_hash)) is not None:
        return cached
    # Raw SQL: this runs on every service request, and compiling the ORM query cost more than
    # the query itself.
    with connection.cursor() as cursor:
        cursor.execute(_CLIENT_BY_PREFIX, [connection.ops.adapt_datetimefield_value(now - touch_every), prefix])
        row = cursor.fetchone()
    if row is None:
        return None
    client = rows.from_row(ServiceClient, row[:-1], _CLIENT_DEFER)
    if not hmac.compare_digest(client.key_hash, key_hash):
        return None
    client.revoked_at = None  # the WHERE clause says so; set, so reading it costs no query
    if row[-1]:
        ServiceClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
    keycache.put(key_hash, client, cache_seconds)
    return client
