"""Recently verified API keys, per process, for a few seconds.

Looking a key up costs a database round trip, about a seventh of an enqueue request's CPU, and
a service sends every request with the same key. A key verified in the last
REVIEWQUEUE_KEY_CACHE_SECONDS is answered from here. The price is that a revoked key keeps
working in *other* processes for at most that long; the revoking process forgets at once
(service_client_revoke calls `forget_all`). 0 turns the cache off.

Entries are keyed on the key's SHA-256, so the cache never holds a key itself, and they keep the
client's field values, not the instance: every hit builds a fresh ServiceClient, so no request
sees another's cached relations or changes.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.db import DEFAULT_DB_ALIAS

from reviewqueue.tenancy.models import ServiceClient

MAX_ENTRIES = 1024

_entries: dict[str, tuple[float, list[str], list[Any]]] = {}
_lock = threading.Lock()
_clock = time.monotonic  # tests move it


def get(key_hash: str) -> ServiceClient | None:
    entry = _entries.get(key_hash)
    if entry is None:
        return None
    expires, attnames, values = entry
    if _clock() >= expires:
        _entries.pop(key_hash, None)
        return None
    return ServiceClient.from_db(DEFAULT_DB_ALIAS, attnames, values)


def put(key_hash: str, client: ServiceClient, ttl: float) -> None:
    if ttl <= 0:
        return
    # Only what was loaded: a deferred field stays deferred on the copies.
    deferred = client.get_deferred_fields()
    attnames = [f.attname for f in ServiceClient._meta.concrete_fields if f.attname not in deferred]
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()  # more live keys than this is not a service fleet; start over
        _entries[key_hash] = (_clock() + ttl, attnames, [getattr(client, a) for a in attnames])


def forget_all() -> None:
    with _lock:
        _entries.clear()
