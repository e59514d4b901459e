from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from reviewqueue.calibration.models import ClaimLabel


@admin.register(ClaimLabel)
class ClaimLabelAdmin(admin.ModelAdmin):
    # Labels are written by reviewers through claim_label_record (which also writes the event);
    # the admin only reads them.
    list_display = ("id", "draft", "claim_index", "label", "model_verdict", "reviewer", "updated_at")
    list_filter = ("label", "model_verdict")
    raw_id_fields = ("item", "draft", "reviewer")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
