"""`Authorization: Bearer rq_…` for services; reviewers use the session (DRF SessionAuthentication)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from reviewqueue.tenancy.models import ServiceClient
from reviewqueue.tenancy.services import service_client_authenticate


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[ServiceClient, str] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _, key = header.partition(" ")
        if scheme != self.keyword or not key.strip():
            raise exceptions.AuthenticationFailed("Use 'Authorization: Bearer <api key>'.")
        client = service_client_authenticate(
            key=key.strip(),
            now=timezone.now(),
            touch_every=timedelta(seconds=settings.REVIEWQUEUE_KEY_TOUCH_SECONDS),
        )
        if client is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        return client, key

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class ApiKeyScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]  # drf-spectacular
    target_class = "reviewqueue.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "A service API key (rq_…)."}
