"""Reviewer pages: home (my queues), the review page of one item, my recent work.

Views are thin: parse the form → call the service (`reviewqueue.review.services`,
`reviewqueue.calibration.services`) → render or redirect. Domain errors become a message on the
page with the error's HTTP status; nothing here decides what is allowed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, TypeVar

from django import forms as django_forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from reviewqueue.calibration.models import ClaimLabel
from reviewqueue.calibration.services import claim_label_record
from reviewqueue.review import selectors, services
from reviewqueue.review.errors import (
    DomainError,
    Forbidden,
    InvalidInput,
    InvalidState,
    LeaseLost,
    NotFound,
    SlaExpired,
)
from reviewqueue.review.models import Disposition, ItemState, Queue, ReviewItem
from reviewqueue.web import forms
from reviewqueue.web.presenters import VERDICT_LABELS, score_view

# Home polling: every POLL_SECONDS while the page is visible; after IDLE_POLLS answers in a row
# with nothing changed the server answers 286 and polling stops until the page becomes visible
# again or the reviewer asks for a refresh.
POLL_SECONDS = 10
IDLE_POLLS = 30

ACTIONS = ("approve", "edit", "reject", "escalate", "release")


def reviewer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """login_required, except that an htmx request from a signed-out browser (session expired
    while the page was open) must not be redirected: htmx would swap the sign-in page into a
    fragment. It gets a 401 that swaps nothing but a banner, so the page and what the reviewer
    typed stay as they are."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if getattr(request, "htmx", False):
            response = render(request, "web/_signed_out.html", {"login_url": settings.LOGIN_URL}, status=401)
            response["HX-Reswap"] = "none"
            return trigger_client_event(response, "rq:signed-out")
        return redirect_to_login(request.get_full_path())

    return wrapper


def _user(request: HttpRequest) -> User:
    # Every view here is behind reviewer_required, so this is the signed-in user.
    user = request.user
    assert isinstance(user, User)
    return user


def _ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


# --- home -------------------------------------------------------------------------------------


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
    context.update(idle=0, paused=False)
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
        item = services.review_item_claim_next(user=_user(request), now=timezone.now(), queue_ids=queue_ids)
    except DomainError as err:
        messages.error(request, err.message)
        return redirect("web:home")
    if item is None:
        messages.info(request, "Nothing to claim right now: your queues have no open items.")
        return redirect("web:home")
    return redirect("web:item", item_id=item.pk)


# --- the review page --------------------------------------------------------------------------


def _load_item(request: HttpRequest, item_id: int) -> ReviewItem:
    try:
        return selectors.item_for_user(user=request.user, item_id=item_id)
    except NotFound as err:
        raise Http404(err.message) from err


def _error_page(request: HttpRequest, err: DomainError) -> HttpResponse:
    return render(request, "web/error.html", {"error": err}, status=err.status)


