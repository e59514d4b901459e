from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from reviewqueue.calibration.fitting import MIN_LABELS_PER_CLASS
from reviewqueue.calibration.refit import calibration_refit
from reviewqueue.tenancy.models import Tenant


class Command(BaseCommand):
    # No `--activate`: a calibrator goes live only through a lead's promote, which passes the
    # golden-set gate. An install without a lead makes one (`manage.py grant_lead`) rather than
    # skipping the gate.
    help = (
        "Fit a calibrator on one tenant's labels (as a calibration run) and stage it as the shadow "
        "candidate; a lead promotes it on /ops/calibration/. Needs at least "
        f"{MIN_LABELS_PER_CLASS} good and {MIN_LABELS_PER_CLASS} bad labels."
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
        if min_labels < 1:
            raise CommandError("--min-labels must be at least 1.")
        done = calibration_refit(tenant=row, now=timezone.now(), method=method, min_per_class=min_labels)
        if done.candidate is None:
            self.stdout.write(f"{done.skipped.rstrip('.')}. Nothing staged.")
            return
        assert done.run is not None and done.run.calibrator is not None
        self.stdout.write(
            self.style.SUCCESS(
                f"Staged calibrator {done.candidate.version} ({done.run.calibrator.labels_used} labels) as the "
                f"shadow candidate of run {done.run.pk}; promote it on /ops/calibration/."
            )
        )
