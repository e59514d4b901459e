"""/ops/escape/ — the estimated escape rate (bad drafts among the auto-sent) with its 95 % Wilson
interval, from the blind audit sample and outcome feedback, per routing queue and prompt version,
over `?range=` (reviewqueue/calibration/escape.py says how it is weighted)."""

from __future__ import annotations

import math

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from reviewqueue.calibration.escape import ALL, escape_rates
from reviewqueue.ops import charts, selectors
from reviewqueue.ops.access import lead_required, lead_tenants
from reviewqueue.review.models import Queue


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


@lead_required
@require_GET
def ops_escape(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    range_name, span = selectors.window_range(request.GET.get("range"))
    tenants = lead_tenants(request)
    rows = escape_rates(tenant_ids=tenants, since=now - span, until=now)
    per_queue = [r for r in rows if r.queue != ALL and r.prompt_version is None]
    chart = charts.horizontal_bars(
        id="escape-chart",
        title=f"Estimated escape rate per queue, last {range_name} (upper end of the 95% interval beside it)",
        x_label="Bad drafts among the auto-sent",
        y_label="Queue",
        rows=[
            (
                r.queue,
                r.estimate.rate,
                "no audit yet" if r.estimate.rate is None else f"{_pct(r.estimate.rate)} (≤ {_pct(r.estimate.high)})",
            )
            for r in per_queue
        ],
        # The axis ends at the next 5 % above the widest interval, so its ticks are round.
        maximum=math.ceil(20 * max([0.05, *(r.estimate.high for r in per_queue if r.estimate.rate is not None)])) / 20,
    )
    audit_settings = (
        Queue.objects.filter(tenant_id__in=tenants).select_related("audit_queue").order_by("tenant__slug", "name")
    )
    return render(
        request,
        "ops/escape.html",
        {
            "range_name": range_name,
            "ranges": list(selectors.RANGES),
            "rows": rows,
            "chart": chart,
            "queues": audit_settings,
            "all": ALL,
        },
    )
