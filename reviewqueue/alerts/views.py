"""/ops/alerts/ — a lead's alert rules (list, new, edit: real forms, errors per field) and the
alert history. Leads of the rule's tenant only (`ops.access.lead_required`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from reviewqueue.alerts import selectors
from reviewqueue.alerts.forms import AlertRuleForm
from reviewqueue.alerts.models import AlertRule
from reviewqueue.alerts.services import alert_rule_create, alert_rule_update
from reviewqueue.errors import InvalidInput, NotFound
from reviewqueue.ops.access import lead_required, lead_tenants
from reviewqueue.web.views.access import signed_in_user


@lead_required
@require_GET
def alert_rules(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rules = [(rule, rule.state(now)) for rule in selectors.alert_rules(tenant_ids=lead_tenants(request))]
    return render(
        request,
        "alerts/rules.html",
        {"rules": rules, "now": now, "many_tenants": len(lead_tenants(request)) > 1},
    )


def _show_errors(form: AlertRuleForm, err: InvalidInput) -> None:
    for field, errors in err.details.get("fields", {}).items():
        form.add_error(field if field in form.fields else None, errors)


@lead_required
@require_http_methods(["GET", "POST"])
def alert_rule_new(request: HttpRequest) -> HttpResponse:
    tenants = lead_tenants(request)
    status = 200
    if request.method == "POST":
        form = AlertRuleForm(request.POST, tenant_ids=tenants)
        if form.is_valid():
            try:
                rule = alert_rule_create(
                    acting_user=signed_in_user(request),
                    tenant_id=form.cleaned_data["tenant"].pk,
                    values=form.values(),
                    now=timezone.now(),
                )
            except InvalidInput as err:
                _show_errors(form, err)
            else:
                messages.success(request, f"Created the alert rule “{rule.name}”.")
                return redirect("alerts:alert_rule", rule_id=rule.pk)
        status = 400
    else:
        form = AlertRuleForm(tenant_ids=tenants)
    return render(request, "alerts/rule_form.html", {"form": form, "rule": None}, status=status)


@lead_required
@require_http_methods(["GET", "POST"])
def alert_rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    tenants = lead_tenants(request)
    rule = selectors.alert_rule_for_lead(tenant_ids=tenants, rule_id=rule_id)
    if rule is None:
        raise Http404("No such alert rule.")
    status = 200
    if request.method == "POST":
        form = AlertRuleForm(request.POST, tenant_ids=[rule.tenant_id], rule=rule)
        if form.is_valid():
            try:
                alert_rule_update(
                    acting_user=signed_in_user(request), rule_id=rule.pk, changes=form.values(), now=timezone.now()
                )
            except NotFound:
                raise Http404("No such alert rule.") from None
            except InvalidInput as err:
                _show_errors(form, err)
            else:
                messages.success(request, f"Saved the alert rule “{form.cleaned_data['name']}”.")
                return redirect("alerts:alert_rule", rule_id=rule.pk)
        status = 400
    else:
        form = AlertRuleForm(initial=AlertRuleForm.initial_for(rule), tenant_ids=[rule.tenant_id], rule=rule)
    events, total = selectors.alert_history(tenant_ids=tenants, rule_id=rule.pk, limit=20)
    return render(
        request,
        "alerts/rule_form.html",
        {"form": form, "rule": rule, "events": events, "event_total": total, "now": timezone.now()},
        status=status,
    )


@lead_required
@require_GET
def alert_history(request: HttpRequest) -> HttpResponse:
    tenants = lead_tenants(request)
    rule: AlertRule | None = None
    raw = request.GET.get("rule", "")
    if raw:
        # An unknown or foreign rule id is a 404, like its page: the filter lives in the URL.
        rule = selectors.alert_rule_for_lead(tenant_ids=tenants, rule_id=int(raw)) if raw.isdigit() else None
        if rule is None:
            raise Http404("No such alert rule.")
    events, total = selectors.alert_history(tenant_ids=tenants, rule_id=rule.pk if rule else None)
    return render(
        request,
        "alerts/history.html",
        {"events": events, "total": total, "rule": rule, "many_tenants": len(tenants) > 1},
    )
