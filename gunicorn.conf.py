"""gunicorn settings for the web process; gunicorn reads this file from its working directory.

Threaded workers keep client connections alive between requests (services post drafts in a
stream) and overlap the database and broker round trips of one request with the work of
another. Processes, not threads, are what use more cores: WEB_CONCURRENCY sets them.
"""

import os


def _count(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip() or str(default)
    if not raw.isdigit() or not 1 <= int(raw) <= 256:
        raise SystemExit(f"{name}={raw!r} is not a whole number from 1 to 256.")
    return int(raw)


wsgi_app = "reviewqueue.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# One process per core: a request is mostly Python on the CPU, and more processes than cores only
# take turns (measured in bench/bench_intake.py: 2 processes beat 3 and 5 on 2 cores).
# Capped, because in a container the visible cores are the host's: set WEB_CONCURRENCY to go higher.
_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
workers = _count("WEB_CONCURRENCY", min(max(_cores, 2), 8))
worker_class = "gthread"
threads = _count("GUNICORN_THREADS", 4)
keepalive = 5
# Bounded like the request body limit, so a slow client cannot hold a thread forever.
timeout = 60
graceful_timeout = 30
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
# Each worker touches its heartbeat file on every loop; on a container's overlay filesystem that
# can stall the worker (gunicorn's deployment notes), so the file lives in memory where it can.
_SHM = "/dev/shm"  # noqa: S108 - gunicorn creates its file there with mkstemp, private to the worker
if os.path.isdir(_SHM):
    worker_tmp_dir = _SHM
