from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from reviewqueue.tenancy.models import Membership, ServiceClient, Tenant
from reviewqueue.tenancy.services import (
    service_client_create,
    service_client_revoke,
    service_client_rotate_webhook_secret,
    service_client_set_webhook,
)


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "retention_days", "expose_reviewer_names", "created_at")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "tenant", "role")
    list_filter = ("tenant", "role")


@admin.register(ServiceClient)
class ServiceClientAdmin(admin.ModelAdmin):
    list_display = ("name", "tenant", "key_prefix", "last_used_at", "revoked_at")
    fields = ("tenant", "name", "webhook_url", "key_prefix", "last_used_at", "revoked_at")
    readonly_fields = ("key_prefix", "last_used_at", "revoked_at")
    actions = ["revoke", "rotate_webhook_secret"]
    # A URL typed without a scheme is https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request: HttpRequest, obj: ServiceClient, form: Any, change: bool) -> None:
        if change:
            # The URL goes through the service, which makes a new secret for a new URL.
            url = obj.webhook_url
            obj.webhook_url = ServiceClient.objects.values_list("webhook_url", flat=True).get(pk=obj.pk)
            super().save_model(request, obj, form, change)
            secret = service_client_set_webhook(client=obj, url=url)
            if secret is not None:
                messages.warning(request, f"Webhook secret for {obj.name} (shown once, copy it now): {secret}")
            return
        # New keys are made by the service so only the hash is stored; the key is shown once.
        client, key = service_client_create(tenant=obj.tenant, name=obj.name, webhook_url=obj.webhook_url)
        obj.pk = client.pk
        messages.warning(request, f"API key for {client.name} (shown once, copy it now): {key}")
        if client.webhook_secret:
            messages.warning(
                request, f"Webhook secret for {client.name} (shown once, copy it now): {client.webhook_secret}"
            )

    @admin.action(description="Rotate the webhook secret of the selected clients (each shown once)")
    def rotate_webhook_secret(self, request: HttpRequest, queryset: QuerySet[ServiceClient]) -> None:
        for client in queryset:
            if not client.webhook_url:
                messages.error(request, f"{client.name} has no webhook URL: nothing to sign.")
                continue
            secret = service_client_rotate_webhook_secret(client=client)
            messages.warning(request, f"New webhook secret for {client.name} (shown once, copy it now): {secret}")

    @admin.action(description="Revoke the API key of the selected clients")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ServiceClient]) -> None:
        now = timezone.now()
        revoked = 0
        for client in queryset:
            service_client_revoke(client=client, now=now)
            revoked += 1
        messages.success(request, f"Revoked {revoked} API key(s); they are refused from the next request on.")
