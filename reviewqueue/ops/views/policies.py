"""/ops/policies/ — the tenant's routing policy versions, a diff between two, and publishing a
new one through `policy_publish` (the validation `manage.py publish_policy` uses)."""

from __future__ import annotations

import json
import logging

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from reviewqueue.errors import InvalidInput
from reviewqueue.ops import selectors
from reviewqueue.ops.access import lead_required, lead_tenant
from reviewqueue.policy.services import policy_publish
from reviewqueue.tenancy.models import Tenant
from reviewqueue.web.views.access import signed_in_user

logger = logging.getLogger(__name__)


def _page(request: HttpRequest, tenant: Tenant, *, draft: str = "", note: str = "", error: str = "") -> HttpResponse:
    versions = selectors.policy_versions(tenant_id=tenant.pk)
    by_version = {v.version: v for v in versions}
    new = by_version.get(request.GET.get("b", "")) or (versions[0] if versions else None)
    old = by_version.get(request.GET.get("a", "")) or (versions[1] if len(versions) > 1 else None)
    diff = selectors.policy_diff(old, new) if old is not None and new is not None else []
    if not draft and new is not None:
        draft = selectors.policy_text(new.config)
    return render(
        request,
        "ops/policies.html",
        {
            "tenant": tenant,
            "versions": versions,
            "old": old,
            "new": new,
            "diff": diff,
            "draft": draft,
            "note": note,
            "error": error,
        },
        status=400 if error else 200,
    )


@lead_required
@require_GET
def ops_policies(request: HttpRequest) -> HttpResponse:
    return _page(request, lead_tenant(request, request.GET.get("tenant")))


@lead_required
@require_POST
def ops_policy_publish(request: HttpRequest) -> HttpResponse:
    tenant = lead_tenant(request, request.POST.get("tenant"))
    text, note = request.POST.get("config", ""), request.POST.get("note", "")[:2000]
    try:
        config = json.loads(text)
        if not isinstance(config, dict):
            raise InvalidInput("The policy must be a JSON object.")
        version = policy_publish(
            tenant=tenant, config=config, now=timezone.now(), actor=signed_in_user(request), note=note
        )
    except json.JSONDecodeError as exc:
        return _page(request, tenant, draft=text, note=note, error=f"Not valid JSON: {exc}")
    except InvalidInput as exc:
        return _page(request, tenant, draft=text, note=note, error=exc.message)
    logger.info(
        "policy published",
        extra={
            "action": "policy.published",
            "tenant": tenant.slug,
            "version": version.version,
            "actor": request.user.pk,
        },
    )
    messages.success(request, f"Published policy {version.version}; it routes every draft from now on.")
    return redirect(reverse("ops:policies") + f"?tenant={tenant.slug}")
