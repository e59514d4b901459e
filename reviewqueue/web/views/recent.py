"""My recent work: what the reviewer resolved today and the time it took."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from reviewqueue.review.models import ItemState, ReviewItem
from reviewqueue.web.views.access import reviewer_required, signed_in_user


@reviewer_required
@require_GET
def recent_work(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    # Uses the partial index item_reviewer_recent (reviewer, -resolved_at) where state = resolved.
    items = list(
        ReviewItem.objects.filter(
            reviewer=signed_in_user(request), state=ItemState.RESOLVED, resolved_at__gte=start_of_day
        )
        .select_related("queue", "draft")
        .order_by("-resolved_at", "-pk")[:200]
    )
    rows = []
    total = timedelta()
    for item in items:
        spent = item.resolved_at - item.claimed_at if item.resolved_at and item.claimed_at else None
        if spent is not None:
            total += spent
        rows.append({"item": item, "spent": spent})
    counts: dict[str, int] = {}
    for item in items:
        counts[item.disposition] = counts.get(item.disposition, 0) + 1
    return render(
        request,
        "web/recent.html",
        {
            "rows": rows,
            "counts": sorted(counts.items()),
            "total_spent": total,
            "start_of_day": start_of_day,
        },
    )
