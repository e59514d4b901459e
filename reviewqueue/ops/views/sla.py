"""/ops/sla/ — SLA attainment, breach history and claim latencies per queue (a table over the
window, and time series per hour or day), over a window named in the URL (`?range=24h|7d|30d`)
so a view can be shared."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from html import escape

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from reviewqueue.ops import charts, selectors, tallies
from reviewqueue.ops.access import lead_required, lead_tenants
from reviewqueue.ops.selectors import Breach, Latency
from reviewqueue.ops.sla_series import LatencyBucket, bucket_step, sla_latencies_with_series
from reviewqueue.ops.templatetags.ops_tags import seconds_short
from reviewqueue.review.models import Queue

PERCENTILE_SERIES = [(f"p{p}", f"p{p}") for p in selectors.PERCENTILES]


def _first_claim(latency: Latency) -> tuple[dict[int, float | None], int]:
    return latency.to_first_claim, latency.first_claim_n


def _handling(latency: Latency) -> tuple[dict[int, float | None], int]:
    return latency.handling, latency.handling_n


MEASURES: dict[str, tuple[str, str, Callable[[Latency], tuple[dict[int, float | None], int]]]] = {
    "first-claim": ("Enqueue → first claim", "items first claimed", _first_claim),
    "handling": ("Claim → resolution", "items resolved", _handling),
}


def _latency_charts(
    queue: Queue, index: int, buckets: list[LatencyBucket], range_name: str
) -> list[charts.SeriesChart]:
    hourly = bucket_step(selectors.RANGES[range_name]) < timedelta(days=1)
    labels = [b.label_at.strftime("%H:%M" if hourly else "%m-%d") for b in buckets]
    out = []
    for slug, (measure, counted, pick) in MEASURES.items():
        picked: list[tuple[dict[int, float | None], int]] = [pick(b.latencies[index]) for b in buckets]
        out.append(
            charts.time_series(
                id=f"latency-{slug}-{queue.pk}",
                title=f"{measure}, {queue.title or queue.name}, per {'hour' if hourly else 'day'} (last {range_name})",
                x_label=f"{'Hour' if hourly else 'Day'} (UTC)",
                y_label="Time",
                series=PERCENTILE_SERIES,
                labels=labels,
                values={
                    key: [values[p] for values, _ in picked]
                    for (key, _), p in zip(PERCENTILE_SERIES, selectors.PERCENTILES, strict=True)
                },
                text=seconds_short,
                counts=(f"n ({counted})", [n for _, n in picked]),
                label_every=max(1, len(labels) // 8),
            )
        )
    return out


def _breach_rows(breaches: list[Breach]) -> SafeString:
    """The breach table's rows, formatted here rather than by a template loop: up to 200 rows of
    a link, a time and five texts each cost a fifth of the page's time as template tags and
    filters (a `url` tag and two `date` filters per row)."""
    item_url = reverse("ops:item", args=[0]).removesuffix("0/")  # + "<item id>/"
    rows = []
    for b in breaches:
        at = timezone.localtime(b.at)
        rows.append(
            f'<tr data-item="{b.item_id}">'
            f'<td><time datetime="{at.isoformat()}">{at:%Y-%m-%d %H:%M}</time></td>'
            f"<td>{escape(b.queue)}</td>"
            f'<td><a href="{item_url}{b.item_id}/">item #{b.item_id}</a>'
            f' <span class="muted small">draft {b.draft_id}</span></td>'
            f"<td>{escape(b.from_state)}</td>"
            f'<td data-label="Fallback">{escape(b.fallback_action)}</td></tr>'
        )
    return mark_safe("".join(rows))  # noqa: S308 - every text in it is escaped; the rest are ids and times


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
    # The table and the chart's points from one read of the latency figures.
    latencies, buckets = sla_latencies_with_series(queues=queues, now=now, span=span)
    latency_charts = [(q, _latency_charts(q, i, buckets, range_name)) for i, q in enumerate(queues)]
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
            "breach_rows": _breach_rows(breaches),
            "breach_total": breach_total,
            "latencies": latencies,
            "latency_charts": latency_charts,
            "percentiles": selectors.PERCENTILES,
        },
    )
