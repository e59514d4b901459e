from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse

from reviewqueue.llm import selectors
from reviewqueue.llm.models import AssistRequest, JudgeRun, JudgeVerdict, TokenUsage
from reviewqueue.tenancy.models import Tenant


@admin.register(TokenUsage)
class TokenUsageAdmin(admin.ModelAdmin):
    list_display = ("tenant", "day", "tokens", "calls")
    list_filter = ("day",)
    readonly_fields = ("tenant", "day", "tokens", "calls")


@admin.register(AssistRequest)
class AssistRequestAdmin(admin.ModelAdmin):
    list_display = ("idempotency_key", "client", "state", "draft", "prompt_version", "llm_ms", "created_at")
    readonly_fields = [f.name for f in AssistRequest._meta.fields]


@admin.register(JudgeRun)
class JudgeRunAdmin(admin.ModelAdmin):
    list_display = ("draft", "status", "reason", "created_at")
    list_filter = ("status", "reason")


@admin.register(JudgeVerdict)
class JudgeVerdictAdmin(admin.ModelAdmin):
    list_display = ("draft", "claim_index", "verdict", "model", "created_at")
    list_filter = ("verdict",)
    readonly_fields = [f.name for f in JudgeVerdict._meta.fields]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        # The judge-vs-reviewer figure per queue, above the verdict list, for every tenant.
        figures = [(t, selectors.judge_agreement(tenant_id=t.pk)) for t in Tenant.objects.order_by("slug")[:50]]
        extra = dict(extra_context or {}, judge_agreement=[(t, rows) for t, rows in figures if rows])
        return super().changelist_view(request, extra_context=extra)  # type: ignore[return-value]
