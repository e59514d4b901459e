from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from reviewqueue.tenancy.models import Membership, ServiceClient, Tenant
from reviewqueue.tenancy.services import service_client_create, service_client_revoke


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "retention_days", "created_at")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "tenant", "role")
    list_filter = ("tenant", "role")


@admin.register(ServiceClient)
class ServiceClientAdmin(admin.ModelAdmin):
    list_display = ("name", "tenant", "key_prefix", "last_used_at", "revoked_at")
    fields = ("tenant", "name", "webhook_url", "key_prefix", "last_used_at", "revoked_at")
    readonly_fields = ("key_prefix", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def save_model(self, request: HttpRequest, obj: ServiceClient, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # New keys are made by the service so only the hash is stored; the key is shown once.
        client, key = service_client_create(tenant=obj.tenant, name=obj.name, webhook_url=obj.webhook_url)
        obj.pk = client.pk
        messages.warning(request, f"API key for {client.name} (shown once, copy it now): {key}")

    @admin.action(description="Revoke the API key of the selected clients")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ServiceClient]) -> None:
        now = timezone.now()
        revoked = 0
        for client in queryset:
            service_client_revoke(client=client, now=now)
            revoked += 1
        messages.success(request, f"Revoked {revoked} API key(s); they are refused from the next request on.")
