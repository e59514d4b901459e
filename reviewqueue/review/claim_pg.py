"""Claim-next on PostgreSQL as one statement: pick, lease and record the events in a single round trip.

The ORM path in services.review_item_claim_next takes about ten round trips (two candidate
reads, a compare-and-swap update, one or two event inserts, BEGIN/COMMIT) and most of its CPU
goes to compiling those queries. Claiming is the reviewers' hottest write, so on PostgreSQL it is
this one statement; SQLite keeps the ORM path (its writers are serialised anyway).

What it must do is exactly what the ORM path does:
- the better of the best pending item and the best lapsed lease (two index lookups, each
  `FOR UPDATE SKIP LOCKED`, so concurrent claimers step over each other's candidates);
- the lease length from the item's queue;
- a `review.lease.expired` event first when a lapsed lease is taken over, then `review.claimed`,
  with the same payload `events.event_record` builds (the draft's versions and prompt).
  tests/review/test_claim_pg.py compares the two paths event by event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Model

from reviewqueue import rows
from reviewqueue.review.models import Draft, ItemState, Queue, ReviewItem

# The states are spelled out in the SQL below.
assert ItemState.CLAIMED == "claimed" and ItemState.PENDING == "pending"

# The draft's versions and prompt, merged into every event's data as events.event_record does.
_DRAFT_CONTEXT = """
  (CASE WHEN d.versions IS NOT NULL AND d.versions <> '{}'::jsonb
        THEN jsonb_build_object('versions', d.versions) ELSE '{}'::jsonb END)
  || (CASE WHEN d.prompt_version <> '' OR d.prompt_hash <> ''
        THEN jsonb_build_object('prompt', jsonb_build_object('version', d.prompt_version, 'hash', d.prompt_hash))
        ELSE '{}'::jsonb END)
"""

# The queues the user reviews: selectors.queues_for_user in SQL (the queue's group and a
# membership in its tenant). tests/review/test_claim_pg.py checks the two agree.
MY_QUEUES_SQL = """
  SELECT q.id FROM review_queue AS q
  JOIN auth_user_groups AS ug ON ug.group_id = q.reviewer_group_id AND ug.user_id = %(user)s
  JOIN tenancy_membership AS tm ON tm.tenant_id = q.tenant_id AND tm.user_id = %(user)s
"""
# Queue ids the caller has already checked against the user's queues.
GIVEN_QUEUES_SQL = "SELECT unnest(%(queue_ids)s::bigint[])"

# datetime.isoformat() of a UTC timestamp, character for character (microseconds only when non-zero).
_ISOFORMAT = """(to_char({ts} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
  || CASE WHEN date_part('microseconds', {ts})::bigint %% 1000000 <> 0
          THEN '.' || to_char({ts} AT TIME ZONE 'UTC', 'US') ELSE '' END || '+00:00')"""

_CANDIDATE = """
  SELECT id, state, lease_owner_id, priority, due_at FROM review_reviewitem
  WHERE queue_id = ANY (ARRAY(SELECT a.queue_id FROM allowed AS a)) AND due_at > %(now)s AND {condition}
  ORDER BY priority DESC, due_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
"""

_CLAIM_SQL = f"""
WITH allowed (queue_id) AS ({{allowed}}),
pending AS ({_CANDIDATE.format(condition="state = 'pending'")}),
lapsed AS ({_CANDIDATE.format(condition="state = 'claimed' AND lease_expires_at <= %(now)s")}),
pick AS (
  SELECT * FROM (SELECT * FROM pending UNION ALL SELECT * FROM lapsed) c
  ORDER BY priority DESC, due_at, id LIMIT 1
),
moved AS (
  UPDATE review_reviewitem AS i
  SET state = 'claimed', lease_owner_id = %(user)s, claimed_at = %(now)s,
      lease_expires_at = %(now)s + make_interval(secs => q.lease_seconds)
  FROM pick, review_queue AS q
  WHERE i.id = pick.id AND q.id = i.queue_id
  RETURNING i.*, pick.state AS previous_state, pick.lease_owner_id AS previous_owner_id
),
events AS (
  INSERT INTO review_reviewevent (draft_id, item_id, actor_id, client_id, type, from_state, to_state, created_at,
                                  data)
  SELECT e.draft_id, e.id, e.actor_id, NULL, e.type, e.from_state, e.to_state, %(now)s, e.data || {_DRAFT_CONTEXT}
  FROM (
    SELECT 0 AS seq, m.draft_id, m.id, NULL::integer AS actor_id, 'review.lease.expired' AS type,
           'claimed' AS from_state, 'pending' AS to_state,
           jsonb_build_object('owner_id', m.previous_owner_id, 'detected_by', 'claim') AS data
    FROM moved m WHERE m.previous_state = 'claimed'
    UNION ALL
    SELECT 1, m.draft_id, m.id, %(user)s, 'review.claimed', 'pending', 'claimed',
           jsonb_build_object('lease_expires_at', {_ISOFORMAT.format(ts="m.lease_expires_at")})
    FROM moved m
  ) e JOIN review_draft d ON d.id = e.draft_id
  -- Ordered so the takeover's lease.expired gets the lower id and replays first.
  ORDER BY e.seq
)
-- The claimed item with its draft and queue, so the caller needs no second query.
SELECT {{columns}}
FROM moved AS m JOIN review_draft AS d ON d.id = m.draft_id JOIN review_queue AS q ON q.id = m.queue_id
"""  # noqa: S608 - composed only from the constants above; every value is a bound parameter


# What the claimed item comes back with: the draft as a reviewer sees it, and its queue. Left out
# (they load if read): the token log-probs, which can run to megabytes of JSON, and the draft's
# and queue's intake and scoring bookkeeping, five timestamps among it (each one turned into an
# aware datetime by Python code in Django's loader). tests/api asserts a claim reads nothing lazily.
_DRAFT_DEFER: rows.Defer = (
    "logprobs",
    "idempotency_key",
    "fingerprint",
    "generator_model",
    "outcome",
    "final_text",
    "created_at",
    "scored_at",
    "routed_at",
    "decided_at",
    "dispatch_attempts",
    "last_dispatch_at",
)
_SHAPES: tuple[tuple[type[Model], rows.Defer], ...] = (
    (ReviewItem, ()),
    (Draft, _DRAFT_DEFER),
    (Queue, ("scoring_rules",)),
)
CLAIM_SQL = _CLAIM_SQL.replace(
    "{columns}",
    ", ".join(rows.columns(model, alias, defer) for (model, defer), alias in zip(_SHAPES, "mdq", strict=True)),
)


def claim_next(*, user_id: int, now: datetime, queue_ids: list[int] | None = None) -> ReviewItem | None:
    """Lease the best claimable item in the user's queues (or in `queue_ids`, already checked
    against them); None if there is none. The item comes back with its draft and queue loaded,
    as select_related would give them."""
    allowed = MY_QUEUES_SQL if queue_ids is None else GIVEN_QUEUES_SQL
    params: dict[str, Any] = {"now": now, "user": user_id, "queue_ids": queue_ids}
    with connection.cursor() as cursor:
        cursor.execute(CLAIM_SQL.replace("{allowed}", allowed), params)
        row = cursor.fetchone()
    if row is None:
        return None
    item, draft, queue = rows.split_row(row, *_SHAPES)
    assert isinstance(item, ReviewItem) and isinstance(draft, Draft) and isinstance(queue, Queue)
    item.draft, item.queue = draft, queue
    return item
