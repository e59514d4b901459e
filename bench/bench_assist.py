"""End-to-end `POST /api/v1/assist` latency against a local Chat Completions server, beside the
bare LLM call (the real `openai` client, the same request, the same server) in the same run.

The fake server answers after `--llm-ms` (a stand-in for generation time), with log-probs.
Three assist modes, each over HTTP to the app served in-process (WSGI, PostgreSQL):
  intake:     the draft is stored and sent to the scoring queue (Redis db BENCH_BROKER_DB, purged
              after the run), REVIEWQUEUE_LLM_ASSIST_WAIT_SECONDS=0 → 202;
  decided:    scoring runs inline (eager Celery, the shipped verifier) → 201 with the decision;
  high-risk:  as decided, for a high-risk intent (refund): before routing, self-consistency (3
              samples, checked by the verifier) and the judge (one call per checkable claim),
              each a round of concurrent calls to the same server → 201.
The judge's audit sample is off (REVIEWQUEUE_LLM_JUDGE_SAMPLE_RATE=0): in a deployment it runs on
another worker, never in the request; eager Celery would run it inline.
Rounds alternate bare / intake / decided / high-risk; p50 and p95 over all calls, and the
overhead ratios. The high-risk mode makes three rounds of LLM calls (generation, samples,
judge), so its floor is about three bare calls; its row also shows p50 minus 3 × bare.

    python bench/bench_assist.py [--calls 50] [--llm-ms 200]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_DATABASE", "reviewqueue_bench_assist")
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/10")

BODY = {
    "question": "How long is the warranty on the X200 blender?",
    "passages": [
        {
            "id": "kb-17",
            "text": "All X200 blenders come with a two-year limited warranty. "
            "Products must be registered within 30 days of purchase.",
        }
    ],
    "metadata": {"intent": "warranty", "customer_tier": "standard"},
}


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def _fresh_database() -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--llm-ms", type=float, default=200.0)
    args = parser.parse_args()

    from tests.llm.fake_llm import FakeLLM

    fake = FakeLLM().start()
    fake.delay = args.llm_ms / 1000
    _fresh_database()
    os.environ.update(
        DATABASE_URL=ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME,
        SECRET_KEY="bench-only-secret-key-0123456789abcdefghijklmn",
        CELERY_BROKER_URL=BROKER_URL,
        LOG_LEVEL="WARNING",
        REVIEWQUEUE_LLM_JUDGE_SAMPLE_RATE="0",
        REVIEWQUEUE_CACHE_URL="locmem://",
        REVIEWQUEUE_API_RATE_PER_CLIENT="100000/min",
        REVIEWQUEUE_API_RATE_PER_TENANT="100000/min",
        REVIEWQUEUE_LLM_BASE_URL=fake.base_url,
        REVIEWQUEUE_LLM_MODEL="fake-model",
        REVIEWQUEUE_LLM_DAILY_TOKEN_BUDGET="100000000",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        OMP_NUM_THREADS="1",
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewqueue.settings")
    import django

    django.setup()
    from dataclasses import replace

    from django.conf import settings
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    from reviewqueue.intake import worker
    from reviewqueue.llm import client as llm_client
    from reviewqueue.llm.prompts import ASSIST_V1, passages_block
    from reviewqueue.review.models import Draft
    from tests.factories import make_world

    call_command("migrate", verbosity=0)
    world = make_world()
    worker.get_scorer()  # load the verifier before timing, as a worker does at start
    server: WSGIServer = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    base_cfg = settings.REVIEWQUEUE_LLM
    bare_client = llm_client._openai(base_cfg.base_url, "bench")
    messages = list(ASSIST_V1.messages(question=BODY["question"], passages=passages_block(BODY["passages"])))

    def bare() -> float:
        t0 = time.perf_counter()
        bare_client.chat.completions.create(
            model="fake-model", messages=messages, max_tokens=512, temperature=0.0, logprobs=True, top_logprobs=5
        )  # type: ignore[call-overload]
        return (time.perf_counter() - t0) * 1000

    conn = http.client.HTTPConnection("127.0.0.1", port)
    seq = iter(range(10**9))

    from reviewqueue.celery import app as celery_app

    high_risk_body = {**BODY, "metadata": {**BODY["metadata"], "intent": "refund"}}

    def assist(wait: float, expect: int, body: dict[str, object] = BODY) -> float:
        settings.REVIEWQUEUE_LLM = replace(base_cfg, assist_wait_seconds=wait)
        celery_app.conf.task_always_eager = expect == 201
        payload = json.dumps(body)
        headers = {
            "Authorization": f"Bearer {world.api_key}",
            "Content-Type": "application/json",
            "Idempotency-Key": f"bench-{next(seq)}",
        }
        t0 = time.perf_counter()
        conn.request("POST", "/api/v1/assist", payload, headers)
        response = conn.getresponse()
        response.read()
        elapsed = (time.perf_counter() - t0) * 1000
        if response.status != expect:
            raise SystemExit(f"assist answered {response.status}, expected {expect}")
        return elapsed

    for _ in range(3):  # warm-up: connections, first queries, the scorer's first batch
        bare(), assist(0.0, 202), assist(10.0, 201), assist(10.0, 201, high_risk_body)
    times: dict[str, list[float]] = {"bare": [], "intake": [], "decided": [], "high_risk": []}
    for _ in range(args.calls):
        times["bare"].append(bare())
        times["intake"].append(assist(0.0, 202))
        times["decided"].append(assist(10.0, 201))
        times["high_risk"].append(assist(10.0, 201, high_risk_body))
    refunds = list(Draft.objects.filter(intent="refund").values_list("score", "decision_reasons"))
    judged = sum(1 for score, _ in refunds if "judge_support" in (score or {}).get("features", {}))
    held = sum(1 for _, reasons in refunds if any(r.startswith("llm_signal_missing") for r in reasons))

    p50 = {k: statistics.median(v) for k, v in times.items()}
    print(f"{args.calls} calls each, fake LLM answering after {args.llm_ms:.0f} ms, PostgreSQL, one process")
    print(f"{'':28} {'p50 ms':>8} {'p95 ms':>8} {'p50 / bare':>11} {'p50 overhead ms':>16}")
    labels = {
        "bare": "bare openai call",
        "intake": "assist → 202 (stored)",
        "decided": "assist → 201 (scored, routed)",
        "high_risk": "high-risk → 201 (+SC, judge)",
    }
    for key, label in labels.items():
        v = times[key]
        print(
            f"{label:28} {p50[key]:8.1f} {pct(v, 0.95):8.1f} {p50[key] / p50['bare']:11.2f}x"
            f" {p50[key] - p50['bare']:16.1f}"
        )
    print(f"high-risk p50 minus 3 bare calls: {p50['high_risk'] - 3 * p50['bare']:.1f} ms")
    print(f"high-risk drafts with the judge in the score: {judged}; with a missing LLM signal: {held}")
    server.shutdown()
    fake.stop()
    import redis

    redis.Redis.from_url(BROKER_URL).delete("scoring")  # the intake mode's undelivered messages


if __name__ == "__main__":
    main()
