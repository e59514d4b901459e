"""The golden-set job: evaluate when the live version combination has no run yet. Runs on the
scoring queue, where the model is loaded; only calls the service."""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth.models import User
from django.utils import timezone

from reviewqueue.golden import services
from reviewqueue.golden.models import GoldenRecord, GoldenTrigger
from reviewqueue.tenancy.models import Tenant


@shared_task(name="reviewqueue.golden.tasks.golden_check")
def golden_check(tenant_id: int | None = None) -> str:
    """One tenant (after a policy publish or a calibrator fit), or every tenant with a golden set
    (the periodic check, which notices a new model or fusion version on the workers)."""
    now = timezone.now()
    tenants = Tenant.objects.filter(pk__in=GoldenRecord.objects.values("tenant_id").distinct())
    if tenant_id is not None:
        tenants = tenants.filter(pk=tenant_id)
    runs = [run for tenant in tenants if (run := services.golden_check(tenant=tenant, now=now)) is not None]
    return f"golden runs: {len(runs)}" + "".join(f"; {r.tenant_id}: {r.combination}" for r in runs)


@shared_task(name="reviewqueue.golden.tasks.golden_eval")
def golden_eval(tenant_id: int, actor_id: int | None = None) -> str:
    """A run of the live combination, asked for by a lead on /ops/golden/."""
    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None:
        return "missing"
    actor = User.objects.filter(pk=actor_id).first() if actor_id is not None else None
    run = services.golden_eval(tenant=tenant, now=timezone.now(), trigger=GoldenTrigger.PAGE, actor=actor)
    return "no golden records" if run is None else f"golden run {run.pk}: {run.combination}"
