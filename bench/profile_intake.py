"""Where an enqueue's and a claim-next's web CPU goes: the two requests of bench/bench_intake.py,
driven in-process through Django's WSGI handler (no gunicorn, no sockets on the client side), each
run as it is and with one layer taken away, so each layer's cost is the difference.

For each endpoint it prints the SQL statements and Redis commands of one request, then the CPU of
a request with every layer and without each of: django-csp's header, the API auth-failure lockout
read, the DRF throttle, the connection health check (`SELECT 1`) and the Celery publish. Taking a
layer away is for this measurement only: each of them is behaviour the product keeps. Then two
parts on their own: for an enqueue the API key check and the body's validation, for a claim-next
the session with its user and the claim's queue and draft reads.

CPU time on a shared machine moves with whatever else runs, so each figure is the fastest of
`--batches` batches. For figures that do not move at all, count instructions with callgrind: each
variant's requests run inside their own itertools function, which callgrind can collect alone
(the command below prints instructions per function; divide by --requests). In the order above:
filterfalse (every layer), starmap, dropwhile, accumulate, compress, reduce (without each layer),
then groupby and takewhile (the two parts). Both endpoints use the same functions, so count one
endpoint per run:

    python bench/profile_intake.py [--requests 30] [--batches 10]
    valgrind --tool=callgrind --callgrind-out-file=cg.out \\
        --toggle-collect=filterfalse_next --toggle-collect=starmap_next \\
        --toggle-collect=dropwhile_next --toggle-collect=accumulate_next \\
        --toggle-collect=compress_next --toggle-collect=functools_reduce \\
        --toggle-collect=groupby_next --toggle-collect=takewhile_next \\
        python bench/profile_intake.py --callgrind --endpoint enqueue
    callgrind_annotate --inclusive=yes --threshold=100 cg.out | grep -E '_next|_reduce'

Environment as bench_intake.py (BENCH_DATABASE, BENCH_BROKER_URL); the database is created fresh.
"""

from __future__ import annotations

import argparse
import functools
import gc
import io
import itertools
import json
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_intake  # noqa: E402
import psycopg  # noqa: E402

# One C-level driver per variant, in the order of `variants` in main() (callgrind --toggle-collect names them).
DRIVERS: list[tuple[str, Callable[[Callable[[], None], int], None]]] = [
    ("filterfalse_next", lambda op, n: list(itertools.filterfalse(lambda _: op(), range(n)))),
    ("starmap_next", lambda op, n: list(itertools.starmap(lambda _: op(), ((i,) for i in range(n))))),
    ("dropwhile_next", lambda op, n: list(itertools.dropwhile(lambda _: op() or True, range(n)))),
    ("accumulate_next", lambda op, n: list(itertools.accumulate(range(n), lambda a, b: op(), initial=0))),
    ("compress_next", lambda op, n: list(itertools.compress(range(n), (op() or 1 for _ in range(n))))),
    ("functools_reduce", lambda op, n: functools.reduce(lambda a, b: op(), range(n), None)),
]
# The parts of a request measured on their own, one driver each, after the variants.
PART_DRIVERS: list[tuple[str, Callable[[Callable[[], None], int], None]]] = [
    ("groupby_next", lambda op, n: list(itertools.groupby(range(n), key=lambda _: op()))),
    ("takewhile_next", lambda op, n: list(itertools.takewhile(lambda _: op() or True, range(n)))),
]


