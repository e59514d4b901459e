"""The review package's named SQL statements: the hot paths where one statement is the behaviour.

Each statement here is the only implementation of what it does, on PostgreSQL and on SQLite
(procrastinate's `queries.sql` is the model). The dialect difference is one visible fragment,
`{lock}`: PostgreSQL skips the candidate rows other claimers hold; SQLite serialises writers
(IMMEDIATE transactions), so there the statement is itself the compare-and-swap. Both need
RETURNING (PostgreSQL; SQLite ≥ 3.35) and MATERIALIZED common table expressions (PostgreSQL ≥ 12;
SQLite ≥ 3.35).

Parameters are Django's `%(name)s` placeholders; datetimes are passed through
`connection.ops.adapt_datetimefield_value`, exactly as the ORM stores them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections

from reviewqueue.review.models import Draft, ReviewItem

LOCK = {
    "postgresql": "FOR UPDATE SKIP LOCKED LIMIT 1",
    "sqlite": "LIMIT 1",
}

_ITEM_COLUMNS = ", ".join(str(f.column) for f in ReviewItem._meta.concrete_fields)

# The fair order, one sort key for every candidate (README, "Fair ordering"):
#   1. at risk first: an item past its queue's SLA warning fraction (`due_at` within the last
#      (1 - fraction) of the queue's SLA from now, the same test the floor's "near breach" count
#      uses) outranks any item that is not, whatever their priorities;
#   2. among items at risk, the earliest due first (their priority no longer decides: all of them
#      are about to breach, and the one that breaches first is served first);
#   3. among the others, the highest priority, then the earliest due;
#   4. then the lower id.
# `at_risk` is 1 or 0 on both databases; `urgency` is the priority for items not at risk and a
# constant for items at risk, so one ORDER BY says all four rules.
_AT_RISK = "CASE WHEN due_at <= CASE queue_id {risk_from} END THEN 1 ELSE 0 END"
_ORDER = "at_risk DESC, urgency DESC, due_at ASC, id"

# Escalation goes somewhere else: an item that the claiming reviewer escalated into this queue is
# skipped while another active reviewer of the queue could take it; if nobody else could, it is
# theirs again rather than stuck. Whether somebody else could is a property of the queue, not of
# the item: the caller reads it with the queues (`QueueTimers.sole_reviewer`) and passes the
# queues where this reviewer is alone as constants. Asked here as a 4-table NOT EXISTS in each of
# the three candidate reads, it cost PostgreSQL ~5 ms of planning per claim (bench_intake; the
# rows it would read were none): more than the rest of the claim.
_NOT_BOUNCED = """(
    escalated_from_id IS NULL{alone}
    OR NOT EXISTS (
        SELECT 1 FROM review_reviewitem AS prev
        WHERE prev.id = review_reviewitem.escalated_from_id AND prev.reviewer_id = %(user_id)s
    )
)"""

# claim-next: lease the best claimable item in the fair order above. Claimable is pending, or
# claimed with a lapsed lease (correctness never waits for the lease sweep); items past due are
# left to the SLA sweep. Three index lookups, not one scan over all open items, each bringing at
# most one candidate; the outer ORDER BY picks among them:
#   at risk: item_open_due (partial on open states, `due_at` between now and `risk_until`, the
#            widest risk horizon of the queues: a bound the index range scan stops at, so when no
#            item is at risk it reads none instead of every pending row; the per-queue CASE then
#            keeps each queue's own horizon), earliest due first, which is the best item at risk;
#   pending: item_pending_order / item_pending_queue_order (partial on state='pending'), the
#            highest priority, which is the best item not at risk when no item is at risk;
#   lapsed:  item_claimed_lease (partial on state='claimed'); few rows have lapsed at any time.
# Claimed rows are kept out of the pending lookups: they sit at the top of the priority order, so
# one query over both states would step over every live lease.
# `picked` is materialised before the UPDATE writes, so RETURNING can say what the row was before
# (a takeover of a lapsed lease writes `review.lease.expired` with the previous owner).
CLAIM_NEXT = """
WITH picked AS MATERIALIZED (
    SELECT id, state, lease_owner_id FROM (
        SELECT * FROM (
            SELECT id, state, lease_owner_id, priority, due_at, 1 AS at_risk, 0 AS urgency FROM review_reviewitem
            WHERE state = 'pending' AND queue_id IN ({queues}) AND due_at > %(now)s
                AND due_at <= %(risk_until)s AND due_at <= CASE queue_id {risk_from} END AND {not_bounced}
            ORDER BY due_at ASC, priority DESC, id {lock}
        ) AS risky
        UNION ALL
        SELECT * FROM (
            SELECT id, state, lease_owner_id, priority, due_at, {at_risk} AS at_risk,
                CASE WHEN {at_risk} = 1 THEN 0 ELSE priority END AS urgency
            FROM review_reviewitem
            WHERE state = 'pending' AND queue_id IN ({queues}) AND due_at > %(now)s AND {not_bounced}
            ORDER BY priority DESC, due_at ASC, id {lock}
        ) AS pending
        UNION ALL
        SELECT * FROM (
            SELECT id, state, lease_owner_id, priority, due_at, {at_risk} AS at_risk,
                CASE WHEN {at_risk} = 1 THEN 0 ELSE priority END AS urgency
            FROM review_reviewitem
            WHERE state = 'claimed' AND lease_expires_at <= %(now)s AND queue_id IN ({queues})
                AND due_at > %(now)s AND {not_bounced}
            ORDER BY {at_risk} DESC, CASE WHEN {at_risk} = 1 THEN 0 ELSE priority END DESC, due_at ASC, id {lock}
        ) AS lapsed
    ) AS candidates
    ORDER BY {order}
    LIMIT 1
)
UPDATE review_reviewitem
SET state = 'claimed', lease_owner_id = %(user_id)s, claimed_at = %(now)s,
    lease_expires_at = CASE queue_id {lease_expiries} END
