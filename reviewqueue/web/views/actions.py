"""The reviewer's actions on a claimed item, one view each (like the API): approve, edit, reject,
escalate, release.

Each parses its form, calls its service and says what happened: above the next item (auto-advance,
the reviewer's setting, on by default) or on the home page. A refused
action (lease lost, SLA passed, bad input) shows the review page again with the error and what
the reviewer typed, with the error's HTTP status; nothing here decides what is allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from reviewqueue.errors import DomainError, Forbidden, InvalidInput, LeaseLost, SlaExpired
from reviewqueue.review import services
from reviewqueue.review.models import Disposition
from reviewqueue.web import forms
from reviewqueue.web.models import ReviewerPreferences
from reviewqueue.web.views.access import error_page, load_item, reviewer_required, signed_in_user
from reviewqueue.web.views.item import review_context

FormT = TypeVar("FormT", bound=django_forms.Form)

# An action: (reviewer, now) → the message shown on the home page once it is done.
Action = Callable[[User, datetime], str]


def _valid(form: FormT) -> FormT:
    """The bound form if valid, else the domain error the page shows beside the kept input."""
    if not form.is_valid():
        raise InvalidInput(forms.first_error(form))
    return form


def _act(request: HttpRequest, item_id: int, action: Action, *, panel: str = "", advance: bool = False) -> HttpResponse:
    """Run the action; on a domain error show the review page again with `panel` (the form the
    reviewer used) open and their input kept. With `advance` (a decision, not a release) and the
    reviewer's auto-advance setting on (the default), claim the next item and show it, the line
    saying what was just done above it; otherwise, or with nothing left, My queues."""
    posted = {key: request.POST.get(key, "") for key in ("final_text", "reason_code", "note", "queue_id")}
    try:
        done = action(signed_in_user(request), timezone.now())
    except DomainError as err:
        try:
            item = load_item(request, item_id)
        except Forbidden:
            return error_page(request, err)
        message = err.message
        if isinstance(err, LeaseLost):
            message += " Nothing was sent. Your text is still below: copy it before you leave."
        elif isinstance(err, SlaExpired):
            message += " Nothing was sent by you."
        context = review_context(request, item, timezone.now(), error=message, posted=posted, open_panel=panel)
        return render(request, "review/item_detail.html", context, status=err.status)
    messages.success(request, done)
    user = signed_in_user(request)
    if advance and ReviewerPreferences.auto_advance_for(user.pk):
        try:
            following = services.review_item_claim_next(user=user, now=timezone.now())
        except DomainError as err:
            messages.error(request, err.message)
            following = None
        if following is not None:
            return redirect("web:item", item_id=following.pk)
        messages.info(request, "Nothing left to claim: your queues have no open items.")
    return redirect("web:home")


def _submit(
    request: HttpRequest,
    item_id: int,
    *,
    disposition: str,
    done: str,
    form_class: type[django_forms.Form] | None = None,
    panel: str = "",
) -> HttpResponse:
    """Approve, edit or reject: the form's fields (named as the service's) go to the submit."""

    def submit(user: User, now: datetime) -> str:
        fields = _valid(form_class(request.POST)).cleaned_data if form_class is not None else {}
        item = services.review_item_submit(user=user, item_id=item_id, disposition=disposition, now=now, **fields)
        return done.format(item=item)

    return _act(request, item_id, submit, panel=panel, advance=True)


@reviewer_required
@require_POST
def item_approve(request: HttpRequest, item_id: int) -> HttpResponse:
    done = "Approved item #{item.pk}: the draft was sent as written."
    return _submit(request, item_id, disposition=Disposition.APPROVED, done=done)


@reviewer_required
@require_POST
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    done = "Sent your edited answer for item #{item.pk}."
    return _submit(request, item_id, disposition=Disposition.EDITED, done=done, form_class=forms.EditForm, panel="edit")


@reviewer_required
@require_POST
def item_reject(request: HttpRequest, item_id: int) -> HttpResponse:
    done = "Rejected item #{item.pk}: the fallback answer was sent."
    return _submit(
        request, item_id, disposition=Disposition.REJECTED, done=done, form_class=forms.RejectForm, panel="reject"
    )


@reviewer_required
@require_POST
def item_escalate(request: HttpRequest, item_id: int) -> HttpResponse:
    def escalate(user: User, now: datetime) -> str:
        form = _valid(forms.EscalateForm(request.POST))
        successor = services.review_item_escalate(
            user=user,
            item_id=item_id,
            now=now,
            target_queue_id=form.cleaned_data["queue_id"],
            note=form.cleaned_data["note"],
        )
        return f"Escalated item #{item_id} to {successor.queue.title or successor.queue.name}."

    return _act(request, item_id, escalate, panel="escalate", advance=True)


@reviewer_required
@require_POST
def item_release(request: HttpRequest, item_id: int) -> HttpResponse:
    def release(user: User, now: datetime) -> str:
        services.review_item_release(user=user, item_id=item_id, now=now)
        return f"Released item #{item_id} back to its queue."

    return _act(request, item_id, release)


@reviewer_required
@require_POST
def preferences_auto_advance(request: HttpRequest) -> HttpResponse:
    """Turn auto-advance on or off for the signed-in reviewer; back to My queues."""
    on = request.POST.get("auto_advance") == "on"
    ReviewerPreferences.objects.update_or_create(user=signed_in_user(request), defaults={"auto_advance": on})
    messages.success(request, f"Auto-advance is {'on' if on else 'off'}.")
    return redirect("web:home")