def _lease_context(item: ReviewItem, user: User, now: datetime) -> dict[str, Any]:
    mine = item.state == ItemState.CLAIMED and item.lease_owner_id == user.pk
    live = mine and item.lease_is_live(now)
    if live:
        reason = ""
    elif item.state == ItemState.RESOLVED:
        reason = "resolved"
    elif item.state == ItemState.EXPIRED:
        reason = "expired"
    elif mine:
        reason = "lapsed"
    elif item.state == ItemState.CLAIMED and item.lease_is_live(now):
        reason = "taken"
    else:
        reason = "not_claimed"
    beat = max(2, min(20, item.queue.lease_seconds // 3))
    return {
        "item": item,
        "lease_live": live,
        "lease_reason": reason,
        "lease_expires_ms": _ms(item.lease_expires_at) if live and item.lease_expires_at else None,
        "server_now_ms": _ms(now),
        "heartbeat_seconds": beat,
    }


def _review_context(
    request: HttpRequest,
    item: ReviewItem,
    now: datetime,
    *,
    error: str = "",
    posted: dict[str, str] | None = None,
    open_panel: str = "",
) -> dict[str, Any]:
    user = _user(request)
    draft = item.draft
    view = score_view(text=draft.text, passages=draft.passages, score=draft.score)
    labels = {lab.claim_index: lab.label for lab in ClaimLabel.objects.filter(item=item, reviewer=user)}
    for claim in view.claims:
        claim.my_label = labels.get(claim.index, "")
    events = list(selectors.item_events(item))
    # The note the previous reviewer left when escalating to this item, read from the history
    # already loaded (no extra query).
    escalation = next((e for e in events if e.type == "review.escalated" and e.data.get("to_item_id") == item.pk), None)
    targets = list(Queue.objects.filter(tenant_id=item.queue.tenant_id).exclude(pk=item.queue_id).order_by("name"))
    context = _lease_context(item, user, now)
    context.update(
        draft=draft,
        score=view,
        verdicts=VERDICT_LABELS,
        events=events,
        escalation=escalation,
        escalation_targets=targets,
        default_target_id=item.queue.escalation_queue_id,
        reject_reasons=list(item.queue.reject_reasons or []),
        sla_state=item.sla_state(now, warning_fraction=settings.REVIEWQUEUE_SLA_WARNING_FRACTION),
        due_in=item.due_at - now,
        error=error,
        posted=posted or {},
        open_panel=open_panel,
        now=now,
    )
    return context


@reviewer_required
@require_GET
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    now = timezone.now()
    try:
        item = _load_item(request, item_id)
    except Forbidden as err:
        return _error_page(request, err)
    return render(request, "review/item_detail.html", _review_context(request, item, now))


FormT = TypeVar("FormT", bound=django_forms.Form)


def _valid(form: FormT) -> FormT:
    """The bound form if valid, else the domain error the page shows beside the kept input."""
    if not form.is_valid():
        raise InvalidInput(forms.first_error(form))
    return form


@reviewer_required
@require_POST
def item_action(request: HttpRequest, item_id: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404("No such action.")
    user, now = _user(request), timezone.now()
    posted = {key: request.POST.get(key, "") for key in ("final_text", "reason_code", "note", "queue_id")}
    open_panel = {"edit": "edit", "reject": "reject", "escalate": "escalate"}.get(action, "")
    try:
        if action == "approve":
            item = services.review_item_submit(user=user, item_id=item_id, disposition=Disposition.APPROVED, now=now)
            done = f"Approved item #{item.pk}: the draft was sent as written."
        elif action == "edit":
            edit_form = _valid(forms.EditForm(request.POST))
            item = services.review_item_submit(
                user=user,
                item_id=item_id,
                disposition=Disposition.EDITED,
                now=now,
                final_text=edit_form.cleaned_data["final_text"],
            )
            done = f"Sent your edited answer for item #{item.pk}."
        elif action == "reject":
            reject_form = _valid(forms.RejectForm(request.POST))
            item = services.review_item_submit(
                user=user,
                item_id=item_id,
                disposition=Disposition.REJECTED,
                now=now,
                reason_code=reject_form.cleaned_data["reason_code"],
                note=reject_form.cleaned_data["note"],
            )
            done = f"Rejected item #{item.pk}: the fallback answer was sent."
        elif action == "escalate":
            escalate_form = _valid(forms.EscalateForm(request.POST))
            successor = services.review_item_escalate(
                user=user,
                item_id=item_id,
                now=now,
                target_queue_id=escalate_form.cleaned_data["queue_id"],
                note=escalate_form.cleaned_data["note"],
            )
            done = f"Escalated item #{item_id} to {successor.queue.title or successor.queue.name}."
        else:
            services.review_item_release(user=user, item_id=item_id, now=now)
            done = f"Released item #{item_id} back to its queue."
    except DomainError as err:
        try:
            item = _load_item(request, item_id)
        except Forbidden:
            return _error_page(request, err)
        message = err.message
        if isinstance(err, LeaseLost):
            message += " Nothing was sent. Your text is still below: copy it before you leave."
        elif isinstance(err, SlaExpired):
            message += " Nothing was sent by you."
        context = _review_context(request, item, timezone.now(), error=message, posted=posted, open_panel=open_panel)
        return render(request, "review/item_detail.html", context, status=err.status)
    messages.success(request, done)
    return redirect("web:home")


@reviewer_required
@require_POST
def item_heartbeat(request: HttpRequest, item_id: int) -> HttpResponse:
    """Extend the lease (htmx, every few seconds while the page is open). Answers the lease
    indicator; when the lease is gone, the indicator in its lost state plus the banner."""
    user, now = _user(request), timezone.now()
    status = 200
    try:
        item = services.review_item_heartbeat(user=user, item_id=item_id, now=now)
    except NotFound as err:
        raise Http404(err.message) from err
    except Forbidden as err:
        return _error_page(request, err)
    except (LeaseLost, InvalidState, SlaExpired) as err:
        # The lease is gone (lapsed, taken) or the item closed (resolved elsewhere, SLA swept):
        # show why, from the item as it is now.
        status = err.status
        item = _load_item(request, item_id)
    context = _lease_context(item, user, now)
    context["oob_banner"] = not context["lease_live"]
    response = render(request, "review/item_detail.html#lease", context, status=status)
    if not context["lease_live"]:
        response = trigger_client_event(response, "rq:lease-lost", {"reason": context["lease_reason"]})
    return response


@reviewer_required
@require_POST
def claim_label(request: HttpRequest, item_id: int, claim_index: int) -> HttpResponse:
    user, now = _user(request), timezone.now()
    form = forms.ClaimLabelForm(request.POST)
    error, status = "", 200
    try:
        if not form.is_valid():
            raise InvalidInput(forms.first_error(form))
        claim_label_record(
            user=user,
            item_id=item_id,
            claim_index=claim_index,
            label=form.cleaned_data["label"],
            now=now,
        )
    except NotFound as err:
        raise Http404(err.message) from err
    except DomainError as err:
        error, status = err.message, err.status
    label = (
        ClaimLabel.objects.filter(item_id=item_id, claim_index=claim_index, reviewer=user)
        .values_list("label", flat=True)
        .first()
    ) or ""
    context = {
        "item_id": item_id,
        "claim_index": claim_index,
        "my_label": label,
        "label_error": error,
        "lease_live": status == 200,
    }
    response = render(request, "review/item_detail.html#claim_label", context, status=status)
    if isinstance(error, str) and status == 409:
        response = trigger_client_event(response, "rq:lease-lost", {"reason": "lapsed"})
    return response


# --- my recent work ---------------------------------------------------------------------------


@reviewer_required
@require_GET
def recent_work(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    # Uses the partial index item_reviewer_recent (reviewer, -resolved_at) where state = resolved.
    items = list(
        ReviewItem.objects.filter(reviewer=_user(request), state=ItemState.RESOLVED, resolved_at__gte=start_of_day)
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
