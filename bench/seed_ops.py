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
from typing import Any

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


# Each item's events, written by the server (INSERT … SELECT: no row crosses the socket, faster
# than COPY): the received → scored → created → routed → claimed → resolved → decided path, padding
# that the pages must not scan (SLA warnings and lease lapses) up to `per_item` events, a breach
# on the expired ones. (kind, at, item, actor, from, to, data, which items)
EVENT_PATH = [
    ("'draft.received'", "d.created_at", "NULL", "NULL", "''", "'received'", "'{}'", "TRUE"),
    ("'draft.scored'", "d.scored_at", "NULL", "NULL", "'received'", "'scored'", "'{}'", "TRUE"),
    ("'review.created'", "i.created_at", "i.id", "NULL", "''", "'pending'", "'{}'", "TRUE"),
    ("'draft.routed'", "i.created_at", "NULL", "NULL", "'scored'", "'routed'", "'{}'", "TRUE"),
    (
        "'review.claimed'",
        "i.claimed_at",
        "i.id",
        "i.reviewer_id",
        "'pending'",
        "'claimed'",
        "'{}'",
        "i.claimed_at IS NOT NULL",
    ),
    (
        "'review.' || i.disposition",
        "i.resolved_at",
        "i.id",
        "i.reviewer_id",
        "'claimed'",
        "'resolved'",
        "'{}'",
        "i.state = 'resolved'",
    ),
    (
        "'review.sla.breached'",
        "i.due_at",
        "i.id",
        "NULL",
        "'pending'",
        "'expired'",
        """'{"fallback_action": "block"}'""",
        "i.state = 'expired'",
    ),
    ("'draft.decided'", "i.resolved_at", "i.id", "NULL", "'routed'", "'decided'", "'{}'", "i.state = 'resolved'"),
    ("'draft.decided'", "i.due_at", "i.id", "NULL", "'routed'", "'decided'", "'{}'", "i.state = 'expired'"),
]


def seed_events(cur: Any, *, tenant_id: int, per_item: int) -> int:
    cols = "draft_id, item_id, actor_id, client_id, type, from_state, to_state, created_at, data, notified_at"
    source = "FROM review_reviewitem i JOIN review_draft d ON d.id = i.draft_id WHERE d.tenant_id = %s"
    total = 0
    for kind, at, item, actor, from_state, to_state, data, which in EVENT_PATH:
        cur.execute(
            f"INSERT INTO review_reviewevent ({cols}) SELECT d.id, {item}, {actor}, NULL, {kind}, {from_state},"
            f" {to_state}, {at}, {data}::jsonb, {at} {source} AND {which}",
            [tenant_id],
        )
        total += cur.rowcount
    return total + seed_padding(cur, tenant_id=tenant_id, per_item=per_item)


def seed_padding(cur: Any, *, tenant_id: int, per_item: int) -> int:
    cols = "draft_id, item_id, actor_id, client_id, type, from_state, to_state, created_at, data, notified_at"
    # Padding: per_item − (the path's length for the item) − 2, alternately a lapse and a warning
    # 30 s apart after the enqueue.
    cur.execute(
        f"INSERT INTO review_reviewevent ({cols}) SELECT d.id, i.id, NULL, NULL,"
        " CASE WHEN mod(k, 2) = 1 THEN 'review.sla.warning' ELSE 'review.lease.expired' END,"
        " CASE WHEN mod(k, 2) = 0 THEN 'claimed' ELSE '' END, CASE WHEN mod(k, 2) = 0 THEN 'pending' ELSE '' END,"
        " i.created_at + (k + 1) * interval '30 seconds', '{}'::jsonb, i.created_at + (k + 1) * interval '30 seconds'"
        " FROM review_reviewitem i JOIN review_draft d ON d.id = i.draft_id"
        " CROSS JOIN LATERAL generate_series(0, %s - 2 - CASE WHEN i.claimed_at IS NULL THEN 4 ELSE 5 END - 1) AS k"
        " WHERE d.tenant_id = %s",
        [per_item, tenant_id],
    )
    return int(cur.rowcount)


def events_only(per_item: int) -> None:
    django_env()
    from django.db import connection

    from reviewqueue.tenancy.models import Tenant

    tenant = Tenant.objects.get(slug="bench")
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    t0 = time.perf_counter()
    with raw.cursor() as cur:
        cur.execute(
            "DELETE FROM review_reviewevent WHERE draft_id IN (SELECT id FROM review_draft WHERE tenant_id = %s)",
            [tenant.pk],
        )
        total = seed_events(cur, tenant_id=tenant.pk, per_item=per_item)
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('review_reviewevent', 'id'),"
            " (SELECT MAX(id) FROM review_reviewevent))"
        )
        cur.execute("ANALYZE")
    raw.commit()
    print(f"events: {total} in {time.perf_counter() - t0:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--events-per-item", type=int, default=10)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--events-only", action="store_true", help="keep the drafts and items, write their events again"
    )
    args = parser.parse_args()
    if args.events_only:
        events_only(args.events_per_item)
        return
    rng = random.Random(args.seed)
    _fresh_database()
    django_env()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection

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
                    "dispatch_expires_at": None,
                    "content_purged_at": None,
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
                    "audit_probability": None,
                    "follow_up": False,
                }
                copy.write_row([n, *(row[c] for c in item_cols)])
        print(f"items: {len(drafts)} in {time.perf_counter() - t1:.0f} s", flush=True)
        t2 = time.perf_counter()
        events_total = seed_events(cur, tenant_id=tenant.pk, per_item=args.events_per_item)
        print(f"events: {events_total} in {time.perf_counter() - t2:.0f} s", flush=True)
        for table in ("review_draft", "review_reviewitem", "review_reviewevent"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        cur.execute("ANALYZE")
    raw.commit()
    print(f"seeded {DB_NAME} in {time.perf_counter() - t0:.0f} s; sign in as lead / lead-bench", flush=True)


if __name__ == "__main__":
    main()
