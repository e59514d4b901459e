from django.contrib import admin

from reviewqueue.policy.models import CalibratorVersion, RoutingPolicyVersion
from reviewqueue.review.admin import ReadOnlyAdmin


@admin.register(RoutingPolicyVersion)
class RoutingPolicyVersionAdmin(ReadOnlyAdmin):
    list_display = ("version", "tenant", "is_active", "created_by", "created_at")
    list_filter = ("tenant", "is_active")


@admin.register(CalibratorVersion)
class CalibratorVersionAdmin(ReadOnlyAdmin):
    list_display = ("version", "tenant", "is_active", "labels_used", "created_at")
    list_filter = ("tenant", "is_active")
