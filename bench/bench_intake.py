"""Intake and claim throughput through the real API vs raw SQL, on PostgreSQL, in one run.

  (a) POST /api/v1/drafts at 8 concurrent clients  vs  raw psycopg INSERT … ON CONFLICT DO NOTHING
      into the same drafts table at 8 connections;
  (b) POST /api/v1/items/claim-next at 8 concurrent reviewers  vs  raw
      UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1) at 8 connections.

Target and baseline alternate round by round; medians and ratios are printed. Each round's claims
start from freshly seeded queues and a vacuumed table, so both sides see the same indexes. The API runs
under gunicorn with the deployed gunicorn.conf.py (threaded workers, keep-alive); only the
process and thread counts come from the flags. The database is created fresh for the run.

    python bench/bench_intake.py [--rounds 5] [--seconds 4] [--workers 2] [--threads 4]

Environment: BENCH_DATABASE (default reviewqueue_bench), BENCH_BROKER_URL, BENCH_DATABASE_OPTIONS.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[1]
ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_DATABASE", "reviewqueue_bench")
DB_URL = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME
CONCURRENCY = 8
BODY = {
    "question": "How long is the warranty on the X200 blender?",
    "draft": "The X200 blender has a two-year warranty. Register it within 30 days.",
    "passages": [
        {
            "id": "kb-17",
            "text": "All X200 blenders come with a two-year limited warranty. "
            "Products must be registered within 30 days of purchase.",
        }
    ],
    "metadata": {"intent": "warranty", "generator_model": "gpt-4o-mini", "prompt_version": "faq-v3"},
}


def run_for(
    seconds: float,
    workers: list[Callable[[], None]],
    cpu: Callable[[], dict[str, float]] | None = None,
    cpu_per_op: dict[str, list[float]] | None = None,
) -> float:
    """Run each worker callable in a loop in its own thread for `seconds`; return ops/s.

    With `cpu`, also append each group's CPU milliseconds per operation to `cpu_per_op`."""
    stop = threading.Event()
    counts = [0] * len(workers)

    def loop(i: int) -> None:
        op = workers[i]
        while not stop.is_set():
            op()
            counts[i] += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(len(workers))]
    before = cpu() if cpu else {}
    start = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if cpu and cpu_per_op is not None and sum(counts):
        for group, used in cpu().items():
            cpu_per_op.setdefault(group, []).append(1000 * (used - before[group]) / sum(counts))
    return sum(counts) / elapsed


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of `pids` so far, from /proc (Linux)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for path in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(path.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(path.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def cpu_meter(server_pid: int, pg_backends: Callable[[], list[int]]) -> Callable[[], dict[str, float]] | None:
    """CPU seconds so far of the web server, the PostgreSQL backends and this process, or None where
    /proc cannot say (not Linux, or PostgreSQL on another machine)."""
    if not Path(f"/proc/{server_pid}/stat").exists():
        return None
    web = [server_pid, *_children(server_pid)]
    return lambda: {
        "web": _cpu_seconds(web),
        "postgres": _cpu_seconds(pg_backends()),
        "bench client": time.process_time(),
    }


def env() -> dict[str, str]:
    e = dict(os.environ)
    # BENCH_DATABASE_OPTIONS (e.g. health_checks=false) goes to the server's DATABASE_URL query
    # string, so a connection option's cost is measured against the default in the same session.
    options = os.environ.get("BENCH_DATABASE_OPTIONS", "")
    e.update(
        DATABASE_URL=f"{DB_URL}?{options}" if options else DB_URL,
        CELERY_BROKER_URL=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/13"),
        SECRET_KEY="bench-secret-key-0123456789abcdefghijklmnop",
        DJANGO_SETTINGS_MODULE="reviewqueue.settings",
        LOG_LEVEL="WARNING",
        GUNICORN_ACCESS_LOG="",
    )
    # The throttles stay on (their per-request cost is part of the figure) with limits no run reaches.
    e.setdefault("REVIEWQUEUE_API_RATE_PER_CLIENT", "100000000/min")
    e.setdefault("REVIEWQUEUE_API_RATE_PER_TENANT", "100000000/min")
    return e


def drop_scoring_messages() -> None:
    """The enqueued drafts' scoring messages: no worker runs here, so nothing else takes them off."""
    import redis

    redis.Redis.from_url(env()["CELERY_BROKER_URL"]).delete("scoring")


def setup_database() -> dict[str, object]:
    drop_scoring_messages()
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env(), check=True)
    with psycopg.connect(DB_URL, autocommit=True) as conn:
        for table in ("review_draft", "review_reviewitem", "review_reviewevent"):
            conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = off)")
    script = """
import json
from django.contrib.auth.models import Group, User
from django.contrib.sessions.backends.db import SessionStore
from reviewqueue.review.models import Queue
from reviewqueue.tenancy.services import tenant_create, service_client_create, membership_grant
t = tenant_create(slug="bench", name="Bench")
g_api, g_raw = Group.objects.create(name="api"), Group.objects.create(name="raw")
q_api = Queue.objects.create(tenant=t, name="api", reviewer_group=g_api, sla_minutes=600, lease_seconds=600,
                             is_default=True)
q_raw = Queue.objects.create(tenant=t, name="raw", reviewer_group=g_raw, sla_minutes=600, lease_seconds=600)
client, key = service_client_create(tenant=t, name="bench")
sessions = []
for i in range(8):
    u = User.objects.create_user(f"r{i}", password="x")
    membership_grant(user=u, tenant=t, groups=[g_api])
    s = SessionStore()
    s["_auth_user_id"] = str(u.pk)
    s["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    s["_auth_user_hash"] = u.get_session_auth_hash()
    s.create()
    sessions.append(s.session_key)
print(json.dumps({"key": key, "client_id": client.pk, "tenant_id": t.pk, "q_api": q_api.pk, "q_raw": q_raw.pk,
                  "sessions": sessions, "user_ids": list(User.objects.order_by("pk").values_list("pk", flat=True))}))
"""
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def seed_items(conn: psycopg.Connection, *, tenant_id: int, client_id: int, queue_id: int, n: int) -> None:
    """Pending review items straight in SQL (setup only, not measured)."""
    tag = uuid.uuid4().hex[:8]
    conn.execute(
        """
        WITH d AS (
          INSERT INTO review_draft (tenant_id, client_id, idempotency_key, fingerprint, question, text, passages,
            metadata, generator_model, prompt_version, prompt_hash, intent, customer_tier, status, decision,
            decision_reasons, versions, outcome, final_text, created_at, dispatch_attempts)
          SELECT %(t)s, %(c)s, %(tag)s || '-' || g, 'x', '', 'seeded', '[]', '{}', '', '', '', '', '', 'routed',
            'queue_for_review', '[]', '{}', '', '', now(), 0
          FROM generate_series(1, %(n)s) g RETURNING id)
        INSERT INTO review_reviewitem (draft_id, queue_id, state, priority, created_at, due_at, disposition,
          reason_code, note, final_text, follow_up)
        SELECT id, %(q)s, 'pending', random(), now(), now() + interval '10 hours', '', '', '', '', false FROM d
        """,
        {"t": tenant_id, "c": client_id, "q": queue_id, "n": n, "tag": tag},
    )


