"""/ops/calibration/ — fit a calibrator per queue (a Celery task whose progress the page polls),
its reliability before and after, thresholds for a stated target, a policy simulation on recent
traffic, and the shadow candidate: where it disagrees with live routing, promote, roll back.

Every write goes through a service (`calibration.runs`, `calibration.shadow`); every refusal is a
domain error, answered as the page with the message (or, for a client asking for JSON, the
API's stable error body) with the error's status: never a 500.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from reviewqueue.api.errors import error_json
from reviewqueue.calibration.fitting import MIN_LABELS_PER_CLASS
from reviewqueue.calibration.label_sets import LabelSet, calibration_labels
from reviewqueue.calibration.runs import METHODS, calibration_run_start
from reviewqueue.calibration.shadow import (
    candidate_promote,
    candidate_rollback,
    candidate_stage_calibrator,
    candidate_stage_policy,
    shadow_summary,
)
from reviewqueue.errors import DomainError, InvalidInput, NotFound
from reviewqueue.ops import charts
from reviewqueue.ops.access import lead_required, lead_tenants
from reviewqueue.ops.simulation import policy_simulate
from reviewqueue.ops.thresholds import TARGET_KINDS, parse_days, parse_target, threshold_recommend
from reviewqueue.policy import selectors
from reviewqueue.policy.models import CalibrationRun, CandidateStatus, RunStatus
from reviewqueue.policy.services import policy_from_config
from reviewqueue.review.models import Draft, Queue
from reviewqueue.tenancy.models import Tenant
from reviewqueue.web.views.access import signed_in_user
from scoring.calibration import Calibrator
from scoring.reliability import BINS

# The run panel polls every POLL_SECONDS while the tab is visible (static/js/ops_floor.js
# pauses any [data-live] poll while the tab is hidden); a finished run answers 286, which
# stops htmx polling.
POLL_SECONDS = 2
DEFAULT_DAYS = 7


def _tenant(request: HttpRequest, slug: str | None) -> Tenant:
    """The lead's tenant named by `slug` (else their first); another tenant is a 404."""
    tenants = Tenant.objects.filter(pk__in=lead_tenants(request)).order_by("slug")
    tenant = tenants.filter(slug=slug).first() if slug else tenants.first()
    if tenant is None:
        raise Http404("No such tenant.")
    return tenant


def _queue(tenant: Tenant, value: str | None) -> Queue | None:
    if not value:
        return None
    queue = Queue.objects.filter(tenant=tenant, pk=int(value)).first() if value.isdigit() else None
    if queue is None:
        raise NotFound(f"Queue {value!r} does not exist.")
    return queue


def _run(tenant: Tenant, value: str | None) -> CalibrationRun | None:
    runs = CalibrationRun.objects.filter(tenant=tenant).select_related("queue", "calibrator")
    if not value:
        return runs.order_by("-created_at", "-pk").first()
    run = runs.filter(pk=int(value)).first() if value.isdigit() else None
    if run is None:
        raise NotFound(f"Calibration run {value!r} does not exist.")
    return run


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _charts(report: dict[str, Any]) -> dict[str, Any]:
    before, after = report.get("before"), report["after"]
    series = []
    if before:
        series.append(("before", "Before (live)", [(b["mean_p"], b["observed"]) for b in before["bins"]]))
    series.append(("after", "After (this fit, out of fold)", [(b["mean_p"], b["observed"]) for b in after["bins"]]))
    width = 1 / BINS
    return {
        "reliability_chart": charts.line_chart(
            id="reliability",
            title="Reliability: predicted P(good) against the observed share of good drafts",
            x_label="Predicted P(good), mean per bin",
            y_label="Observed good share",
            series=series,
            diagonal=True,
        ),
        "histogram_chart": charts.stacked_columns(
            id="histogram",
            title="Calibrated score by label (weighted counts, rounded)",
            x_label="P(good) after this fit",
            y_label="Labels",
            series=[("good", "Good (approved)"), ("bad", "Bad (edited or rejected)")],
            columns=[
                (f"{b * width:.1f}", {"good": round(good), "bad": round(bad)})
                for b, (good, bad) in enumerate(report["histogram"])
            ],
        ),
        "tradeoff_chart": charts.line_chart(
            id="tradeoff",
            title="Trade-off: share of drafts auto-sent against estimated escape rate",
            x_label="Share auto-sent",
            y_label="Escape rate (bad among auto-sent)",
            series=[
                (
                    "curve",
                    "This fit",
                    [(t["auto_share"], t["escape"]) for t in report["tradeoff"] if t["escape"] is not None],
                )
            ],
            y_max=max([t["escape"] or 0.0 for t in report["tradeoff"]] + [0.05]),
            percent=True,
        ),
    }


