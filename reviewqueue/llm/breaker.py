"""A circuit breaker per endpoint, its state in the Django cache.

Why the cache and not the database: the state is read before every call and written after every
failure, it is only worth anything while it is fresh, and losing it (a cache flush, a restart)
only closes the breaker, which is the safe direction — calls still have their timeouts. The cache
is the one every process already shares for the throttles (Redis in production; files under
`var/cache` on the embedded default), so web and worker processes see the same breaker. Keeping
it out of the database also keeps a failing LLM from adding writes to the one store we cannot
lose. If the cache itself is down the breaker fails open (behaves as closed), like the throttles.

States: closed (calls pass; consecutive failures counted) → open after `failures` of them (calls
refused at once for `reset_seconds`) → half-open (one probe call is let through, chosen by an
atomic `cache.add`; its success closes the breaker, its failure opens it again).
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.core.cache import cache

from reviewqueue.llm.errors import LlmBreakerOpen

logger = logging.getLogger(__name__)


class CircuitBreaker:
    def __init__(self, endpoint: str, *, failures: int, reset_seconds: int) -> None:
        self.endpoint = endpoint
        self.threshold = failures
        self.reset_seconds = reset_seconds
        digest = hashlib.sha256(endpoint.encode()).hexdigest()[:16]
        self._failures = f"llm:breaker:{digest}:failures"
        self._open_until = f"llm:breaker:{digest}:open_until"
        self._probe = f"llm:breaker:{digest}:probe"

    def state(self) -> str:
        try:
            until = cache.get(self._open_until)
        except Exception:
            return "closed"
        if until is None:
            return "closed"
        return "open" if time.time() < until else "half_open"

    def check(self) -> None:
        """Raises LlmBreakerOpen when no call may go to the endpoint now."""
        try:
            until = cache.get(self._open_until)
            if until is None:
                return
            if time.time() < until:
                raise LlmBreakerOpen(
                    "The LLM endpoint is failing; calls are paused for a moment.",
                    details={"retry_after_seconds": max(1, round(until - time.time()))},
                )
            # Half-open: exactly one caller across all processes gets to probe.
            if cache.add(self._probe, 1, timeout=self.reset_seconds):
                return
        except LlmBreakerOpen:
            raise
        except Exception:  # the cache is down: fail open, the call's own timeout still holds
            logger.warning("breaker state unreadable", extra={"action": "llm.breaker.cache_error"}, exc_info=True)
            return
        raise LlmBreakerOpen("The LLM endpoint is being probed after failures; try again shortly.")

    def record_success(self) -> None:
        try:
            if cache.get(self._open_until) is not None:
                logger.info("breaker closed", extra={"action": "llm.breaker.closed", "endpoint": self.endpoint})
            cache.delete_many([self._failures, self._open_until, self._probe])
        except Exception:
            logger.warning("breaker state unwritable", extra={"action": "llm.breaker.cache_error"}, exc_info=True)

    def record_failure(self) -> None:
        try:
            # Failures older than a few reset periods are forgotten: "consecutive" means recent.
            cache.add(self._failures, 0, timeout=self.reset_seconds * 10)
            count = cache.incr(self._failures)
            half_open = cache.get(self._open_until) is not None
            if count >= self.threshold or half_open:
                until = time.time() + self.reset_seconds
                cache.set(self._open_until, until, timeout=self.reset_seconds * 10)
                cache.delete_many([self._failures, self._probe])
                logger.warning(
                    "breaker opened",
                    extra={"action": "llm.breaker.opened", "endpoint": self.endpoint, "failures": count},
                )
        except Exception:
            logger.warning("breaker state unwritable", extra={"action": "llm.breaker.cache_error"}, exc_info=True)
