from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from reviewqueue.tenancy.models import ServiceClient


class IsService(BasePermission):
    message = "This endpoint needs a service API key."

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.user, ServiceClient)


class IsReviewer(BasePermission):
    message = "This endpoint needs a signed-in reviewer."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return user is not None and not isinstance(user, ServiceClient) and bool(user.is_authenticated)


class IsServiceOrSignedIn(BasePermission):
    """A service's API key or a signed-in user; the view then checks the user leads the tenant
    (`GET /api/v1/labels`: a service or an ops lead)."""

    message = "This endpoint needs a service API key or a signed-in ops lead."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return user is not None and bool(user.is_authenticated)
