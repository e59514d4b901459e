"""Seed a database for the ops pages at scale: review items and events over 30 days, with COPY.

One tenant (`bench`), QUEUES queues, REVIEWERS reviewers, a lead (`lead` / `lead-bench`). Each
draft has one review item and about `--events-per-item` events (the received → scored → created
→ routed → claimed → resolved → decided path, lease lapses and SLA warnings on some, breaches
on the expired ones). About 1 % of items are still open at the end, half of them claimed.

    python bench/seed_ops.py [--items 1000000] [--events-per-item 10]   # then bench/bench_ops.py

The database is BENCH_DATABASE (default reviewqueue_bench_ops) on BENCH_ADMIN_URL's server; it
is dropped and created again.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_DATABASE", "reviewqueue_bench_ops")
DB_URL = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME
QUEUES = 5
REVIEWERS = 20
INTENTS = ["warranty", "refund", "billing", "shipping", "account"]
PROMPTS = ["faq-v3", "faq-v4"]
MODELS = ["gpt-4o-mini", "llama-3.1-8b"]


def django_env() -> None:
    os.environ.update(
        DATABASE_URL=DB_URL,
        SECRET_KEY="bench-only-secret-key-0123456789abcdefghijklmn",
        CELERY_BROKER_URL=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/10"),
        LOG_LEVEL="WARNING",
        REVIEWQUEUE_CACHE_URL="locmem://",
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewqueue.settings")
    import django

    django.setup()


def _fresh_database() -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--events-per-item", type=int, default=10)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    _fresh_database()
    django_env()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection

    from reviewqueue.audit.models import ReviewEvent
    from reviewqueue.ops.services import lead_grant
    from reviewqueue.review.models import Draft, Queue, ReviewItem
    from reviewqueue.tenancy.models import Role
    from reviewqueue.tenancy.services import membership_grant, service_client_create, tenant_create

    call_command("migrate", verbosity=0)
    tenant = tenant_create(slug="bench", name="Bench")
    group = Group.objects.create(name="bench-reviewers")
    queues = [
        Queue.objects.create(
            tenant=tenant, name=f"q{n}", sla_minutes=60, lease_seconds=300, reviewer_group=group, is_default=n == 0
        )
        for n in range(QUEUES)
    ]
    reviewers = []
    for n in range(REVIEWERS):
        user = User.objects.create_user(f"reviewer{n}", password="reviewer-bench")
        membership_grant(user=user, tenant=tenant, role=Role.REVIEWER, groups=[group])
        reviewers.append(user.pk)
    lead = User.objects.create_user("lead", password="lead-bench")
    lead_grant(user=lead, tenant=tenant)
    client, _ = service_client_create(tenant=tenant, name="bench")

    now = datetime.now(UTC)
    start = now - timedelta(days=30)
    span = (now - start).total_seconds()
    draft_cols = [f.column for f in Draft._meta.concrete_fields if f.column != "id"]
    item_cols = [f.column for f in ReviewItem._meta.concrete_fields if f.column != "id"]
    event_cols = [f.column for f in ReviewEvent._meta.concrete_fields if f.column != "id"]
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM review_draft")
        first_draft = cursor.fetchone()[0] + 1
    raw = connection.connection
    assert raw is not None
    # Ids are assigned here (the sequences are moved past them afterwards) so that items and
    # events can name their draft without reading anything back.
    with raw.cursor() as cur:
        draft_copy = f"COPY review_draft (id, {', '.join(draft_cols)}) FROM STDIN"
        with cur.copy(draft_copy) as copy:
            for n in range(args.items):
                created = start + timedelta(seconds=span * n / args.items)
                scored = created + timedelta(seconds=rng.uniform(0.3, 3))
                open_ = n >= args.items * 0.99 and rng.random() < 0.9
                row = {
                    "tenant_id": tenant.pk,
                    "client_id": client.pk,
                    "idempotency_key": f"b{n}",
                    "fingerprint": "0" * 64,
                    "question": "q",
                    "text": "The X200 has a two-year warranty.",
                    "passages": "[]",
                    "logprobs": None,
                    "metadata": "{}",
                    "generator_model": MODELS[n % 2],
                    "prompt_version": PROMPTS[(n // 7) % 2],
                    "prompt_hash": "",
                    "intent": INTENTS[n % 5],
                    "amount": None,
                    "customer_tier": "",
                    "requested_queue_id": None,
                    "status": "routed" if open_ else "decided",
                    "score": None,
                    "confidence": round(rng.betavariate(5, 2), 4),
                    "decision": "queue_for_review",
                    "decision_reasons": "[]",
                    "versions": "{}",
                    "outcome": "" if open_ else "sent_draft",
                    "final_text": "",
                    "created_at": created,
                    "scored_at": scored,
                    "routed_at": scored,
                    "decided_at": None if open_ else scored + timedelta(minutes=rng.uniform(2, 50)),
                    "dispatch_attempts": 0,
                    "last_dispatch_at": None,
                }
                copy.write_row([first_draft + n, *(row[c] for c in draft_cols)])
        print(f"drafts: {args.items} in {time.perf_counter() - t0:.0f} s", flush=True)
        t1 = time.perf_counter()
        cur.execute(
            "SELECT id, created_at, scored_at, decided_at, status FROM review_draft WHERE tenant_id = %s ORDER BY id",
            [tenant.pk],
        )
        drafts = cur.fetchall()
        item_copy = f"COPY review_reviewitem (id, {', '.join(item_cols)}) FROM STDIN"
        events_total = 0
        with cur.copy(item_copy) as copy:
            for n, (draft_id, _created, scored, decided, status) in enumerate(drafts, start=1):
                queue = queues[n % QUEUES]
                due = scored + timedelta(minutes=60)
                claimed = scored + timedelta(minutes=rng.uniform(0.5, 20))
                reviewer = reviewers[n % REVIEWERS]
                if status == "decided":
                    expired = rng.random() < 0.03
                    state = "expired" if expired else "resolved"
                    disposition = (
                        "" if expired else rng.choice(["approved"] * 6 + ["edited"] * 2 + ["rejected", "escalated"])
                    )
                    resolved_at = None if expired else decided
                    owner, lease = None, None
                else:
                    state = "claimed" if rng.random() < 0.5 else "pending"
                    disposition, resolved_at = "", None
                    owner, lease = (reviewer, now + timedelta(minutes=3)) if state == "claimed" else (None, None)
                row = {
                    "draft_id": draft_id,
                    "queue_id": queue.pk,
                    "state": state,
                    "priority": rng.random(),
                    "created_at": scored,
                    "due_at": due,
                    "sla_warned_at": None,
                    "lease_owner_id": owner,
                    "lease_expires_at": lease,
                    "claimed_at": claimed if state in ("resolved", "claimed") else None,
                    "disposition": disposition,
                    "reason_code": "",
                    "note": "",
                    "final_text": "",
                    "reviewer_id": reviewer if state == "resolved" else None,
                    "resolved_at": resolved_at,
                    "escalated_from_id": None,
                }
                copy.write_row([n, *(row[c] for c in item_cols)])
        print(f"items: {len(drafts)} in {time.perf_counter() - t1:.0f} s", flush=True)
        t2 = time.perf_counter()
        cur.execute(
            "SELECT i.id, i.draft_id, i.state, i.disposition, i.created_at, i.claimed_at, i.resolved_at, i.due_at,"
            " i.reviewer_id, d.created_at, d.scored_at, d.decided_at FROM review_reviewitem i"
            " JOIN review_draft d ON d.id = i.draft_id WHERE d.tenant_id = %s ORDER BY i.id",
            [tenant.pk],
        )
        items = cur.fetchall()
        event_copy = f"COPY review_reviewevent ({', '.join(event_cols)}) FROM STDIN"
        with cur.copy(event_copy) as copy:
            for row_in in items:
                item_id, draft_id, state, disposition, created, claimed, resolved, due, reviewer = row_in[:9]
                d_created, d_scored = row_in[9], row_in[10]
                path: list[tuple[str, datetime, int | None, str, str]] = [
                    ("draft.received", d_created, None, "", "received"),
                    ("draft.scored", d_scored, None, "received", "scored"),
                    ("review.created", created, None, "", "pending"),
                    ("draft.routed", created, None, "scored", "routed"),
                ]
                if claimed is not None:
                    path.append(("review.claimed", claimed, reviewer, "pending", "claimed"))
                extra = args.events_per_item - len(path) - 2
                for k in range(max(0, extra)):
                    # Padding that the pages must not scan: warnings and re-claims after lapses.
                    at = created + timedelta(seconds=30 * (k + 1))
                    kind = "review.sla.warning" if k % 2 else "review.lease.expired"
                    path.append((kind, at, None, "claimed" if k % 2 == 0 else "", "pending" if k % 2 == 0 else ""))
                if state == "resolved":
                    path.append((f"review.{disposition}", resolved, reviewer, "claimed", "resolved"))
                    path.append(("draft.decided", resolved, None, "routed", "decided"))
                elif state == "expired":
                    path.append(("review.sla.breached", due, None, "pending", "expired"))
                    path.append(("draft.decided", due, None, "routed", "decided"))
                for type_, at, actor, from_state, to_state in path:
                    data = '{"fallback_action": "block"}' if type_ == "review.sla.breached" else "{}"
                    row = {
                        "draft_id": draft_id,
                        "item_id": None if type_.startswith("draft.") and type_ != "draft.decided" else item_id,
                        "actor_id": actor,
                        "client_id": None,
                        "type": type_,
                        "from_state": from_state,
                        "to_state": to_state,
                        "created_at": at,
                        "data": data,
                        "notified_at": at,
                    }
                    copy.write_row([row[c] for c in event_cols])
                    events_total += 1
        print(f"events: {events_total} in {time.perf_counter() - t2:.0f} s", flush=True)
        for table in ("review_draft", "review_reviewitem", "review_reviewevent"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        cur.execute("ANALYZE")
    raw.commit()
    print(f"seeded {DB_NAME} in {time.perf_counter() - t0:.0f} s; sign in as lead / lead-bench", flush=True)


if __name__ == "__main__":
    main()
