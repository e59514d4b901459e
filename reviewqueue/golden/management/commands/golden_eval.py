"""manage.py golden_eval: score a tenant's golden set with the live versions and store the run;
--import FILE first adds records from a JSONL file in the shared data format."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from reviewqueue.errors import InvalidInput
from reviewqueue.golden import services
from reviewqueue.golden.models import GoldenTrigger
from reviewqueue.tenancy.models import Tenant


class Command(BaseCommand):
    help = "Score the tenant's golden set with the live model, fusion, calibrator and policy; store the figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="tenant slug")
        parser.add_argument("--import", dest="import_path", help="a JSONL file to add to the golden set first")
        parser.add_argument("--import-only", action="store_true", help="import the file and score nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"No tenant {options['tenant']!r}.")
        now = timezone.now()
        if options["import_path"]:
            try:
                with open(options["import_path"], "rb") as fh:
                    records = services.golden_import(tenant=tenant, lines=fh, now=now, source=options["import_path"])
            except OSError as exc:
                raise CommandError(f"Cannot read {options['import_path']}: {exc}") from None
            except InvalidInput as exc:
                errors = "\n  ".join(exc.details.get("errors", []))
                raise CommandError(f"{exc.message}\n  {errors}" if errors else exc.message) from None
            self.stdout.write(f"imported {len(records)} golden records into {tenant.slug}")
        if options["import_only"]:
            return
        run = services.golden_eval(tenant=tenant, now=now, trigger=GoldenTrigger.COMMAND)
        if run is None:
            raise CommandError(f"{tenant.slug} has no golden records; import some with --import FILE.")
        auroc = "n/a (one class)" if run.auroc is None else f"{run.auroc:.3f}"
        self.stdout.write(
            f"golden run {run.pk}: {run.combination}\n"
            f"  n={run.n} (bad {run.n_bad}) AUROC={auroc} escape rate={run.escape_rate:.3f} "
            f"({run.bad_auto_sent} of {run.auto_sent} auto-sent) auto-send share={run.auto_send_share:.3f} "
            f"in {run.seconds:.1f}s"
        )
        for r in run.regression:
            self.stdout.write(
                self.style.WARNING(
                    f"  REGRESSION {r['metric']}: {r['baseline']:.3f} → {r['candidate']:.3f} "
                    f"(tolerance {r['tolerance']:.3f})"
                )
            )