def timed(drive: Callable[[Callable[[], None], int], None], op: Callable[[], None], n: int) -> float:
    """CPU milliseconds per call of `n` calls of `op` through `drive`. Garbage is collected before,
    never during: a full collection landing in one variant's batch and not another's moved a figure
    by 2 M instructions per request, more than most layers cost."""
    gc.collect()
    gc.disable()
    try:
        start = time.process_time()
        drive(op, n)
        return (time.process_time() - start) / n * 1000
    finally:
        gc.enable()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30, help="requests per batch")
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--endpoint", choices=["enqueue", "claim-next"], help="only this one (default: both)")
    parser.add_argument("--callgrind", action="store_true", help="one batch per variant, for callgrind")
    args = parser.parse_args()
    batches = 1 if args.callgrind else args.batches

    ids = bench_intake.setup_database()
    os.environ.update(bench_intake.env())
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.http import HttpRequest
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from redis.connection import AbstractConnection

    from reviewqueue.api import views
    from reviewqueue.api.serializers import EnqueueInput
    from reviewqueue.intake import dispatch
    from reviewqueue.review.models import Draft
    from reviewqueue.review.selectors import draft_by_id, queues_for_claim
    from reviewqueue.tenancy.models import ServiceClient
    from reviewqueue.tenancy.services import service_client_authenticate

    handler: list[WSGIHandler] = [WSGIHandler()]
    body = json.dumps(bench_intake.BODY).encode()
    csrf = secrets.token_hex(16)
    keys = itertools.count()

    def request(path: str, payload: bytes, headers: dict[str, str], expect: str) -> Callable[[], None]:
        def op() -> None:
            environ = {
                "REQUEST_METHOD": "POST",
                "PATH_INFO": path,
                "SCRIPT_NAME": "",
                "QUERY_STRING": "",
                "SERVER_NAME": "127.0.0.1",
                "SERVER_PORT": "8000",
                "SERVER_PROTOCOL": "HTTP/1.1",
                "REMOTE_ADDR": "127.0.0.1",
                "HTTP_HOST": "127.0.0.1:8000",
                "CONTENT_TYPE": "application/json",
                "CONTENT_LENGTH": str(len(payload)),
                "wsgi.input": io.BytesIO(payload),
                "wsgi.url_scheme": "http",
                "wsgi.errors": sys.stderr,
                "wsgi.multithread": True,
                "wsgi.multiprocess": True,
                "wsgi.run_once": False,
                **{k: v() if callable(v) else v for k, v in headers.items()},
            }
            status: list[str] = []
            response = handler[0](environ, lambda s, h, exc=None: status.append(s))
            content = b"".join(response)
            response.close()
            if not status[0].startswith(expect):
                raise RuntimeError(f"{path}: {status[0]} {content[:300]!r}")

        return op

    enqueue = request(
        "/api/v1/drafts",
        body,
        {"HTTP_AUTHORIZATION": f"Bearer {ids['key']}", "HTTP_IDEMPOTENCY_KEY": lambda: f"p-{next(keys)}"},
        "201",
    )
    claim = request(
        "/api/v1/items/claim-next",
        b"{}",
        {
            "HTTP_COOKIE": f"sessionid={ids['sessions'][0]}; csrftoken={csrf}",
            "HTTP_X_CSRFTOKEN": csrf,
            "HTTP_REFERER": "http://127.0.0.1:8000/",
        },
        "200",
    )

    def middleware_without(name: str) -> Callable[[], Iterator[None]]:
        @contextmanager
        def variant() -> Iterator[None]:
            full = list(settings.MIDDLEWARE)
            settings.MIDDLEWARE = [m for m in full if name not in m]
            handler[0] = WSGIHandler()
            try:
                yield
            finally:
                settings.MIDDLEWARE = full
                handler[0] = WSGIHandler()

        return variant

    @contextmanager
    def everything() -> Iterator[None]:
        yield

    @contextmanager
    def without_throttle() -> Iterator[None]:
        saved = views.DraftCreateView.throttle_classes, views.ClaimNextView.throttle_classes
        views.DraftCreateView.throttle_classes = views.ClaimNextView.throttle_classes = []
        try:
            yield
        finally:
            views.DraftCreateView.throttle_classes, views.ClaimNextView.throttle_classes = saved

    @contextmanager
    def without_health_check() -> Iterator[None]:
        # The open connection's flag, and the setting a reconnect would read it from.
        connection.settings_dict["CONN_HEALTH_CHECKS"] = connection.health_check_enabled = False
        try:
            yield
        finally:
            connection.settings_dict["CONN_HEALTH_CHECKS"] = connection.health_check_enabled = True

    @contextmanager
    def without_publish() -> Iterator[None]:
        task = dispatch.score_draft
        task.apply_async = lambda *a, **k: None  # type: ignore[method-assign]
        try:
            yield
        finally:
            del task.apply_async

    variants = [
        ("everything", everything),
        ("without the CSP header", middleware_without("csp.middleware")),
        ("without the auth-failure lockout read", middleware_without("ApiAuthFailureThrottle")),
        ("without the DRF throttle", without_throttle),
        ("without the health check", without_health_check),
        ("without the Celery publish", without_publish),
    ]
    per_op = (len(variants) + 1) * (batches + 1) * args.requests + 100
    with psycopg.connect(bench_intake.DB_URL, autocommit=True) as admin:
        bench_intake.reset_claims(admin, ids, {"q_api": per_op, "q_raw": 1})

    client = ServiceClient.objects.get(pk=ids["client_id"])
    reviewer = User.objects.get(pk=ids["user_ids"][0])
    touch_every = timedelta(seconds=settings.REVIEWQUEUE_KEY_TOUCH_SECONDS)

    def key_check() -> None:
        assert service_client_authenticate(key=ids["key"], now=timezone.now(), touch_every=touch_every)

    def body_validation() -> None:
        EnqueueInput(data=bench_intake.BODY, context={"client": client}).is_valid(raise_exception=True)

    def session_and_user() -> None:
        # What AuthenticationMiddleware does for a session request (SessionAuthentication asks it).
        http = HttpRequest()
        http.session = SessionStore(ids["sessions"][0])
        assert get_user(http).is_authenticated

    def claim_reads() -> None:
        list(queues_for_claim(reviewer))
        draft_by_id(latest_draft[0])

    latest_draft: list[int] = []  # set before the parts run: the draft of the last item claimed
    parts = {
        "enqueue": [("the API key check", key_check), ("the body's validation", body_validation)],
        "claim-next": [("the session and its user", session_and_user), ("the queue and draft reads", claim_reads)],
    }
    sent: list[bytes] = []
    send = AbstractConnection.send_packed_command

    def counted(self: AbstractConnection, command: Any, check_health: bool = True) -> None:
        sent.append(b"".join(command) if isinstance(command, list) else command)
        send(self, command, check_health)

    for name, op in (("enqueue", enqueue), ("claim-next", claim)):
        if args.endpoint not in (None, name):
            continue
        for _ in range(args.requests):
            op()
        AbstractConnection.send_packed_command = counted  # type: ignore[method-assign]
        with CaptureQueriesContext(connection) as queries:
            sent.clear()
            op()
        AbstractConnection.send_packed_command = send  # type: ignore[method-assign]
        print(f"\n{name}: {len(queries)} SQL statements, {len(sent)} Redis round trips per request")
        for query in queries:
            print("   sql  ", " ".join(query["sql"].split())[:110])
        for command in sent:
            # A pipeline is several commands in one write; each starts a line with `*`.
            commands = command.count(b"\r\n*") + 1
            print("   redis", command.split(b"\r\n")[2].decode(), f"({commands} commands)")
        print(f"  {'variant':<40} {'CPU ms/request':>15} {'difference':>11}")
        first = None
        for (label, variant), (_, drive) in zip(variants, DRIVERS, strict=False):
            with variant():
                for _ in range(args.requests):  # warm the variant (a rebuilt handler, a new plan)
                    op()
                best = min(timed(drive, op, args.requests) for _ in range(batches))
            first = best if first is None else first
            print(f"  {label:<40} {best:>15.3f} {best - first:>+11.3f}")
        latest_draft[:] = [Draft.objects.latest("pk").pk]
        print(f"  {'part, on its own':<40} {'CPU ms/call':>15}")
        for (label, part), (_, drive) in zip(parts[name], PART_DRIVERS, strict=True):
            for _ in range(args.requests):
                part()
            best = min(timed(drive, part, args.requests) for _ in range(batches))
            print(f"  {label:<40} {best:>15.3f}")
    bench_intake.drop_scoring_messages()


if __name__ == "__main__":
    main()
