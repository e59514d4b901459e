"""/ops/ — the floor now, per queue, live; and a lead's force-release of a stuck item."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from reviewqueue.errors import DomainError, InvalidInput, NotFound
from reviewqueue.ops import selectors
from reviewqueue.ops.access import lead_required, lead_tenants
from reviewqueue.ops.forms import FloorFilter
from reviewqueue.review import services
from reviewqueue.web.forms import first_error
from reviewqueue.web.views.access import signed_in_user

# The floor refreshes every POLL_SECONDS while the tab is visible (static/js/ops_floor.js
# cancels the request while it is hidden and asks for one as soon as it is shown again).
POLL_SECONDS = 10


def _query(queue_id: int | None, page: int) -> str:
    """The floor's query string for a list and page ("" for the first page of every queue)."""
    params: dict[str, int] = {}
    if queue_id is not None:
        params["queue"] = queue_id
    if page > 1:
        params["page"] = page
    return f"?{urlencode(params)}" if params else ""


def _floor_page(request: HttpRequest, template: str) -> HttpResponse:
    form = FloorFilter(request.GET)
    if not form.is_valid():
        return render(request, "web/error.html", {"error": InvalidInput(first_error(form))}, status=400)
    queue_id, page = form.cleaned_data["queue"], form.cleaned_data["page"] or 1
    now = timezone.now()
    try:
        floor = selectors.floor(
            queues=selectors.queues_for_tenants(lead_tenants(request)),
            now=now,
            warning_fraction=settings.REVIEWQUEUE_SLA_WARNING_FRACTION,
            queue_id=queue_id,
            page=page,
        )
    except NotFound as err:
        return render(request, "web/error.html", {"error": err}, status=404)
    return render(
        request,
        template,
        {
            "floor": floor,
            "here_query": _query(queue_id, floor.page),
            "prev_query": _query(queue_id, floor.page - 1) if floor.page > 1 else None,
            "next_query": _query(queue_id, floor.page + 1) if floor.page < floor.pages else None,
            "page_size": selectors.FLOOR_HELD_PAGE_SIZE,
            "now": now,
            "poll_seconds": POLL_SECONDS,
            "warning_percent": round(settings.REVIEWQUEUE_SLA_WARNING_FRACTION * 100),
        },
    )


@lead_required
@require_GET
def ops_floor(request: HttpRequest) -> HttpResponse:
    return _floor_page(request, "ops/floor.html")


@lead_required
@require_GET
def ops_floor_live(request: HttpRequest) -> HttpResponse:
    """The live part of the floor (the htmx poll), for the same list and page."""
    return _floor_page(request, "ops/floor.html#floor")


@lead_required
@require_POST
def ops_item_force_release(request: HttpRequest, item_id: int) -> HttpResponse:
    try:
        services.review_item_force_release(
            acting_user=signed_in_user(request),
            item_id=item_id,
            now=timezone.now(),
            reason=request.POST.get("reason", "")[:500],
        )
    except DomainError as err:
        if err.status == 404:
            return render(request, "web/error.html", {"error": err}, status=404)
        messages.error(request, err.message)
    else:
        messages.success(request, f"Item {item_id} is back in its queue.")
    # Back to the list and page the lead pressed it on (the form's action carries them).
    form = FloorFilter(request.GET)
    back = _query(form.cleaned_data["queue"], form.cleaned_data["page"] or 1) if form.is_valid() else ""
    return redirect(reverse("ops:floor") + back)
