"""/healthz: the database and the broker, each probed and reported on its own.

- ok: both answer (200);
- degraded: the broker does not; drafts are still accepted and the re-dispatch sweep sends them
  once it is back, so the web process stays in rotation (200);
- down: the database does not; nothing works without it (503).

Each probe is bounded by the same short timeouts as publishing (REVIEWQUEUE_BROKER_TIMEOUT_SECONDS),
so a hung broker cannot hold the probe's thread either.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse

from reviewqueue.celery import app

logger = logging.getLogger(__name__)

OK, DOWN = "ok", "down"


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.warning("health: database unreachable", extra={"action": "health.database.down"}, exc_info=True)
        return DOWN
    return OK


def broker_status() -> str:
    try:
        # A fresh connection, not the producer pool's: a probe must not leave a broken one there.
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0)  # one attempt: no sleeping between retries
            client = getattr(conn.default_channel, "client", None)
            if client is not None:  # Redis: a round trip, so a silent broker counts as down
                client.ping()
    except Exception:  # kombu and redis raise many kinds; any of them means "cannot publish now"
        logger.warning("health: broker unreachable", extra={"action": "health.broker.down"}, exc_info=True)
        return DOWN
    return OK


def healthz(request: HttpRequest) -> JsonResponse:
    database = database_status()
    broker = broker_status()
    if database != OK:
        status, code = "down", 503
    elif broker != OK:
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return JsonResponse({"status": status, "database": database, "broker": broker}, status=code)
