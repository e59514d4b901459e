from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from reviewqueue.policy import services
from reviewqueue.tenancy.models import Tenant


@shared_task(name="reviewqueue.policy.tasks.recalibrate")
def recalibrate() -> str:
    """Refit each tenant's calibrator on its reviewers' labels (skipped where labels are too few)."""
    now = timezone.now()
    fitted = [v.version for t in Tenant.objects.all() if (v := services.calibrator_fit(tenant=t, now=now))]
    return f"fitted {len(fitted)}: {', '.join(fitted)}"
