from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from reviewqueue.policy.services import MIN_LABELS, calibrator_fit
from reviewqueue.tenancy.models import Tenant


class Command(BaseCommand):
    help = "Fit and activate a calibrator from reviewer labels for one tenant."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True)
        parser.add_argument("--method", choices=["isotonic", "platt"], default="isotonic")
        parser.add_argument("--min-labels", type=int, default=MIN_LABELS)

    def handle(self, *args: Any, tenant: str, method: str, min_labels: int, **options: Any) -> None:
        row = Tenant.objects.filter(slug=tenant).first()
        if row is None:
            raise CommandError(f"No tenant {tenant!r}.")
        version = calibrator_fit(tenant=row, now=timezone.now(), method=method, min_labels=min_labels)
        if version is None:
            self.stdout.write("Not enough labels of both classes yet; nothing published.")
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Published calibrator {version.version} ({version.labels_used} labels).")
            )
