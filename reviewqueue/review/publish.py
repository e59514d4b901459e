"""Publishing a task with one LPUSH on the Redis broker, instead of Celery's apply_async.

apply_async costs about 0.5 ms of CPU per call here: send_task merges options and fires signals,
kombu's Producer re-binds its entities and its Redis channel builds a new client object for every
publish. That was a fifth of all the CPU an enqueue request used. On kombu's Redis transport,
sending to a queue through a direct exchange is an LPUSH of a JSON envelope onto the list named
after the queue, so this module builds the task message with Celery's own
`amqp.create_task_message` (the protocol-2 headers apply_async sends), wraps it the way kombu's
virtual channel does (`prepare_message` and `_inplace_augment_message`) and pushes it with one
LPUSH on a redis-py connection each thread keeps. Going through `Redis.lpush` instead (pool
checkout and health check, retry wrapper, metrics hooks) cost as much CPU again as the command.

tests/review/test_publish.py compares the envelope with one apply_async writes, and the real
worker in test_worker.py consumes these messages. Anything this does not cover (the embedded
filesystem broker, AMQP, eager mode, a key prefix or priorities in the transport options, a
non-direct exchange) goes through apply_async. No publish signals fire on the fast path; the
product connects none.
"""

from __future__ import annotations

import base64
import os
import threading
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import redis
from celery import Celery, Task
from celery.utils.saferepr import saferepr
from kombu.utils.json import dumps
from redis.connection import ConnectionInterface

_FAST_SCHEMES = {"redis", "rediss"}


@dataclass(frozen=True)
class _Route:
    """How to publish one task on the fast path, worked out once per task and process."""

    queue: str
    pool: redis.ConnectionPool  # only a factory here: its make_connection() knows the URL's settings
    headers: dict[str, Any]  # Celery's protocol-2 headers for this task; per-message ones are replaced
    embed: dict[str, Any]
    pid: int  # the headers' `origin` names the process
    threads: threading.local  # .connection: each thread's own, made by `pool`

    def connection(self) -> tuple[ConnectionInterface, bool]:
        """This thread's connection, and whether an earlier send used it."""
        conn: ConnectionInterface | None = getattr(self.threads, "connection", None)
        if conn is not None:
            return conn, True
        # Made by the pool, so it has the URL's host, db, password, TLS and timeouts; it is never
        # handed back, and the thread's requests use it one after another.
        conn = self.threads.connection = self.pool.make_connection()
        return conn, False

    def drop(self, conn: ConnectionInterface) -> None:
        # A failed command can leave a reply unread on the socket: never reuse it.
        self.threads.connection = None
        conn.disconnect()


_routes: dict[str, _Route | None] = {}
_lock = threading.Lock()


def reset() -> None:
    """Forget the routes: for tests that repoint the app at another broker (settings are fixed at
    start-up in a real process)."""
    with _lock:
        _routes.clear()


def _broker_url(app: Celery) -> str:
    # The URL apply_async publishes to: kombu's producer pool is built from broker_write_url.
    return str(app.conf.broker_write_url or app.conf.broker_url or "")


def _target_list(app: Celery, task: Task) -> str | None:
    """The Redis list a message for `task` lands on, or None if this module cannot tell."""
    if urlsplit(_broker_url(app)).scheme not in _FAST_SCHEMES or app.conf.task_always_eager:
        return None
    options = app.conf.broker_transport_options or {}
    if options.get("global_keyprefix") or options.get("priority_steps") or options.get("queue_order_strategy"):
        return None
    queue = app.amqp.router.route({}, task.name).get("queue")
    if queue is None or getattr(queue.exchange, "type", "direct") != "direct":
        return None
    return str(queue.name)


def _route(task: Task) -> _Route | None:
    if task.name not in _routes or ((route := _routes[task.name]) is not None and route.pid != os.getpid()):
        with _lock:
            _routes[task.name] = _new_route(task)
    return _routes[task.name]


def _new_route(task: Task) -> _Route | None:
    app = task.app
    queue = _target_list(app, task)
    if queue is None:
        return None
    timeout = float(app.conf.broker_connection_timeout or 4)
    # One message built by Celery itself gives every header this task's messages carry.
    template = app.amqp.create_task_message("template", task.name, [], {}, ignore_result=task.ignore_result)
    return _Route(
        queue=queue,
        # A forked child makes its own route (see `pid`), so no connection crosses a fork.
        pool=redis.ConnectionPool.from_url(_broker_url(app), socket_connect_timeout=timeout, socket_timeout=timeout),
        headers=template.headers,
        embed=template.body[2],
        pid=os.getpid(),
        threads=threading.local(),
    )


def envelope(task: Task, args: list[Any], *, route: _Route) -> bytes:
    """The JSON kombu's Redis transport stores for `task(*args)`."""
    app = task.app
    task_id = str(uuid.uuid4())
    # Sent from inside a task (the re-dispatch sweep), the message names it as parent, as
    # apply_async's would.
    parent = app.current_worker_task
    parent_id = None if parent is None else parent.request.id
    root_id = task_id if parent is None else (parent.request.root_id or parent_id)
    headers = {
        **route.headers,
        "id": task_id,
        "root_id": root_id,
        "parent_id": parent_id,
        "argsrepr": saferepr(args, app.amqp.argsrepr_maxsize),
    }
    body = base64.b64encode(dumps([args, {}, route.embed]).encode()).decode()
    return dumps(
        {
            "body": body,
            "content-encoding": "utf-8",
            "content-type": "application/json",
            "headers": headers,
            "properties": {
                "correlation_id": task_id,
                "reply_to": app.thread_oid,
                "delivery_mode": 2,
                "delivery_info": {"exchange": "", "routing_key": route.queue},
                "priority": 0,
                "body_encoding": "base64",
                "delivery_tag": str(uuid.uuid4()),
            },
        }
    ).encode()


def send(task: Task, args: list[Any]) -> None:
    """Publish `task(*args)` as apply_async(args, retry=False) would; raises if the broker is down."""
    route = _route(task)
    if route is None:
        task.apply_async(args=args, retry=False)
        return
    message = envelope(task, args, route=route)
    for attempt in (1, 2):
        conn, reused = route.connection()
        try:
            conn.send_command("LPUSH", route.queue, message)
            conn.read_response()
            return
        except redis.ConnectionError:
            route.drop(conn)
            # A kept connection may have been closed by the server since its last use (a Redis
            # restart, an idle timeout): one more try on a new one, as redis-py's retry would.
            # Should the first push have landed after all, score_draft is safe to run twice.
            if attempt == 2 or not reused:
                raise
        except BaseException:
            route.drop(conn)
            raise
