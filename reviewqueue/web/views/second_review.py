"""Second reviews for reviewers: claim the next one, review it blind, submit or give it back.

Blind: the page shows the question, the evidence and the draft as the first reviewer saw it —
never the first review's disposition, reason, edit, note or reviewer, nor the item's history.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from reviewqueue.agreement import selectors, services
from reviewqueue.agreement.models import SecondReview
from reviewqueue.errors import DomainError
from reviewqueue.web.views.access import error_page, reviewer_required, signed_in_user


@reviewer_required
@require_GET
def second_reviews(request: HttpRequest) -> HttpResponse:
    count = selectors.open_second_reviews(user=signed_in_user(request), now=timezone.now())
    return render(request, "review/second_reviews.html", {"open_count": count})


@reviewer_required
@require_POST
def second_review_claim_next(request: HttpRequest) -> HttpResponse:
    review = services.second_review_claim_next(user=signed_in_user(request), now=timezone.now())
    if review is None:
        messages.info(request, "No second review is waiting for you.")
        return redirect("web:second_reviews")
    return redirect("web:second_review", review_id=review.pk)


def _page(request: HttpRequest, review: SecondReview, *, error: str = "", status: int = 200) -> HttpResponse:
    user = signed_in_user(request)
    now = timezone.now()
    return render(
        request,
        "review/second_review.html",
        {
            "review": review,
            "draft": review.draft,
            "reject_reasons": list(review.queue.reject_reasons),
            "holds_lease": review.lease_owner_id == user.pk and review.lease_is_live(now),
            "error": error,
            "posted": {k: request.POST.get(k, "") for k in ("final_text", "reason_code", "note", "disposition")},
        },
        status=status,
    )


@reviewer_required
@require_GET
def second_review(request: HttpRequest, review_id: int) -> HttpResponse:
    try:
        review = selectors.second_review_for_user(user=signed_in_user(request), review_id=review_id)
    except DomainError as err:
        return error_page(request, err)
    return _page(request, review)


@reviewer_required
@require_POST
def second_review_submit(request: HttpRequest, review_id: int) -> HttpResponse:
    user = signed_in_user(request)
    try:
        services.second_review_submit(
            user=user,
            review_id=review_id,
            disposition=request.POST.get("disposition", ""),
            final_text=request.POST.get("final_text", ""),
            reason_code=request.POST.get("reason_code", ""),
            note=request.POST.get("note", "")[:2000],
            now=timezone.now(),
        )
    except DomainError as err:
        try:
            review = selectors.second_review_for_user(user=user, review_id=review_id)
        except DomainError:
            return error_page(request, err)
        return _page(request, review, error=err.message, status=err.status)
    messages.success(request, "Second review recorded. Thank you.")
    return redirect(reverse("web:second_reviews"))


@reviewer_required
@require_POST
def second_review_release(request: HttpRequest, review_id: int) -> HttpResponse:
    try:
        services.second_review_release(user=signed_in_user(request), review_id=review_id, now=timezone.now())
    except DomainError as err:
        return error_page(request, err)
    messages.info(request, "Second review given back.")
    return redirect("web:second_reviews")
