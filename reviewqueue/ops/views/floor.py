"""/ops/ — the floor now, per queue, live; and a lead's force-release of a stuck item."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from reviewqueue.errors import DomainError
from reviewqueue.ops import selectors
from reviewqueue.ops.access import lead_required, lead_tenants
from reviewqueue.review import services
from reviewqueue.web.views.access import signed_in_user

# The floor refreshes every POLL_SECONDS while the tab is visible (static/js/ops_floor.js
# cancels the request while it is hidden and asks for one as soon as it is shown again).
POLL_SECONDS = 10


def _context(request: HttpRequest, now: datetime) -> dict[str, Any]:
    rows = selectors.floor(
        queues=selectors.queues_for_tenants(lead_tenants(request)),
        now=now,
        warning_fraction=settings.REVIEWQUEUE_SLA_WARNING_FRACTION,
    )
    return {
        "rows": rows,
        "held_count": sum(len(row.held) for row in rows),
        "now": now,
        "poll_seconds": POLL_SECONDS,
        "warning_percent": round(settings.REVIEWQUEUE_SLA_WARNING_FRACTION * 100),
    }


@lead_required
@require_GET
def ops_floor(request: HttpRequest) -> HttpResponse:
    return render(request, "ops/floor.html", _context(request, timezone.now()))


@lead_required
@require_GET
def ops_floor_live(request: HttpRequest) -> HttpResponse:
    """The live part of the floor (the htmx poll)."""
    return render(request, "ops/floor.html#floor", _context(request, timezone.now()))


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
    return redirect("ops:floor")
