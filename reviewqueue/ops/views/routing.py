"""/ops/routing/ — the routing mix over time and by queue, intent, prompt version or generator
model (`?by=`), override and escalation rates, scoring latency and failures, over `?range=`."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from reviewqueue.ops import charts, selectors, tallies
from reviewqueue.ops.access import lead_required, lead_tenants

SERIES = [
    ("auto_send", "Auto-sent"),
    ("auto_draft_human_send", "Drafted for a human"),
    ("queue_for_review", "Held for review"),
    ("block", "Blocked"),
]


@lead_required
@require_GET
def ops_routing(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    range_name, span = selectors.window_range(request.GET.get("range"))
    by = request.GET.get("by", selectors.DEFAULT_DIMENSION)
    if by not in selectors.DIMENSIONS:
        by = selectors.DEFAULT_DIMENSION
    tenants = lead_tenants(request)
    rows = selectors.routing_mix(tenant_ids=tenants, now=now, span=span, dimension=by)
    buckets = selectors.routing_mix_over_time(tenant_ids=tenants, now=now, span=span)
    hourly = range_name == "24h"
    chart = charts.stacked_columns(
        id="mix-chart",
        title=f"Routing decisions per {'hour' if hourly else 'day'}, last {range_name}",
        x_label="Hour (UTC)" if hourly else "Day (UTC)",
        y_label="Drafts",
        series=SERIES,
        columns=[(b.start.strftime("%H:00" if hourly else "%m-%d"), b.mix) for b in buckets],
        label_every=3 if hourly else (5 if len(buckets) > 10 else 1),
    )
    return render(
        request,
        "ops/routing.html",
        {
            "range_name": range_name,
            "ranges": list(selectors.RANGES),
            "percent_error": tallies.PERCENT_ERROR,
            "by": by,
            "dimensions": selectors.DIMENSIONS,
            "rows": rows,
            "chart": chart,
            "series": SERIES,
        },
    )
