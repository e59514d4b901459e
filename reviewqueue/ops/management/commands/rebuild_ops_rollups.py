"""`manage.py rebuild_ops_rollups` — compute every hourly tally of the ops pages again."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from reviewqueue.ops import rollups


class Command(BaseCommand):
    help = (
        "Roll every hour of the ops figures again from the review tables (after a restore, a bulk"
        " import or a change to a figure's definition). The pages stay exact meanwhile."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        progress = logging.getLogger("reviewqueue.ops.rollups")
        rows = rollups.rollup_rebuild(now=timezone.now(), progress=progress if options["verbosity"] > 1 else None)
        self.stdout.write(f"ops rollups rebuilt: {rows} rows")
