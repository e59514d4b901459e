from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from reviewqueue.calibration.fitting import MIN_LABELS_PER_CLASS, calibrator_fit, label_shortage, labelled_scores
from reviewqueue.tenancy.models import Tenant


class Command(BaseCommand):
    help = (
        "Fit and activate a calibrator from reviewer labels for one tenant "
        f"(needs at least {MIN_LABELS_PER_CLASS} good and {MIN_LABELS_PER_CLASS} bad labels)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True)
        parser.add_argument("--method", choices=["isotonic", "platt"], default="isotonic")
        parser.add_argument(
            "--min-labels",
            type=int,
            default=MIN_LABELS_PER_CLASS,
            help=f"good and bad labels needed, each (default {MIN_LABELS_PER_CLASS})",
        )

    def handle(self, *args: Any, tenant: str, method: str, min_labels: int, **options: Any) -> None:
        row = Tenant.objects.filter(slug=tenant).first()
        if row is None:
            raise CommandError(f"No tenant {tenant!r}.")
        version = calibrator_fit(tenant=row, now=timezone.now(), method=method, min_labels=min_labels)
        if version is None:
            _, labels, _ = labelled_scores(tenant=row)
            shortage = label_shortage(labels, min_per_class=min_labels)
            self.stdout.write(f"{shortage.message if shortage else 'Not enough labels.'} Nothing published.")
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Published calibrator {version.version} ({version.labels_used} labels).")
            )
