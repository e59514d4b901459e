"""/ops/sla/ — SLA attainment, breach history and claim latencies per queue, over a window
named in the URL (`?range=24h|7d|30d`) so a view can be shared."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from reviewqueue.ops import charts, selectors, tallies
from reviewqueue.ops.access import lead_required, lead_tenants


@lead_required
@require_GET
def ops_sla(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    range_name = request.GET.get("range", selectors.DEFAULT_RANGE)
    if range_name not in selectors.RANGES:
        range_name = selectors.DEFAULT_RANGE
    span = selectors.RANGES[range_name]
    queues = list(selectors.queues_for_tenants(lead_tenants(request)))
    attainment = selectors.sla_attainment(queues=queues, now=now, span=span)
    breaches, breach_total = selectors.breach_history(queues=queues, now=now, span=span)
    latencies = selectors.sla_latencies(queues=queues, now=now, span=span)
    chart = charts.horizontal_bars(
        id="attainment-chart",
        title=f"SLA attainment per queue, last {range_name}",
        x_label="Share resolved within SLA (%)",
        y_label="Queue",
        rows=[
            (
                a.queue.title or a.queue.name,
                None if a.share is None else a.share * 100,
                "no items due" if a.share is None else f"{a.share * 100:.1f} % ({a.met}/{a.due})",
            )
            for a in attainment
        ],
        maximum=100,
    )
    return render(
        request,
        "ops/sla.html",
        {
            "now": now,
            "range_name": range_name,
            "ranges": list(selectors.RANGES),
            "percent_error": tallies.PERCENT_ERROR,
            "attainment": attainment,
            "chart": chart,
            "breaches": breaches,
            "breach_total": breach_total,
            "latencies": latencies,
            "percentiles": selectors.PERCENTILES,
        },
    )
