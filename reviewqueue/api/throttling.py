"""API throttles: per calling key (or signed-in reviewer) and per tenant, on the shared cache.

The rates are read from settings on every request (DRF reads its own once, at import), so an
operator's change or a test's override applies without a restart. A throttled request gets 429
`throttled` with `Retry-After`.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from reviewqueue.tenancy.models import ServiceClient

logger = logging.getLogger(__name__)


class _SettingsRateThrottle(SimpleRateThrottle):
    setting = ""

    def get_rate(self) -> str:
        return str(getattr(settings, self.setting))

    def allow_request(self, request: Request, view: Any) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception as exc:  # the cache is down (Redis with the broker): fail open, stay up
            logger.warning("throttle: cache unavailable", extra={"action": "throttle.cache_down", "error": str(exc)})
            return True


class ClientRateThrottle(_SettingsRateThrottle):
    scope = "client"
    setting = "REVIEWQUEUE_API_RATE_PER_CLIENT"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        user = request.user
        if isinstance(user, ServiceClient):
            ident = f"key:{user.pk}"
        elif user is not None and user.is_authenticated:
            ident = f"user:{user.pk}"
        else:
            return None  # refused by authentication anyway; failures have their own limit
        return self.cache_format % {"scope": self.scope, "ident": ident}


class TenantRateThrottle(_SettingsRateThrottle):
    """All of a tenant's keys together, so one tenant cannot take the whole API by minting keys."""

    scope = "tenant"
    setting = "REVIEWQUEUE_API_RATE_PER_TENANT"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        user = request.user
        if not isinstance(user, ServiceClient):
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.tenant_id}
