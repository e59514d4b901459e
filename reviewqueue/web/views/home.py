"""Home: the reviewer's queues with live counts, and claim-next."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from reviewqueue.errors import DomainError
from reviewqueue.review import selectors, services
from reviewqueue.web import forms
from reviewqueue.web.models import ReviewerPreferences
from reviewqueue.web.views.access import reviewer_required, signed_in_user

# Home polling: every POLL_SECONDS while the page is visible; after IDLE_POLLS answers in a row
# with nothing changed the server answers 286 and polling stops until the page becomes visible
# again or the reviewer asks for a refresh.
POLL_SECONDS = 10
IDLE_POLLS = 30


def _stats_context(request: HttpRequest, now: datetime) -> dict[str, Any]:
    stats = selectors.queue_stats(
        queues=selectors.queues_for_user(request.user),
        now=now,
        warning_fraction=settings.REVIEWQUEUE_SLA_WARNING_FRACTION,
    )
    # What a reviewer would notice changing; ages in whole minutes so a quiet queue is quiet.
    signature = "|".join(
        f"{s.queue.pk}:{s.depth}:{s.claimed}:{s.near_breach}:{s.breached}:"
        f"{int(s.oldest_age.total_seconds() // 60) if s.oldest_age is not None else '-'}"
        for s in stats
    )
    return {
        "stats": stats,
        "total_open": sum(s.depth - s.claimed for s in stats),
        "fingerprint": hashlib.sha256(signature.encode()).hexdigest()[:16],
        "poll_seconds": POLL_SECONDS,
        "updated_at": now,
    }


@reviewer_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context = _stats_context(request, timezone.now())
    context.update(idle=0, paused=False, auto_advance=ReviewerPreferences.auto_advance_for(signed_in_user(request).pk))
    return render(request, "web/home.html", context)


@reviewer_required
@require_GET
def home_stats(request: HttpRequest) -> HttpResponse:
    """The live part of home. Unchanged answers count up `idle`; at IDLE_POLLS it stops (286)."""
    context = _stats_context(request, timezone.now())
    try:
        idle = max(0, int(request.GET.get("idle", "0")))
    except ValueError:
        idle = 0
    unchanged = request.GET.get("since") == context["fingerprint"]
    idle = idle + 1 if unchanged else 0
    paused = idle >= IDLE_POLLS
    context.update(idle=idle, paused=paused)
    response = render(request, "web/home.html#queue_stats", context)
    if paused:
        response.status_code = 286  # htmx: stop polling this element
    return response


@reviewer_required
@require_POST
def claim_next(request: HttpRequest) -> HttpResponse:
    form = forms.ClaimNextForm(request.POST)
    queue_ids = None
    if form.is_valid() and form.cleaned_data["queue"]:
        queue_ids = [form.cleaned_data["queue"]]
    try:
        item = services.review_item_claim_next(user=signed_in_user(request), now=timezone.now(), queue_ids=queue_ids)
    except DomainError as err:
        messages.error(request, err.message)
        return redirect("web:home")
    if item is None:
        messages.info(request, "Nothing to claim right now: your queues have no open items.")
        return redirect("web:home")
    return redirect("web:item", item_id=item.pk)
