"""`manage.py export_claim_labels --tenant acme --out labels.jsonl` — reviewers' claim labels as
training pairs for the verifier (`python -m scoring.train --extra-jsonl labels.jsonl`)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from reviewqueue.calibration.export import claim_label_records
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
        after = _parse_since(since) if since else None
        records = claim_label_records(tenant=row, since=after)
        if out == "-":
            n = _write(records, self.stdout)
        else:
            target = Path(out)
            if not target.parent.is_dir():
                raise CommandError(f"No directory {str(target.parent)!r} to write {out!r} in.")
            tmp = target.with_name(target.name + ".partial")
            with tmp.open("w", encoding="utf-8") as fh:
                n = _write(records, fh)
            tmp.replace(target)  # a reader never sees half a file
        self.stderr.write(f"Exported {n} labelled claims of tenant {tenant!r}.")


def _parse_since(value: str) -> datetime:
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since {value!r} is not an ISO date or date-time.") from None
    return when if timezone.is_aware(when) else timezone.make_aware(when, timezone.get_current_timezone())


def _write(records: Any, fh: Any) -> int:
    n = 0
    for rec in records:
        fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        n += 1
    return n