WHERE id = (SELECT id FROM picked)
RETURNING {item_columns},
    (SELECT state FROM picked) AS previous_state,
    (SELECT lease_owner_id FROM picked) AS previous_owner_id
"""


# enqueue: write the draft once per (client, idempotency key), and only where it has a queue to go
# to: the one it names, or else its tenant's default. One statement instead of an EXISTS read and an
# INSERT that may raise (bench_intake: the read was ~11% of an enqueue's web CPU, and a raised
# IntegrityError needs a savepoint around the INSERT). ON CONFLICT without a target covers the
# idempotency key's unique constraint; a check constraint still raises. Nothing written, no row
# returned. INSERT … SELECT rather than VALUES, for the WHERE: PostgreSQL types a SELECT's untyped
# parameters as text, which text columns take and no other column would from a NULL, so the
# columns whose value is NULL are left out (none has a database default: they stay NULL).
DRAFT_INSERT = """
INSERT INTO review_draft ({columns})
SELECT {values}
WHERE %(has_queue)s OR EXISTS (SELECT 1 FROM review_queue WHERE tenant_id = %(tenant)s AND is_default)
ON CONFLICT DO NOTHING
RETURNING id
"""


def draft_insert(draft: Draft) -> bool:
    """Run DRAFT_INSERT for the unsaved `draft` (its values prepared as the ORM's INSERT prepares
    them), in the caller's transaction. True, with `draft.pk` set, if the row was written."""
    params: dict[str, Any] = {"has_queue": draft.requested_queue_id is not None, "tenant": draft.tenant_id}
    columns, values = [], []
    # The wrapper itself, not the `connection` proxy: each field's preparation reads it again, and
    # each read through the proxy is a context-local lookup.
    db = connections[DEFAULT_DB_ALIAS]
    for field in Draft._meta.concrete_fields:
        if field.primary_key:
            continue
        value = field.pre_save(draft, add=True)
        # NULL columns are left out (DRAFT_INSERT): a None is not prepared only to be dropped (about a
        # third of the columns of a new draft are NULL).
        if value is None:
            continue
        value = field.get_db_prep_save(value, db)
        if value is not None:
            columns.append(str(field.column))
            values.append(f"%(v_{field.column})s")
            params[f"v_{field.column}"] = value
    sql = DRAFT_INSERT.format(columns=", ".join(columns), values=", ".join(values))
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    draft.pk = row[0]
    draft._state.adding, draft._state.db = False, db.alias
    return True


@dataclass(frozen=True)
class QueueTimers:
    """What claim-next needs to know of one queue: its lease length, its SLA risk window (the
    time before the due time from which an item is at risk: the SLA × (1 − warning fraction)) and
    whether the claiming reviewer is its only active reviewer."""

    lease: timedelta
    risk_window: timedelta
    sole_reviewer: bool = False  # no other active reviewer could take an item from this queue


def claim_next(*, user_id: int, now: datetime, queues: dict[int, QueueTimers]) -> ReviewItem | None:
    """Run CLAIM_NEXT over `queues` (queue id → its timers), in the caller's transaction. The item
    comes back with `previous_state` and `previous_owner_id` set, or None."""
    adapt = connection.ops.adapt_datetimefield_value
    params: dict[str, Any] = {"now": adapt(now), "user_id": user_id}
    ids, expiries, risk_from, alone = [], [], [], []
    for i, (queue_id, timers) in enumerate(sorted(queues.items())):
        params[f"q{i}"], params[f"e{i}"] = queue_id, adapt(now + timers.lease)
        params[f"r{i}"] = adapt(now + timers.risk_window)
        ids.append(f"%(q{i})s")
        expiries.append(f"WHEN %(q{i})s THEN %(e{i})s")
        risk_from.append(f"WHEN %(q{i})s THEN %(r{i})s")
        if timers.sole_reviewer:
            alone.append(f"%(q{i})s")
    risk = " ".join(risk_from)
    params["risk_until"] = adapt(now + max((t.risk_window for t in queues.values()), default=timedelta(0)))
    sql = CLAIM_NEXT.format(
        lock=LOCK[connection.vendor],
        queues=", ".join(ids),
        lease_expiries=" ".join(expiries),
        risk_from=risk,
        at_risk=_AT_RISK.format(risk_from=risk),
        order=_ORDER,
        not_bounced=_NOT_BOUNCED.format(alone=f"\n    OR queue_id IN ({', '.join(alone)})" if alone else ""),
        item_columns=_ITEM_COLUMNS,
    )
    # A raw queryset builds the instance with Django's own converters (Model.from_db).
    return next(iter(ReviewItem.objects.raw(sql, params)), None)
