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

from datetime import datetime, timedelta
from typing import Any

from django.db import connection

from reviewqueue.review.models import ReviewItem

LOCK = {
    "postgresql": "FOR UPDATE SKIP LOCKED LIMIT 1",
    "sqlite": "LIMIT 1",
}

_ITEM_COLUMNS = ", ".join(str(f.column) for f in ReviewItem._meta.concrete_fields)

# claim-next: lease the best claimable item, by priority, then due time, then id. Claimable is
# pending, or claimed with a lapsed lease (correctness never waits for the lease sweep); items
# past due are left to the SLA sweep. Two index lookups, not one scan over all open items:
# claimed rows sit at the top of the priority order, so one query over both states would step
# over every live lease.
#   pending: item_pending_order / item_pending_queue_order (partial on state='pending')
#   lapsed:  item_claimed_lease (partial on state='claimed'); few rows have lapsed at any time
# `picked` is materialised before the UPDATE writes, so RETURNING can say what the row was before
# (a takeover of a lapsed lease writes `review.lease.expired` with the previous owner).
CLAIM_NEXT = """
WITH picked AS MATERIALIZED (
    SELECT id, state, lease_owner_id FROM (
        SELECT * FROM (
            SELECT id, state, lease_owner_id, priority, due_at FROM review_reviewitem
            WHERE state = 'pending' AND queue_id IN ({queues}) AND due_at > %(now)s
            ORDER BY priority DESC, due_at ASC, id {lock}
        ) AS pending
        UNION ALL
        SELECT * FROM (
            SELECT id, state, lease_owner_id, priority, due_at FROM review_reviewitem
            WHERE state = 'claimed' AND lease_expires_at <= %(now)s AND queue_id IN ({queues}) AND due_at > %(now)s
            ORDER BY priority DESC, due_at ASC, id {lock}
        ) AS lapsed
    ) AS candidates
    ORDER BY priority DESC, due_at ASC, id
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


def claim_next(*, user_id: int, now: datetime, leases: dict[int, timedelta]) -> ReviewItem | None:
    """Run CLAIM_NEXT over the queues in `leases` (queue id → lease length), in the caller's
    transaction. The item comes back with `previous_state` and `previous_owner_id` set, or None."""
    adapt = connection.ops.adapt_datetimefield_value
    params: dict[str, Any] = {"now": adapt(now), "user_id": user_id}
    queues, expiries = [], []
    for i, (queue_id, lease) in enumerate(sorted(leases.items())):
        params[f"q{i}"], params[f"e{i}"] = queue_id, adapt(now + lease)
        queues.append(f"%(q{i})s")
        expiries.append(f"WHEN %(q{i})s THEN %(e{i})s")
    sql = CLAIM_NEXT.format(
        lock=LOCK[connection.vendor],
        queues=", ".join(queues),
        lease_expiries=" ".join(expiries),
        item_columns=_ITEM_COLUMNS,
    )
    # A raw queryset builds the instance with Django's own converters (Model.from_db).
    return next(iter(ReviewItem.objects.raw(sql, params)), None)
