"""A real gunicorn (the deployed gunicorn.conf.py: threaded workers, persistent database
connections) on the test database, for fault tests that need what Django's live server lacks:
its threads close their database connections after every request, so nothing can go stale."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_database_url(query: str = "") -> str:
    """The test database (pytest-django's), as the DATABASE_URL a server process reads."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"{url}?{query}" if query else url


def get(port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 10) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@contextmanager
def gunicorn(
    *, database_url: str, workers: int = 1, threads: int = 4, env: dict[str, str] | None = None
) -> Iterator[int]:
    """Start gunicorn on a free local port; yield the port once /healthz answers; stop it."""
    port = free_port()
    environ = dict(os.environ)
    environ.update(
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=str(settings.CELERY_BROKER_URL),
        SECRET_KEY="fault-test-secret-key-0123456789abcdefghij",
        LOG_LEVEL="WARNING",
        GUNICORN_ACCESS_LOG="",
        REVIEWQUEUE_CACHE_URL="locmem://",  # its own throttle counters, not the shared Redis
        **(env or {}),
    )
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-b",
        f"127.0.0.1:{port}",
        "-w",
        str(workers),
        "--threads",
        str(threads),
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=environ, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if get(port, "/healthz", timeout=2) < 500:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start (exit {server.poll()})")
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
