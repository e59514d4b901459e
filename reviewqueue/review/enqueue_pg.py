"""Enqueue on PostgreSQL as one statement: the draft and its `draft.received` event in one round trip.

The ORM path in services.draft_enqueue spends four round trips (BEGIN, two INSERTs, COMMIT) and
two query compilations on what intake does for every request. Here the rows are the same model
instances, prepared by their own fields (reviewqueue.rows), written by one statement that is atomic
on its own. A duplicate Idempotency-Key inserts nothing (ON CONFLICT waits for the concurrent
winner to commit), and the caller then reads the winner's row.
"""

from __future__ import annotations

from django.db import connection

from reviewqueue import rows
from reviewqueue.review.models import Draft, ReviewEvent


def insert_draft(draft: Draft, event: ReviewEvent, *, needs_default_queue: bool) -> bool:
    """INSERT `draft` and `event` (for it) unless the client already used the key, or unless
    `needs_default_queue` and the tenant has no default queue; True if inserted.

    On success `draft.pk` and `event.draft_id` are set.
    """
    draft_cols, draft_values = rows.insert_values(draft)
    event_cols, event_values = rows.insert_values(event)
    # The event's draft_id is the id the first INSERT returns, not a parameter.
    at = event_cols.index("draft_id")
    event_select = ["d.id" if i == at else "%s" for i in range(len(event_cols))]
    del event_values[at]
    sql = (
        f"WITH d AS (INSERT INTO review_draft ({', '.join(draft_cols)})"  # noqa: S608 - column names from the model
        f" SELECT {', '.join(['%s'] * len(draft_cols))}"
        " WHERE NOT %s OR EXISTS (SELECT 1 FROM review_queue WHERE tenant_id = %s AND is_default)"
        " ON CONFLICT (client_id, idempotency_key) DO NOTHING RETURNING id),"
        f" e AS (INSERT INTO review_reviewevent ({', '.join(event_cols)}) SELECT {', '.join(event_select)} FROM d)"
        " SELECT id FROM d"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*draft_values, needs_default_queue, draft.tenant_id, *event_values])
        row = cursor.fetchone()
    if row is None:
        return False
    draft.pk = event.draft_id = row[0]
    draft._state.adding = False
    return True
