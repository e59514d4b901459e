"""Reads of the golden set: records, the stored scores, tolerance, run history."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from reviewqueue.golden.evaluation import Combination, Tolerance
from reviewqueue.golden.models import GoldenRecord, GoldenRun, GoldenScore, GoldenTolerance
from reviewqueue.tenancy.models import Tenant
from scoring.engine import Scorer


def tolerance_for(*, tenant: Tenant) -> Tolerance:
    row = GoldenTolerance.objects.filter(tenant=tenant).first()
    if row is None:
        return Tolerance(
            max_auroc_drop=float(settings.REVIEWQUEUE_GOLDEN_MAX_AUROC_DROP),
            max_escape_rise=float(settings.REVIEWQUEUE_GOLDEN_MAX_ESCAPE_RISE),
        )
    return Tolerance(max_auroc_drop=row.max_auroc_drop, max_escape_rise=row.max_escape_rise)


def golden_records(*, tenant: Tenant) -> QuerySet[GoldenRecord]:
    return GoldenRecord.objects.filter(tenant=tenant).order_by("pk")


def stored_scores(*, tenant: Tenant, scorer: Scorer) -> dict[int, GoldenScore]:
    """The tenant's records' results from this scorer (model, fusion and scorer version)."""
    rows = GoldenScore.objects.filter(
        record__tenant=tenant,
        model=scorer.model_version,
        fusion=scorer.fusion.version,
        scorer=scorer_version(scorer),
    )
    return {row.record_id: row for row in rows}


def scorer_version(scorer: Scorer) -> str:
    return scorer.versions(scorer.calibrator)["scorer"]


def golden_runs(*, tenant: Tenant, limit: int = 50) -> list[GoldenRun]:
    """The newest runs first."""
    return list(GoldenRun.objects.filter(tenant=tenant).order_by("-created_at", "-pk")[:limit])


def latest_live_run(*, tenant: Tenant) -> GoldenRun | None:
    return GoldenRun.objects.filter(tenant=tenant, live=True).order_by("-created_at", "-pk").first()


def baseline_run(*, tenant: Tenant, combination: Combination) -> GoldenRun | None:
    """The live run a `combination` is judged against: the latest live run of a *different*
    combination (the versions live before this one took over). Never the combination's own
    earlier run: a rerun of unchanged, regressed versions would then be compared with its own
    regressed figures and come out clean, clearing the page's flag and the alert with nothing
    fixed. So a rerun keeps its first run's baseline, and the flag stays until the versions
    change to ones within tolerance of what was live before."""
    return (
        GoldenRun.objects.filter(tenant=tenant, live=True)
        .exclude(
            model=combination.model,
            fusion=combination.fusion,
            calibrator=combination.calibrator,
            policy=combination.policy,
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def regressed_runs(*, tenant: Tenant) -> QuerySet[GoldenRun]:
    return GoldenRun.objects.filter(tenant=tenant).exclude(regression=[])