def _context(request: HttpRequest, tenant: Tenant, **extra: Any) -> dict[str, Any]:
    queue = _queue(tenant, request.GET.get("queue") or request.POST.get("queue"))
    run = extra.pop("run", None) or _run(tenant, request.GET.get("run"))
    labels = calibration_labels(tenant=tenant, queue=queue)
    candidate = next((c for c in selectors.candidates(tenant_id=tenant.pk) if c.status == CandidateStatus.SHADOW), None)
    context: dict[str, Any] = {
        "tenant": tenant,
        "queues": list(Queue.objects.filter(tenant=tenant).order_by("name")),
        "queue": queue,
        "methods": METHODS,
        "min_labels": MIN_LABELS_PER_CLASS,
        "label_counts": {"good": sum(labels.labels), "bad": len(labels.labels) - sum(labels.labels)},
        "prompt_versions": list(
            Draft.objects.filter(tenant=tenant)
            .exclude(prompt_version="")
            .order_by("prompt_version")
            .values_list("prompt_version", flat=True)
            .distinct()[:50]
        ),
        "run": run,
        "runs": selectors.calibration_runs(tenant_id=tenant.pk),
        "poll_seconds": POLL_SECONDS,
        "candidates": selectors.candidates(tenant_id=tenant.pk),
        "shadow": shadow_summary(candidate=candidate, labels=_all_labels(tenant)) if candidate else None,
        "target_kinds": TARGET_KINDS,
        "days": DEFAULT_DAYS,
        "policy_draft": "",
    }
    if run is not None and run.status == RunStatus.DONE:
        context.update(_charts(run.report))
    context.update(extra)
    return context


def _all_labels(tenant: Tenant) -> LabelSet:
    return calibration_labels(tenant=tenant)


def _page(request: HttpRequest, tenant: Tenant, *, status: int = 200, **extra: Any) -> HttpResponse:
    return render(request, "ops/calibration.html", _context(request, tenant, **extra), status=status)


def _refuse(request: HttpRequest, tenant: Tenant | None, err: DomainError, **extra: Any) -> HttpResponse:
    """The refusal, with its status: the stable error body for a JSON client, else the page
    with the message (or the error page when even the page cannot be drawn)."""
    if _wants_json(request):
        return error_json(err.code, err.message, err.status, err.details)
    if tenant is None or err.status == 404:
        return render(request, "web/error.html", {"error": err}, status=err.status)
    return _page(request, tenant, status=err.status, error=err.message, **extra)


@lead_required
@require_GET
def ops_calibration(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request, request.GET.get("tenant"))
    try:
        return _page(request, tenant)
    except DomainError as err:
        return _refuse(request, None, err)


@lead_required
@require_GET
def ops_calibration_run(request: HttpRequest, run_id: int) -> HttpResponse:
    """The run panel (the htmx poll): 286 once the run is finished, so polling stops."""
    run = (
        CalibrationRun.objects.filter(pk=run_id, tenant_id__in=lead_tenants(request))
        .select_related("tenant", "queue", "calibrator")
        .first()
    )
    if run is None:
        return _refuse(request, None, NotFound(f"Calibration run {run_id} does not exist."))
    if _wants_json(request):
        return error_json("not_acceptable", "The run panel is HTML.", 406)
    context = {"run": run, "tenant": run.tenant, "poll_seconds": POLL_SECONDS}
    if request.htmx and run.finished:  # type: ignore[attr-defined]
        # The finished report needs the whole page (charts, actions): reload it.
        response = HttpResponse(status=286)
        response["HX-Redirect"] = reverse("ops:calibration") + f"?tenant={run.tenant.slug}&run={run.pk}"
        return response
    return render(request, "ops/_calibration_run.html", context)


@lead_required
@require_POST
def ops_calibration_fit(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request, request.POST.get("tenant"))
    try:
        queue = _queue(tenant, request.POST.get("queue"))
        run = calibration_run_start(
            acting_user=signed_in_user(request),
            tenant=tenant,
            queue_id=queue.pk if queue else None,
            prompt_version=request.POST.get("prompt_version", ""),
            method=request.POST.get("method", ""),
            now=timezone.now(),
        )
    except DomainError as err:
        return _refuse(request, tenant, err)
    return redirect(reverse("ops:calibration") + f"?tenant={tenant.slug}&run={run.pk}")


def _run_calibrator(run: CalibrationRun | None) -> Calibrator | None:
    return Calibrator.from_dict(run.calibrator.artefact) if run is not None and run.calibrator else None


