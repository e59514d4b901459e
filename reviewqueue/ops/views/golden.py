"""/ops/golden/ — a tenant's golden set: its records, the figures of every run per version
combination (chart and table), the regression flag, the tolerance, a JSONL upload, a run on
demand, and promoting a reviewed draft into the set."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from reviewqueue.errors import DomainError, InvalidInput
from reviewqueue.golden import selectors as golden_selectors
from reviewqueue.golden import services as golden_services
from reviewqueue.golden.dispatch import golden_eval_soon
from reviewqueue.golden.models import GoldenRecord
from reviewqueue.ops import charts
from reviewqueue.ops.access import lead_required, lead_tenant
from reviewqueue.tenancy.models import Tenant
from reviewqueue.web.views.access import error_page, signed_in_user


def _page(request: HttpRequest, tenant: Tenant, *, errors: list[str] | None = None, status: int = 200) -> HttpResponse:
    runs = golden_selectors.golden_runs(tenant=tenant)
    live = [r for r in reversed(runs) if r.live]  # oldest first, for the chart
    chart = charts.time_series(
        id="golden-chart",
        title="Golden set per run of the live versions (oldest left)",
        x_label="Run (number; versions in the table)",
        y_label="Share / AUROC",
        series=[("auroc", "AUROC"), ("escape", "Escape rate (bad among auto-sent)"), ("auto_send", "Auto-send share")],
        labels=[f"#{r.pk}" for r in live],
        values={
            "auroc": [r.auroc for r in live],
            "escape": [r.escape_rate for r in live],
            "auto_send": [r.auto_send_share for r in live],
        },
        text=lambda v: "—" if v is None else f"{v:.3f}",
        label_every=max(1, len(live) // 10),
    )
    latest = golden_selectors.latest_live_run(tenant=tenant)
    records = GoldenRecord.objects.filter(tenant=tenant)
    return render(
        request,
        "ops/golden.html",
        {
            "tenant": tenant,
            "runs": runs,
            "chart": chart,
            "latest": latest,
            "record_count": records.count(),
            "bad_count": records.filter(label=1).count(),
            "recent_records": list(records.order_by("-created_at", "-pk")[:10]),
            "tolerance": golden_selectors.tolerance_for(tenant=tenant),
            "errors": errors or [],
        },
        status=status,
    )


def _back(tenant: Tenant, anchor: str = "") -> HttpResponse:
    return redirect(reverse("ops:golden") + f"?tenant={tenant.slug}{anchor}")


@lead_required
@require_GET
def ops_golden(request: HttpRequest) -> HttpResponse:
    return _page(request, lead_tenant(request, request.GET.get("tenant")))


@lead_required
@require_POST
def ops_golden_upload(request: HttpRequest) -> HttpResponse:
    tenant = lead_tenant(request, request.POST.get("tenant"))
    upload = request.FILES.get("file")
    if upload is None:
        return _page(request, tenant, errors=["Choose a JSONL file to upload."], status=400)
    try:
        records = golden_services.golden_import(
            tenant=tenant, lines=upload, now=timezone.now(), actor=signed_in_user(request), source=upload.name or ""
        )
    except InvalidInput as err:
        return _page(request, tenant, errors=[err.message, *err.details.get("errors", [])], status=400)
    messages.success(request, f"Imported {len(records)} golden records. Run the set to see their figures.")
    return _back(tenant)


@lead_required
@require_POST
def ops_golden_evaluate(request: HttpRequest) -> HttpResponse:
    tenant = lead_tenant(request, request.POST.get("tenant"))
    if golden_eval_soon(tenant_id=tenant.pk, actor_id=signed_in_user(request).pk):
        messages.success(request, "The golden set is being scored on a worker; its run appears here when done.")
    else:
        messages.error(request, "The task queue is unreachable; try again, or run manage.py golden_eval.")
    return _back(tenant, "#runs")


@lead_required
@require_POST
def ops_golden_tolerance(request: HttpRequest) -> HttpResponse:
    tenant = lead_tenant(request, request.POST.get("tenant"))
    try:
        try:
            auroc = float(request.POST.get("max_auroc_drop", ""))
            escape = float(request.POST.get("max_escape_rise", ""))
        except ValueError:
            raise InvalidInput("Tolerances are numbers between 0 and 1.") from None
        golden_services.golden_tolerance_set(
            acting_user=signed_in_user(request),
            tenant=tenant,
            max_auroc_drop=auroc,
            max_escape_rise=escape,
            now=timezone.now(),
        )
    except InvalidInput as err:
        return _page(request, tenant, errors=[err.message], status=400)
    messages.success(request, "Tolerance saved; it applies from the next run and the next promotion check.")
    return _back(tenant, "#tolerance")


@lead_required
@require_POST
def ops_golden_promote(request: HttpRequest, draft_id: int) -> HttpResponse:
    try:
        record = golden_services.golden_promote(
            acting_user=signed_in_user(request), draft_id=draft_id, now=timezone.now()
        )
    except DomainError as err:
        return error_page(request, err)
    label = "bad" if record.label else "good"
    messages.success(request, f"Draft {draft_id} joined the golden set, labelled {label}.")
    return _back(record.tenant)
