"""Who may see the ops pages: the leads of a tenant, and only their tenant's queues."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from reviewqueue.errors import Forbidden
from reviewqueue.ops.selectors import lead_tenant_ids
from reviewqueue.tenancy.models import Tenant
from reviewqueue.web.views.access import reviewer_required


def lead_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed out → the sign-in page (or a 401 banner for htmx, as on the reviewer pages);
    signed in without the lead role in any tenant → 403. The view gets `request.lead_tenants`."""

    @reviewer_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        assert isinstance(user, User)
        tenants = lead_tenant_ids(user)
        if not tenants:
            err = Forbidden("The ops pages are for ops leads.")
            return render(request, "web/error.html", {"error": err}, status=err.status)
        request.lead_tenants = tenants  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def lead_tenants(request: HttpRequest) -> list[int]:
    tenants: list[int] = request.lead_tenants  # type: ignore[attr-defined]
    return tenants


def lead_tenant(request: HttpRequest, slug: str | None) -> Tenant:
    """The lead's tenant named by `slug` (else their first); another tenant is a 404."""
    tenants = Tenant.objects.filter(pk__in=lead_tenants(request)).order_by("slug")
    tenant = tenants.filter(slug=slug).first() if slug else tenants.first()
    if tenant is None:
        raise Http404("No such tenant.")
    return tenant
