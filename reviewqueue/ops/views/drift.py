"""/ops/drift/ — confidence drift per prompt version and generator model (PSI, `?range=`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from reviewqueue.ops import charts, selectors
from reviewqueue.ops.access import lead_required, lead_tenants


@lead_required
@require_GET
def ops_drift(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    range_name, span = selectors.window_range(request.GET.get("range"))
    drift = selectors.confidence_drift(tenant_ids=lead_tenants(request), now=now, span=span)
    top = max([d.psi for d in drift if d.psi is not None] + [selectors.PSI_SHIFT * 2])
    chart = charts.horizontal_bars(
        id="psi-chart",
        title=f"Confidence drift (PSI), last {range_name} against the {range_name} before",
        x_label=f"PSI (shift at ≥ {selectors.PSI_SHIFT:g})",
        y_label="Prompt · model",
        rows=[
            (
                f"{d.prompt_version} · {d.generator_model}",
                d.psi,
                "—" if d.psi is None else f"{d.psi:.3f} ({d.level})",
            )
            for d in drift
        ],
        maximum=top,
    )
    return render(
        request,
        "ops/drift.html",
        {
            "range_name": range_name,
            "ranges": list(selectors.RANGES),
            "drift": drift,
            "chart": chart,
            "psi_shift": selectors.PSI_SHIFT,
            "psi_moderate": selectors.PSI_MODERATE,
            "min_sample": selectors.PSI_MIN_SAMPLE,
            "bins": selectors.PSI_BINS,
        },
    )
