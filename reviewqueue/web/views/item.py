"""The review page of one item: the page itself, the lease heartbeat and claim labels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from reviewqueue.audit.events import EventType
from reviewqueue.calibration.models import ClaimLabel
from reviewqueue.calibration.services import claim_label_record
from reviewqueue.errors import DomainError, Forbidden, InvalidInput, InvalidState, LeaseLost, NotFound, SlaExpired
from reviewqueue.markdown import render_markdown
from reviewqueue.review import selectors, services
from reviewqueue.review.models import ItemState, Queue, ReviewItem
from reviewqueue.web import forms
from reviewqueue.web.presenters import VERDICT_LABELS, held_summary, score_view, versions_once
from reviewqueue.web.views.access import epoch_ms, error_page, load_item, reviewer_required, signed_in_user


def lease_context(item: ReviewItem, user: User, now: datetime) -> dict[str, Any]:
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
    elif item.state == ItemState.PENDING and selectors.lease_lapsed_on(item=item, user=user):
        reason = "lapsed"  # swept back to pending after their lease ran out: say so, not "not yours"
    else:
        reason = "not_claimed"
    beat = max(2, min(20, item.queue.lease_seconds // 3))
    return {
        "item": item,
        "lease_live": live,
        "lease_reason": reason,
        "lease_expires_ms": epoch_ms(item.lease_expires_at) if live and item.lease_expires_at else None,
        "server_now_ms": epoch_ms(now),
        "heartbeat_seconds": beat,
        # The idle prompt and the hidden-tab limit (review.js), in milliseconds.
        "idle_ms": settings.REVIEWQUEUE_REVIEW_IDLE_SECONDS * 1000,
        "idle_answer_ms": settings.REVIEWQUEUE_REVIEW_IDLE_ANSWER_SECONDS * 1000,
        "hidden_ms": settings.REVIEWQUEUE_REVIEW_HIDDEN_SECONDS * 1000,
    }


def review_context(
    request: HttpRequest,
    item: ReviewItem,
    now: datetime,
    *,
    error: str = "",
    posted: dict[str, str] | None = None,
    open_panel: str = "",
) -> dict[str, Any]:
    user = signed_in_user(request)
    draft = item.draft
    # A blind audit shows the answer and the evidence only: what routing thought of the draft
    # (score, verdicts, confidence, reasons, its history) would anchor the auditor.
    blind = item.is_audit
    view = score_view(text=draft.text, passages=draft.passages, score=None if blind else draft.score)
    labels = {lab.claim_index: lab.label for lab in ClaimLabel.objects.filter(item=item, reviewer=user)}
    for claim in view.claims:
        claim.my_label = labels.get(claim.index, "")
    events = [e for e in selectors.item_events(item) if not blind or e.item_id == item.pk]
    # The note the previous reviewer left when escalating to this item, read from the history
    # already loaded (no extra query).
    escalation = next(
        (e for e in events if e.type == EventType.REVIEW_ESCALATED and e.data.get("to_item_id") == item.pk), None
    )
    targets = list(Queue.objects.filter(tenant_id=item.queue.tenant_id).exclude(pk=item.queue_id).order_by("name"))
    context = lease_context(item, user, now)
    my_queue_ids = set(selectors.queues_for_user(user).values_list("pk", flat=True))
    linked = [
        {"item": other, "claimable": selectors.claimable(other, queue_ids=my_queue_ids, now=now)}
        for other in selectors.linked_items(item)
    ]
    context.update(
        draft=draft,
        blind=blind,
        score=view,
        held_reasons=[]
        if blind
        else held_summary(
            reasons=draft.decision_reasons, score=view, intent=draft.intent, customer_tier=draft.customer_tier
        ),
        verdicts=VERDICT_LABELS,
        # One list of the versions that shaped the decision: the routing's, then any the score
        # names that the routing does not (the two overlap: model, calibrator, scorer).
        versions=versions_once(draft.versions, view.versions),
        guidelines_html=render_markdown(item.queue.guidelines) if item.queue.guidelines.strip() else "",
        linked=linked,
        can_claim=not context["lease_live"] and selectors.claimable(item, queue_ids=my_queue_ids, now=now),
        events=events,
        escalation=escalation,
        escalation_targets=targets,
        default_target_id=item.queue.escalation_queue_id,
        reject_reasons=list(item.queue.reject_reasons or []),
        sla_state=item.sla_state(now, warning_fraction=settings.REVIEWQUEUE_SLA_WARNING_FRACTION),
        due_in=item.due_at - now,
        # The SLA chip counts down in the page (review.js), from the server's clock.
        sla_due_ms=epoch_ms(item.due_at),
        sla_warn_ms=epoch_ms(item.warning_at(settings.REVIEWQUEUE_SLA_WARNING_FRACTION)),
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
        item = load_item(request, item_id)
    except Forbidden as err:
        return error_page(request, err)
    return render(request, "review/item_detail.html", review_context(request, item, now))


@reviewer_required
@require_POST
def item_heartbeat(request: HttpRequest, item_id: int) -> HttpResponse:
    """Extend the lease (htmx, every few seconds while the page is open). Answers the lease
    indicator; when the lease is gone, the indicator in its lost state plus the banner."""
    user, now = signed_in_user(request), timezone.now()
    status = 200
    try:
        item = services.review_item_heartbeat(user=user, item_id=item_id, now=now)
    except NotFound as err:
        raise Http404(err.message) from err
    except Forbidden as err:
        return error_page(request, err)
    except (LeaseLost, InvalidState, SlaExpired) as err:
        # The lease is gone (lapsed, taken) or the item closed (resolved elsewhere, SLA swept):
        # show why, from the item as it is now.
        status = err.status
        item = load_item(request, item_id)
    context = lease_context(item, user, now)
    context["oob_banner"] = not context["lease_live"]
    response = render(request, "review/item_detail.html#lease", context, status=status)
    if not context["lease_live"]:
        response = trigger_client_event(response, "rq:lease-lost", {"reason": context["lease_reason"]})
    return response


@reviewer_required
@require_POST
def claim_label(request: HttpRequest, item_id: int, claim_index: int) -> HttpResponse:
    user, now = signed_in_user(request), timezone.now()
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
