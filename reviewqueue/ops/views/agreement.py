"""/ops/agreement/ — how far first and blind second reviewers agree (raw agreement and Cohen's
κ on the good/bad label, per queue and per reviewer pair, over `?range=`), each queue's
second-review share, and the disagreements a lead settles (their label wins for the draft)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from reviewqueue.agreement import selectors as agreement_selectors
from reviewqueue.agreement.models import DoubleReviewShare
from reviewqueue.agreement.services import second_review_adjudicate
from reviewqueue.errors import DomainError, InvalidInput
from reviewqueue.ops import charts, selectors
from reviewqueue.ops.access import lead_required, lead_tenants
from reviewqueue.ops.services import double_review_share_set
from reviewqueue.web.views.access import error_page, signed_in_user


def _kappa_text(kappa: float | None, n: int) -> str:
    if n == 0:
        return "no second reviews"
    return f"κ undefined (one label only), n={n}" if kappa is None else f"κ {kappa:.2f}, n={n}"


@lead_required
@require_GET
def ops_agreement(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    tenants = lead_tenants(request)
    range_name, span = selectors.window_range(request.GET.get("range"))
    figures = agreement_selectors.agreement(tenant_ids=tenants, since=now - span)
    chart = charts.horizontal_bars(
        id="kappa-chart",
        title=f"Cohen's κ per queue, last {range_name} (first against blind second review)",
        x_label="Cohen's κ on the good/bad label (below 0 drawn as 0; 1 = full agreement)",
        y_label="Queue",
        rows=[
            (r.key, None if r.kappa is None else max(r.kappa, 0.0), _kappa_text(r.kappa, r.n)) for r in figures.queues
        ],
        maximum=1,
    )
    queues = list(selectors.queues_for_tenants(tenants))
    shares = dict(DoubleReviewShare.objects.filter(queue__in=queues).values_list("queue_id", "share"))
    return render(
        request,
        "ops/agreement.html",
        {
            "range_name": range_name,
            "ranges": list(selectors.RANGES),
            "figures": figures,
            "chart": chart,
            "queue_shares": [(q, shares.get(q.pk)) for q in queues],
            "default_share": agreement_selectors.default_share(),
            "disputes": list(agreement_selectors.disputes(tenant_ids=tenants)[:100]),
            "ruled": list(
                agreement_selectors.disputes(tenant_ids=tenants, adjudicated=True).order_by("-adjudicated_at")[:20]
            ),
        },
    )


@lead_required
@require_POST
def ops_adjudicate(request: HttpRequest, review_id: int) -> HttpResponse:
    try:
        review = second_review_adjudicate(
            acting_user=signed_in_user(request),
            review_id=review_id,
            label=request.POST.get("label", ""),
            note=request.POST.get("note", "")[:2000],
            now=timezone.now(),
        )
    except DomainError as err:
        return error_page(request, err)
    messages.success(request, f"Draft {review.draft_id} is labelled {review.adjudicated_label}: your ruling stands.")
    return redirect(reverse("ops:agreement") + "#disputes")


@lead_required
@require_POST
def ops_double_review_share(request: HttpRequest, queue_id: int) -> HttpResponse:
    try:
        try:
            percent = float(request.POST.get("percent", ""))
        except ValueError:
            raise InvalidInput("The share is a percentage between 0 and 100.", details={"field": "percent"}) from None
        share = double_review_share_set(
            acting_user=signed_in_user(request), queue_id=queue_id, share=percent / 100.0, now=timezone.now()
        )
    except DomainError as err:
        return error_page(request, err)
    messages.success(request, f"{share.queue.name}: {share.share:.0%} of resolved items now get a second review.")
    return redirect(reverse("ops:agreement") + "#shares")
