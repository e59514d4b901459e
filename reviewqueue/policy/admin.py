from django.contrib import admin

from reviewqueue.policy.models import (
    CalibrationRun,
    CalibratorVersion,
    CandidateEvent,
    RoutingPolicyVersion,
    ShadowCandidate,
)
from reviewqueue.review.admin import ReadOnlyAdmin


@admin.register(RoutingPolicyVersion)
class RoutingPolicyVersionAdmin(ReadOnlyAdmin):
    list_display = ("version", "tenant", "is_active", "created_by", "created_at")
    list_filter = ("tenant", "is_active")


@admin.register(CalibratorVersion)
class CalibratorVersionAdmin(ReadOnlyAdmin):
    list_display = ("version", "tenant", "queue", "is_active", "labels_used", "created_at")
    list_filter = ("tenant", "is_active")


@admin.register(CalibrationRun)
class CalibrationRunAdmin(ReadOnlyAdmin):
    list_display = ("pk", "tenant", "queue", "method", "status", "created_by", "created_at")
    list_filter = ("tenant", "status")


@admin.register(ShadowCandidate)
class ShadowCandidateAdmin(ReadOnlyAdmin):
    list_display = ("pk", "tenant", "kind", "status", "created_by", "created_at", "promoted_at", "rolled_back_at")
    list_filter = ("tenant", "kind", "status")


@admin.register(CandidateEvent)
class CandidateEventAdmin(ReadOnlyAdmin):
    list_display = ("candidate", "type", "actor", "from_status", "to_status", "created_at")
    list_filter = ("type",)
