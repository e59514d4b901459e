"""API throttles: per calling key (or signed-in reviewer) and per tenant, on the shared cache.

A fixed window per subject: one counter per (subject, window), incremented atomically (one
pipelined round trip on Redis), so a request costs one small cache call whatever the rate. DRF's own
SimpleRateThrottle keeps every request's timestamp of the window in one cache value, which it
reads, rewrites and pickles on every request: 1,200 floats at 1200/min. The price of the fixed
window is that a client can spend its budget at the end of one window and again at the start of
the next.

The rates are read from settings on every request (DRF reads its own once, at import), so an
operator's change or a test's override applies without a restart. A throttled request gets 429
`throttled` with `Retry-After`. An unreachable cache fails open: the API stays up while Redis
(which is also the broker) is down.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from reviewqueue.limits import incr_counters
from reviewqueue.tenancy.models import ServiceClient

logger = logging.getLogger(__name__)

_PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """`N/period` (checked at start-up by env_rate) as (requests, seconds)."""
    count, _, period = rate.partition("/")
    return int(count), _PERIOD_SECONDS[period[0]]


class ApiRateThrottle(BaseThrottle):
    """Per calling key (or signed-in reviewer) and, for keys, per tenant: all of a tenant's keys
    together, so one tenant cannot take the whole API by minting keys. Both counters in one
    cache round trip."""

    def __init__(self) -> None:
        self._wait: float | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        user = request.user
        if isinstance(user, ServiceClient):
            limits = [
                ("client", f"key:{user.pk}", settings.REVIEWQUEUE_API_RATE_PER_CLIENT),
                ("tenant", str(user.tenant_id), settings.REVIEWQUEUE_API_RATE_PER_TENANT),
            ]
        elif user is not None and user.is_authenticated:
            limits = [("client", f"user:{user.pk}", settings.REVIEWQUEUE_API_RATE_PER_CLIENT)]
        else:
            return True  # refused by authentication anyway; failures have their own limit
        now = time.time()
        windows = []
        for scope, subject, rate in limits:
            limit, seconds = parse_rate(str(rate))
            window = int(now // seconds)
            windows.append((f"throttle:{scope}:{subject}:{seconds}:{window}", limit, seconds, window))
        try:
            counts = incr_counters([w[0] for w in windows], max(w[2] for w in windows) + 1)
        except Exception as exc:  # any backend's connection error: fail open
            logger.warning("throttle: cache unavailable", extra={"action": "throttle.cache_down", "error": str(exc)})
            return True
        waits = [
            max(1, math.ceil((window + 1) * seconds - now))
            for count, (_, limit, seconds, window) in zip(counts, windows, strict=True)
            if count > limit
        ]
        if not waits:
            return True
        self._wait = max(waits)
        return False

    def wait(self) -> float | None:
        return self._wait
