"""`manage.py sweep lease|sla|redispatch|outbox|retention|ops-rollup` — the Celery beat timers, for cron.

Here, in `ops`, because it runs every package's timers (review's, intake's, audit's and the ops
rollup) and `ops` sits above all of them; in a lower package it would close an import cycle.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from reviewqueue.audit import outbox
from reviewqueue.intake import sweeps as intake_sweeps
from reviewqueue.ops import rollups
from reviewqueue.review import retention, sweeps


class Command(BaseCommand):
    help = (
        "Run one timer sweep once: lease, sla, redispatch, outbox (webhooks), retention (purge content)"
        " or ops-rollup (the ops pages' hourly tallies)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("timer", choices=["lease", "sla", "redispatch", "outbox", "retention", "ops-rollup"])
        parser.add_argument("--batch", type=int, default=None, help="At most this many rows per run.")

    def handle(self, *args: Any, timer: str, batch: int | None, **options: Any) -> None:
        now = timezone.now()
        if timer == "lease":
            self.stdout.write(f"lease sweep: {sweeps.lease_sweep(now=now, batch=batch)}")
        elif timer == "sla":
            breached, warned = sweeps.sla_sweep(now=now, batch=batch)
            self.stdout.write(f"sla sweep: breaches {breached}; warnings {warned}")
        elif timer == "retention":
            self.stdout.write(f"retention sweep: {retention.retention_sweep(now=now, batch=batch)}")
        elif timer == "ops-rollup":
            self.stdout.write(f"ops rollup: {rollups.rollup_sweep(now=now)}")
        elif timer == "outbox":
            self.stdout.write(f"webhook outbox: {outbox.outbox_sweep(now=now, batch=batch)}")
        else:
            self.stdout.write(f"re-dispatch sweep: {intake_sweeps.redispatch_sweep(now=now, batch=batch)}")
