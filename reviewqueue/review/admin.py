"""Admin: queues are configured here; drafts, items and events are read-only history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.review.models import Draft, Queue, ReviewItem


class ReadOnlyAdmin(admin.ModelAdmin):
    """State changes go through the services (with their events), never through a form."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = ("name", "tenant", "sla_minutes", "lease_seconds", "fallback_action", "is_default")
    list_filter = ("tenant", "fallback_action")
    search_fields = ("name", "title")
    raw_id_fields = ("escalation_queue", "audit_queue")


@admin.register(Draft)
class DraftAdmin(ReadOnlyAdmin):
    list_display = ("id", "tenant", "status", "decision", "confidence", "outcome", "created_at")
    list_filter = ("status", "decision", "tenant")
    search_fields = ("idempotency_key", "text")
    date_hierarchy = "created_at"


@admin.register(ReviewItem)
class ReviewItemAdmin(ReadOnlyAdmin):
    list_display = ("id", "queue", "state", "priority", "due_at", "lease_owner", "disposition", "reviewer")
    list_filter = ("state", "queue", "disposition")


@admin.register(ReviewEvent)
class ReviewEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "type", "draft", "item", "actor", "from_state", "to_state", "created_at", "notified_at")
    list_filter = ("type",)
