"""`manage.py export_claim_labels --tenant acme --out labels.jsonl` — reviewers' claim labels as
training pairs for the verifier (`python -m scoring.train --extra-jsonl labels.jsonl`)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reviewqueue.calibration.export import claim_label_records
from reviewqueue.calibration.management.output import parse_when, write_lines
from reviewqueue.tenancy.models import Tenant


class Command(BaseCommand):
    help = "Write one tenant's claim-level reviewer labels as JSONL training pairs for scoring.train."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True)
        parser.add_argument("--out", default="-", help="JSONL file to write (default: standard output)")
        parser.add_argument("--since", help="only labels set or changed at or after this ISO date/time")

    def handle(self, *args: Any, tenant: str, out: str, since: str | None, **options: Any) -> None:
        row = Tenant.objects.filter(slug=tenant).first()
        if row is None:
            raise CommandError(f"No tenant {tenant!r}.")
        after = parse_when(since, flag="--since") if since else None
        records = claim_label_records(tenant=row, since=after)
        lines = (json.dumps(rec, ensure_ascii=False) + "\n" for rec in records)
        n = write_lines(lines, out=out, stdout=self.stdout)
        self.stderr.write(f"Exported {n} labelled claims of tenant {tenant!r}.")
