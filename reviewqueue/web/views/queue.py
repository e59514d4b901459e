"""The queue view: one queue's items with filters in the URL and a preview; claiming one item by
id from there (or from a link on a review page)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from reviewqueue.errors import DomainError, NotFound
from reviewqueue.review import selectors, services
from reviewqueue.web import forms
from reviewqueue.web.presenters import held_summary, score_view
from reviewqueue.web.views.access import error_page, reviewer_required, signed_in_user


@reviewer_required
@require_GET
def queue_detail(request: HttpRequest, queue_id: int) -> HttpResponse:
    user, now = signed_in_user(request), timezone.now()
    try:
        queue = selectors.queue_for_user(user=user, queue_id=queue_id)
    except NotFound as err:
        raise Http404(err.message) from err
    except DomainError as err:
        return error_page(request, err)
    form = forms.QueueItemsFilter(request.GET)
    fraction = settings.REVIEWQUEUE_SLA_WARNING_FRACTION
    context: dict[str, Any] = {"queue": queue, "form": form, "now": now, "items": [], "preview": None}
    if not form.is_valid():
        # A hand-edited URL: say which filter is wrong rather than guess (400, the page still works).
        context["filter_error"] = forms.first_error(form)
        return render(request, "web/queue.html", context, status=400)
    data = form.cleaned_data
    items = selectors.queue_items(
        queue=queue,
        now=now,
        warning_fraction=fraction,
        state=data["state"],
        risk=data["risk"],
        intent=data["intent"].strip(),
        older_than=form.older_than(),
    )
    queue_ids = {queue.pk}
    rows: list[dict[str, Any]] = [
        {
            "item": item,
            "sla_state": item.sla_state(now, warning_fraction=fraction),
            "age": now - item.created_at,
            "claimable": selectors.claimable(item, queue_ids=queue_ids, now=now),
            "mine": item.lease_owner_id == user.pk and item.lease_is_live(now),
        }
        for item in items
    ]
    preview = next((r for r in rows if r["item"].pk == data["preview"]), None)
    if preview is not None:
        draft = preview["item"].draft
        view = score_view(text=draft.text, passages=draft.passages, score=draft.score)
        preview["held"] = held_summary(
            reasons=draft.decision_reasons, score=view, intent=draft.intent, customer_tier=draft.customer_tier
        )
    params = request.GET.copy()
    params.pop("preview", None)
    context.update(
        rows=rows,
        preview=preview,
        intents=selectors.queue_intents(queue),
        filters_query=params.urlencode(),
        limit=selectors.QUEUE_ITEMS_LIMIT,
        self_url=request.get_full_path(),
    )
    return render(request, "web/queue.html", context)


@reviewer_required
@require_POST
def item_claim(request: HttpRequest, item_id: int) -> HttpResponse:
    """Claim this item (review_item_claim) and open it. Refused — another reviewer was first, it
    closed, its SLA passed — the reviewer goes back where they clicked, with the reason."""
    form = forms.ClaimForm(request.POST)
    back = form.data.get("next", "") if form.is_valid() else ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        back = ""
    try:
        item = services.review_item_claim(user=signed_in_user(request), item_id=item_id, now=timezone.now())
    except NotFound as err:
        raise Http404(err.message) from err
    except DomainError as err:
        messages.error(request, err.message)
        return redirect(back or reverse("web:item", args=[item_id]))
    messages.success(request, f"You claimed item #{item.pk}.")
    return redirect("web:item", item_id=item.pk)
