"""Server time of each ops page on the database `bench/seed_ops.py` made: p50 and p95 over
`--runs` requests per page, beside /healthz (one `SELECT 1`) measured in the same run as the raw
baseline. The request goes through the whole Django stack in-process (middleware, session,
view, template), not over a socket.

    python bench/seed_ops.py --items 1000000 && python bench/bench_ops.py [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PAGES = [
    "/healthz",
    "/ops/",
    "/ops/floor/live/",
    "/ops/floor/live/?page=90",  # the last page of the 4,481 claimed items at 1M (past the last reads as it)
    "/ops/sla/?range=24h",
    "/ops/sla/?range=7d",
    "/ops/sla/?range=30d",
    "/ops/reviewers/?range=7d",
    "/ops/routing/?range=7d&by=intent",
    "/ops/routing/?range=30d&by=queue",
    "/ops/drift/?range=7d",
    "/ops/policies/",
    "/metrics",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--pages", nargs="*", help="only the pages starting with these paths (/healthz always)")
    args = parser.parse_args()
    import os

    from seed_ops import django_env  # the same database and settings as the seeding

    os.environ["REVIEWQUEUE_METRICS_TOKEN"] = "bench-metrics-token"
    django_env()
    from django.contrib.auth.models import User
    from django.test import Client

    from reviewqueue.audit.models import ReviewEvent
    from reviewqueue.review.models import ReviewItem

    client = Client(HTTP_AUTHORIZATION="Bearer bench-metrics-token")
    client.force_login(User.objects.get(username="lead"))
    print(f"{ReviewItem.objects.count()} review items, {ReviewEvent.objects.count()} events")
    baseline = None
    print(f"{'page':40} {'p50 ms':>9} {'p95 ms':>9} {'p50 / healthz':>14}")
    pages = [p for p in PAGES if not args.pages or p == "/healthz" or p.startswith(tuple(args.pages))]
    for page in pages:
        response = client.get(page)  # warm: connection, templates, plans
        assert response.status_code == 200, (page, response.status_code)
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            client.get(page)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        p50 = statistics.median(times)
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        baseline = baseline or p50
        print(f"{page:40} {p50:9.1f} {p95:9.1f} {p50 / baseline:13.1f}x", flush=True)


if __name__ == "__main__":
    main()
