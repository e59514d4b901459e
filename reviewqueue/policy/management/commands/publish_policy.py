from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from reviewqueue.errors import InvalidInput
from reviewqueue.policy.services import policy_publish
from reviewqueue.tenancy.models import Tenant


class Command(BaseCommand):
    help = "Publish a routing policy (JSON file, scoring.policy.RoutingPolicy shape) as the tenant's active version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--tenant", required=True)
        parser.add_argument("--note", default="")

    def handle(self, *args: Any, file: Path, tenant: str, note: str, **options: Any) -> None:
        row = Tenant.objects.filter(slug=tenant).first()
        if row is None:
            raise CommandError(f"No tenant {tenant!r}.")
        try:
            config = json.loads(file.read_text())
            version = policy_publish(tenant=row, config=config, now=timezone.now(), note=note)
        except (OSError, json.JSONDecodeError, InvalidInput) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Published policy {version.version} for {tenant}."))
