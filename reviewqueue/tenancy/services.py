"""Tenants, memberships and service API keys."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.models import Group, User
from django.db import transaction

from reviewqueue.compiled_reads import CompiledRead
from reviewqueue.errors import InvalidInput
from reviewqueue.tenancy.models import Membership, Role, ServiceClient, Tenant

logger = logging.getLogger(__name__)

KEY_PREFIX = "rq_"
_CLIENT_BY_PREFIX = CompiledRead(
    lambda prefix: ServiceClient.objects.filter(key_prefix=prefix, revoked_at__isnull=True), prefix=str
)


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
    client = ServiceClient.objects.create(tenant=tenant, name=name, key_prefix=prefix, key_hash=_hash_key(key))
    service_client_set_webhook(client=client, url=webhook_url)
    return client, key


def service_client_set_webhook(*, client: ServiceClient, url: str) -> str | None:
    """Point the client's webhook at `url` (or nowhere, with ""). A new URL gets a new secret,
    returned to be shown once (only the server and the receiver should know it); the same URL
    keeps its secret (None is returned); no URL, no secret. Every path that sets a URL (the admin,
    a command, client creation) comes through here, so nothing is ever delivered unsigned."""
    url = url.strip()
    if url == client.webhook_url and (bool(client.webhook_secret) == bool(url)):
        return None
    secret = secrets.token_hex(32) if url else ""
    client.webhook_url, client.webhook_secret = url, secret
    client.save(update_fields=["webhook_url", "webhook_secret"])
    logger.info(
        "webhook set",
        extra={"action": "webhook.set", "client_id": client.pk, "enabled": bool(url)},
    )
    return secret or None


def service_client_rotate_webhook_secret(*, client: ServiceClient) -> str:
    """A new secret for the same URL, returned to be shown once; the old one stops signing at once
    (the receiver must switch to the new one: deliveries it refuses meanwhile are retried)."""
    if not client.webhook_url:
        raise InvalidInput("This client has no webhook URL; set one first.", details={"field": "webhook_url"})
    client.webhook_secret = secrets.token_hex(32)
    client.save(update_fields=["webhook_secret"])
    logger.info("webhook secret rotated", extra={"action": "webhook.rotated", "client_id": client.pk})
    return client.webhook_secret


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
    # Index: the unique key_prefix. Read on every request (a key revoked by any process is refused
    # at once), so compiled once (compiled_reads): building the query cost more than running it.
    client = next(iter(_CLIENT_BY_PREFIX(prefix=prefix)), None)
    if client is None:
        return None
    if not hmac.compare_digest(client.key_hash, _hash_key(key)):
        return None
    if client.last_used_at is None or client.last_used_at <= now - touch_every:
        ServiceClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
    return client