def reset_claims(conn: psycopg.Connection, ids: dict[str, Any], wanted: dict[str, float]) -> None:
    """Empty both claim queues and seed `wanted[queue]` fresh pending items in each, so every round
    starts from the same clean table and indexes, whatever earlier rounds claimed."""
    queues = [ids[q] for q in wanted]
    conn.execute(
        "DELETE FROM review_reviewevent WHERE item_id IN (SELECT id FROM review_reviewitem WHERE queue_id = ANY(%s))",
        (queues,),
    )
    conn.execute("DELETE FROM review_reviewitem WHERE queue_id = ANY(%s)", (queues,))
    for queue, n in wanted.items():
        seed_items(conn, tenant_id=ids["tenant_id"], client_id=ids["client_id"], queue_id=ids[queue], n=int(n))
    # Autovacuum is off for these tables (setup_database): it would wake mid-round and take CPU
    # from whichever side happened to be running. Vacuumed here instead, between rounds.
    conn.execute("VACUUM ANALYZE review_reviewitem, review_reviewevent, review_draft")


def http_worker(
    port: int,
    method: str,
    path: str,
    headers: Callable[[], dict[str, str]],
    body: Callable[[], bytes],
    expect: set[int],
) -> Callable[[], None]:
    """One keep-alive HTTP/1.1 client on a bare socket.

    http.client spent ~0.3 ms of CPU per request parsing headers into objects, on the same two
    cores as the server it measures; the raw-SQL side's client is C (libpq). This one writes the
    request bytes and reads exactly Content-Length bytes back, so the load generator costs a
    fraction of that and the figure is the API's.
    """
    state: dict[str, socket.socket | None] = {"sock": None}

    def connect() -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        state["sock"] = sock
        return sock

    def op() -> None:
        payload = body()
        head = "".join(f"{k}: {v}\r\n" for k, v in headers().items())
        request = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {len(payload)}\r\n{head}\r\n"
        ).encode() + payload
        sock = state["sock"] or connect()
        sock.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                raise RuntimeError(f"{path}: the server closed the connection")
            data += chunk
        header_block, _, rest = data.partition(b"\r\n\r\n")
        lines = header_block.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(fields.get("content-length", "0"))
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        if status not in expect:
            raise RuntimeError(f"{path}: {status} {rest[:300]!r}")
        if fields.get("connection", "").lower() == "close":
            sock.close()
            state["sock"] = None

    return op


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (deployed: one per core)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker process")
    args = parser.parse_args()

    ids = setup_database()
    port = 18000 + secrets.randbelow(1000)
    # gunicorn.conf.py (read from ROOT) supplies the worker class and keep-alive, as in deployment.
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "reviewqueue.wsgi:application",
        "-b",
        f"127.0.0.1:{port}",
        "-w",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env())
    try:
        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        counter = iter(range(10**9))
        body = json.dumps(BODY).encode()
        api_headers = {"Authorization": f"Bearer {ids['key']}", "Content-Type": "application/json"}

        def enqueue_api() -> list[Callable[[], None]]:
            return [
                http_worker(
                    port,
                    "POST",
                    "/api/v1/drafts",
                    lambda: {**api_headers, "Idempotency-Key": f"api-{next(counter)}"},
                    lambda: body,
                    {201},
                )
                for _ in range(CONCURRENCY)
            ]

        raw_conns = [psycopg.connect(DB_URL, autocommit=True) for _ in range(CONCURRENCY)]

        def enqueue_raw() -> list[Callable[[], None]]:
            def make(conn: psycopg.Connection) -> Callable[[], None]:
                def op() -> None:
                    conn.execute(
                        "INSERT INTO review_draft (tenant_id, client_id, idempotency_key, fingerprint, question, text,"
                        " passages, metadata, generator_model, prompt_version, prompt_hash, intent, customer_tier,"
                        " status, decision, decision_reasons, versions, outcome, final_text, created_at,"
                        " dispatch_attempts) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '', %s, '', 'received',"
                        " '', '[]', '{}', '', '', now(), 0) ON CONFLICT DO NOTHING",
                        (
                            ids["tenant_id"],
                            ids["client_id"],
                            f"raw-{next(counter)}",
                            "f" * 64,
                            BODY["question"],
                            BODY["draft"],
                            json.dumps(BODY["passages"]),
                            json.dumps(BODY["metadata"]),
                            "gpt-4o-mini",
                            "faq-v3",
                            "warranty",
                        ),
                    )

                return op

            return [make(c) for c in raw_conns]

        def claim_api() -> list[Callable[[], None]]:
            csrf = secrets.token_hex(16)
            return [
                http_worker(
                    port,
                    "POST",
                    "/api/v1/items/claim-next",
                    (
                        lambda s=s: {
                            "Cookie": f"sessionid={s}; csrftoken={csrf}",
                            "X-CSRFToken": csrf,
                            "Content-Type": "application/json",
                            "Referer": f"http://127.0.0.1:{port}/",
                        }
                    ),
                    lambda: b"{}",
                    {200},
                )
                for s in ids["sessions"]
            ]

        def claim_raw() -> list[Callable[[], None]]:
            user_ids = ids["user_ids"]

            def make(conn: psycopg.Connection, user_id: int) -> Callable[[], None]:
                def op() -> None:
                    row = conn.execute(
                        "UPDATE review_reviewitem SET state = 'claimed', lease_owner_id = %s,"
                        " lease_expires_at = now() + interval '10 minutes', claimed_at = now()"
                        " WHERE id = (SELECT id FROM review_reviewitem WHERE queue_id = %s AND state = 'pending'"
                        " ORDER BY priority DESC, due_at LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id",
                        (user_id, ids["q_raw"]),
                    ).fetchone()
                    if row is None:
                        raise RuntimeError("raw claim found nothing: seed more items")

                return op

            return [make(c, user_ids[i % len(user_ids)]) for i, c in enumerate(raw_conns)]

        results: dict[str, list[float]] = {k: [] for k in ("enqueue_api", "enqueue_raw", "claim_api", "claim_raw")}
        cpu_ms: dict[str, dict[str, list[float]]] = {k: {} for k in results}
        with psycopg.connect(DB_URL, autocommit=True) as admin:
            # Backend pids are visible to a superuser; on another host /proc will not have them.
            def pg_backends() -> list[int]:
                return [
                    r[0]
                    for r in admin.execute(
                        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (DB_NAME,)
                    )
                ]

            meter = (
                cpu_meter(server.pid, pg_backends)
                if all(Path(f"/proc/{pid}").exists() for pid in pg_backends())
                else None
            )
        with psycopg.connect(DB_URL, autocommit=True) as admin:
            # Warm up both paths (connections, caches) before measuring.
            run_for(1.0, enqueue_api())
            run_for(1.0, enqueue_raw())
            for r in range(args.rounds):
                # Each round claims from fresh queues, sized from the last round's rates so neither
                # side runs dry.
                reset_claims(
                    admin,
                    ids,
                    {
                        "q_api": 2 * args.seconds * max(results["claim_api"][-1:] or [2000]),
                        "q_raw": 2 * args.seconds * max(results["claim_raw"][-1:] or [8000]),
                    },
                )
                for name, make in (
                    ("enqueue_raw", enqueue_raw),
                    ("enqueue_api", enqueue_api),
                    ("claim_raw", claim_raw),
                    ("claim_api", claim_api),
                ):
                    results[name].append(run_for(args.seconds, make(), meter, cpu_ms[name]))
                print(f"round {r + 1}: " + ", ".join(f"{k} {v[-1]:.0f}/s" for k, v in results.items()), flush=True)
        med = {k: statistics.median(v) for k, v in results.items()}
        print()
        print(f"{'operation':<12} {'API /s':>10} {'raw SQL /s':>12} {'ratio':>8}")
        for op in ("enqueue", "claim"):
            api, raw = med[f"{op}_api"], med[f"{op}_raw"]
            print(f"{op:<12} {api:>10.0f} {raw:>12.0f} {api / raw:>8.1%}")
        if meter:
            # Where the time goes: on one machine, every component's CPU comes out of the same cores.
            print(f"\nCPU per operation, ms (medians): {'web':>8} {'postgres':>9} {'bench client':>13}")
            for name, groups in cpu_ms.items():
                print(
                    f"  {name:<30} "
                    + " ".join(
                        f"{statistics.median(groups.get(g, [0.0])):>{w}.2f}"
                        for g, w in (("web", 8), ("postgres", 9), ("bench client", 13))
                    )
                )
        print(
            f"\n{CONCURRENCY} concurrent clients, {args.rounds} alternating rounds of {args.seconds:.0f} s, "
            f"gunicorn {args.workers}×{args.threads} gthread, medians; cores: {os.cpu_count()}"
        )
    finally:
        server.terminate()
        server.wait(timeout=20)
        drop_scoring_messages()


if __name__ == "__main__":
    main()
