"""`manage.py export_labels --tenant acme --out labels.jsonl` — the tenant's draft-level labels,
the same rows and bytes as `GET /api/v1/labels` (reviewqueue/calibration/export.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reviewqueue.calibration.export import LABEL_FORMATS, label_file_rows, label_lines
from reviewqueue.calibration.labels import labelled_drafts
from reviewqueue.calibration.management.output import parse_when, write_lines
from reviewqueue.review.models import Queue
from reviewqueue.tenancy.models import Tenant


class Command(BaseCommand):
    help = "Write one tenant's draft-level labels (signals, score, decision, label, weight) as JSONL or CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True)
        parser.add_argument("--out", default="-", help="file to write (default: standard output)")
        parser.add_argument("--format", choices=sorted(LABEL_FORMATS), default="jsonl")
        parser.add_argument("--queue", help="only drafts routed to this queue")
        parser.add_argument("--prompt-version")
        parser.add_argument("--model", help="only drafts scored by this verifier model version")
        parser.add_argument("--fusion", help="only drafts scored with this fusion version")
        parser.add_argument("--since", help="drafts created at or after this ISO date/time")
        parser.add_argument("--until", help="drafts created before this ISO date/time")

    def handle(self, *args: Any, tenant: str, out: str, **options: Any) -> None:
        row = Tenant.objects.filter(slug=tenant).first()
        if row is None:
            raise CommandError(f"No tenant {tenant!r}.")
        queue = None
        if options["queue"]:
            queue = Queue.objects.filter(tenant=row, name=options["queue"]).first()
            if queue is None:
                raise CommandError(f"No queue {options['queue']!r} in tenant {tenant!r}.")
        since = parse_when(options["since"], flag="--since") if options["since"] else None
        until = parse_when(options["until"], flag="--until") if options["until"] else None
        if since is not None and until is not None and since >= until:
            raise CommandError("--until must be later than --since.")
        drafts = labelled_drafts(
            row,
            queue=queue,
            prompt_version=options["prompt_version"],
            model=options["model"],
            fusion=options["fusion"],
            since=since,
            until=until,
        )
        fmt = options["format"]
        n = write_lines(label_lines(label_file_rows(row, drafts), fmt=fmt), out=out, stdout=self.stdout)
        rows = n - 1 if fmt == "csv" else n
        self.stderr.write(f"Exported {rows} labelled drafts of tenant {tenant!r}.")