@lead_required
@require_GET
def ops_calibration_recommend(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request, request.GET.get("tenant"))
    try:
        target = parse_target(request.GET.get("target", ""), request.GET.get("percent", ""))
        days = parse_days(request.GET.get("days", str(DEFAULT_DAYS)))
        queue = _queue(tenant, request.GET.get("queue"))
        run = _run(tenant, request.GET.get("run")) if request.GET.get("run") else None
        recommendation = threshold_recommend(
            tenant=tenant,
            now=timezone.now(),
            target=target,
            days=days,
            labels=calibration_labels(tenant=tenant, queue=queue),
            calibrator=_run_calibrator(run),
            queue=queue,
        )
    except DomainError as err:
        return _refuse(request, tenant, err)
    return _page(request, tenant, recommendation=recommendation, days=days, run=run)


@lead_required
@require_POST
def ops_calibration_simulate(request: HttpRequest) -> HttpResponse:
    """Read-only, but POST: the candidate policy is a JSON document, too long for a URL."""
    tenant = _tenant(request, request.POST.get("tenant"))
    text = request.POST.get("config", "").strip()
    try:
        days = parse_days(request.POST.get("days", str(DEFAULT_DAYS)))
        queue = _queue(tenant, request.POST.get("queue"))
        policy = None
        if text:
            try:
                config = json.loads(text)
            except json.JSONDecodeError as exc:
                raise InvalidInput(f"Not valid JSON: {exc}") from None
            policy = policy_from_config(config)
        run = _run(tenant, request.POST.get("run")) if request.POST.get("run") else None
        calibrator = _run_calibrator(run) if request.POST.get("use_run") else None
        simulation = policy_simulate(
            tenant=tenant,
            now=timezone.now(),
            days=days,
            labels=calibration_labels(tenant=tenant, queue=queue),
            policy=policy,
            calibrator=calibrator,
            queue=queue,
        )
    except DomainError as err:
        return _refuse(request, tenant, err, policy_draft=text)
    return _page(request, tenant, simulation=simulation, days=days, policy_draft=text, run=run)


def _candidate_action(request: HttpRequest, tenant: Tenant, action: Any, success: str) -> HttpResponse:
    try:
        candidate = action()
    except DomainError as err:
        return _refuse(request, tenant, err)
    messages.success(request, success.format(version=candidate.version))
    return redirect(reverse("ops:calibration") + f"?tenant={tenant.slug}")


@lead_required
@require_POST
def ops_candidate_stage_calibrator(request: HttpRequest, calibrator_id: int) -> HttpResponse:
    tenant = _tenant(request, request.POST.get("tenant"))
    return _candidate_action(
        request,
        tenant,
        lambda: candidate_stage_calibrator(
            acting_user=signed_in_user(request), calibrator_id=calibrator_id, now=timezone.now()
        ),
        "Calibrator {version} runs as the shadow: every draft now gets its decision recorded beside the live one.",
    )


@lead_required
@require_POST
def ops_candidate_stage_policy(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request, request.POST.get("tenant"))
    text = request.POST.get("config", "")
    try:
        config = json.loads(text)
    except json.JSONDecodeError as exc:
        return _refuse(request, tenant, InvalidInput(f"Not valid JSON: {exc}"), policy_draft=text)
    try:
        candidate = candidate_stage_policy(
            acting_user=signed_in_user(request),
            tenant=tenant,
            config=config,
            now=timezone.now(),
            note=request.POST.get("note", "")[:2000],
        )
    except DomainError as err:
        return _refuse(request, tenant, err, policy_draft=text)
    messages.success(request, f"Policy {candidate.version} runs as the shadow.")
    return redirect(reverse("ops:calibration") + f"?tenant={tenant.slug}")


@lead_required
@require_POST
def ops_candidate_promote(request: HttpRequest, candidate_id: int) -> HttpResponse:
    tenant = _tenant(request, request.POST.get("tenant"))
    return _candidate_action(
        request,
        tenant,
        lambda: candidate_promote(acting_user=signed_in_user(request), candidate_id=candidate_id, now=timezone.now()),
        "Promoted {version}: it routes every draft from now on.",
    )


@lead_required
@require_POST
def ops_candidate_rollback(request: HttpRequest, candidate_id: int) -> HttpResponse:
    tenant = _tenant(request, request.POST.get("tenant"))
    return _candidate_action(
        request,
        tenant,
        lambda: candidate_rollback(acting_user=signed_in_user(request), candidate_id=candidate_id, now=timezone.now()),
        "Rolled back {version}.",
    )
