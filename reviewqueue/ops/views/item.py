"""/ops/items/<id>/ — one item as a lead sees it (read-only): where it is, what was decided and
its whole history. Breach history links here: a lead need not be a reviewer in the queue."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from reviewqueue.ops import selectors
from reviewqueue.ops.access import lead_required, lead_tenants
from reviewqueue.review.selectors import item_events


@lead_required
@require_GET
def ops_item(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.item_for_lead(tenant_ids=lead_tenants(request), item_id=item_id)
    if item is None:
        raise Http404("No such item.")
    return render(
        request,
        "ops/item.html",
        {"item": item, "draft": item.draft, "events": item_events(item), "now": timezone.now()},
    )
