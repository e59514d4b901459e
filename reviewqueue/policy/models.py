"""Versioned routing policies and calibrators, per tenant. Published versions are never edited:
a change is a new version, so every decision can name exactly what made it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from reviewqueue.tenancy.models import Tenant


class RoutingPolicyVersion(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="policies")
    version = models.CharField(max_length=64)
    config = models.JSONField()
    is_active = models.BooleanField(default=False)
    note = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "version"], name="policy_unique_version"),
            models.UniqueConstraint(fields=["tenant"], condition=Q(is_active=True), name="policy_one_active"),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.version}{' (active)' if self.is_active else ''}"


class CalibratorVersion(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="calibrators")
    version = models.CharField(max_length=64)
    artefact = models.JSONField()
    metrics = models.JSONField(default=dict)
    labels_used = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "version"], name="calibrator_unique_version"),
            models.UniqueConstraint(fields=["tenant"], condition=Q(is_active=True), name="calibrator_one_active"),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.version}{' (active)' if self.is_active else ''}"
