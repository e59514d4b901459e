"""Looking at the Redis broker's `scoring` queue directly (kombu's Redis transport keeps it as a list)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager

from reviewqueue.celery import app
from reviewqueue.intake.worker import score_draft


def scoring_messages(client, draft_id: int, *, ignore: set[bytes]) -> list[tuple[bytes, list]]:
    found = []
    for raw in client.lrange("scoring", 0, -1):
        if raw in ignore:  # left by an earlier run whose draft happened to get the same id
            continue
        message = json.loads(raw)
        if message["headers"].get("task") != score_draft.name:
            continue
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        if args == [draft_id]:
            found.append((raw, args))
    return found


def purge_scoring_messages(client, draft_id: int, *, ignore: set[bytes]) -> int:
    """Remove this test's messages so a real worker in another test never picks them up."""
    return sum(client.lrem("scoring", 0, raw) for raw, _ in scoring_messages(client, draft_id, ignore=ignore))


@contextmanager
def broker(url: str) -> Iterator[None]:
    """Point the Celery app at `url` with fresh connection and producer pools, then restore."""
    # Celery's `broker_url` prefers the CELERY_BROKER_URL environment variable over its config, so
    # redirect publishing through `broker_write_url`, which the producer pool is built from.
    saved = app.conf.get("broker_write_url")

    def reset_pools() -> None:
        # Not force_close_all(): kombu keeps one pool per broker in a process-wide registry, and a
        # closed one would be handed back to every later publisher ("Acquire on closed pool").
        app._pool = None
        app.amqp._producer_pool = None

    reset_pools()
    app.conf.broker_write_url = url
    try:
        yield
    finally:
        reset_pools()
        app.conf.broker_write_url = saved
