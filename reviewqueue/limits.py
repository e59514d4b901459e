"""Failure counters in the shared cache: sign-in lockout and API authentication failures.

A fixed window per subject (an account, a client address, a key prefix): the first failure
opens it, `limit` failures within it lock the subject until it ends. The window's end is kept
in the value and compared with `time.time()` (not left to the cache's TTL) so the lockout means
the same on every cache backend and tests can move the clock with `time_machine`.

An unreachable cache (Redis down with the broker) fails open: the counters are a defence
against abuse, not a gate, and the API stays up during a broker outage as it did before.

get-then-set is not atomic: under concurrency a few more attempts than `limit` may be
counted late; the lockout still follows within one round of concurrent requests.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)


def incr_counters(keys: list[str], timeout: int) -> list[int]:
    """Adds one to each counter (created at 0, kept `timeout` seconds) and returns the new values.

    On Redis one pipelined round trip (INCR + EXPIRE per key; Django stores ints as plain Redis
    integers, so `cache.get` reads them back); elsewhere the cache API's add + incr. Raises the
    backend's error when the cache is down: callers fail open.
    """
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        pipe = backend._cache.get_client(write=True).pipeline(transaction=False)
        for key in keys:
            full = backend.make_and_validate_key(key)
            pipe.incr(full)
            pipe.expire(full, timeout)
        return [int(n) for n in pipe.execute()[::2]]
    counts = []
    for key in keys:
        backend.add(key, 0, timeout=timeout)
        try:
            counts.append(backend.incr(key))
        except ValueError:  # expired between add and incr
            backend.set(key, 1, timeout=timeout)
            counts.append(1)
    return counts


def locked_for(checks: list[tuple[FailureLimit, str]]) -> int | None:
    """The longest wait among (limit, subject) pairs, in one cache read; None when none is locked."""
    keys = {_key(limit.scope, subject): limit for limit, subject in checks}
    try:
        states = cache.get_many(list(keys))
    except Exception as exc:  # any backend's connection error: fail open
        logger.warning("limits: cache unavailable", extra={"action": "limits.cache_down", "error": str(exc)})
        return None
    waits = [w for key, limit in keys.items() if (w := limit.wait_for(states.get(key))) is not None]
    return max(waits, default=None)


def _get(key: str) -> Any:
    try:
        return cache.get(key)
    except Exception as exc:  # any backend's connection error: fail open
        logger.warning("limits: cache unavailable", extra={"action": "limits.cache_down", "error": str(exc)})
        return None


def _set(key: str, value: Any, timeout: int | None) -> None:
    """Stores `value` for `timeout` seconds; a None timeout deletes the key."""
    try:
        if timeout is None:
            cache.delete(key)
        else:
            cache.set(key, value, timeout=timeout)
    except Exception as exc:
        logger.warning("limits: cache unavailable", extra={"action": "limits.cache_down", "error": str(exc)})


def _key(scope: str, subject: str) -> str:
    # Hashed: subjects are user input (usernames, header values) and cache keys must be short and safe.
    return f"limits:{scope}:{hashlib.sha256(subject.encode('utf-8', 'surrogatepass')).hexdigest()[:32]}"


@dataclass(frozen=True)
class FailureLimit:
    scope: str
    limit: int
    window_seconds: int

    def wait_for(self, state: Any) -> int | None:
        if not state:
            return None
        count, reset_at = state
        remaining = reset_at - time.time()
        if remaining <= 0 or count < self.limit:
            return None
        return max(1, math.ceil(float(remaining)))

    def record_failure(self, subject: str) -> int:
        key = _key(self.scope, subject)
        now = time.time()
        state = _get(key)
        if not state or state[1] <= now:
            state = (0, now + self.window_seconds)
        count, reset_at = state[0] + 1, state[1]
        _set(key, (count, reset_at), max(1, math.ceil(reset_at - now)))
        return int(count)

    def reset(self, subject: str) -> None:
        _set(_key(self.scope, subject), None, None)
