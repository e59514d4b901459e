"""Tenants, the people who work in them, and the services that call the API on their behalf."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from reviewqueue.tenancy.webhook_targets import webhook_url_problem


class Tenant(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    # Data minimisation: days after a draft is decided before its text, question, passages and
    # log-probs are purged (reviewqueue/review/retention.py). NULL: REVIEWQUEUE_RETENTION_DAYS.
    retention_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Days after a draft is decided before its content is purged; empty: the site default "
        "(REVIEWQUEUE_RETENTION_DAYS, 0 keeps content).",
    )
    # What services see of the reviewer who decided a draft: an opaque reviewer id (stable per
    # tenant and reviewer, not reversible without the server's secret) unless this is on.
    expose_reviewer_names = models.BooleanField(
        default=False, help_text="Show services reviewers' usernames instead of opaque reviewer ids."
    )

    def __str__(self) -> str:
        return self.slug

    def effective_retention_days(self) -> int:
        """0 keeps content for ever."""
        return settings.REVIEWQUEUE_RETENTION_DAYS if self.retention_days is None else self.retention_days


class Role(models.TextChoices):
    REVIEWER = "reviewer", "Reviewer"
    LEAD = "lead", "Ops lead"


class Membership(models.Model):
    """A user's role in a tenant. Which queues a reviewer may work is decided per queue (group)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.REVIEWER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "tenant"], name="membership_unique_user_tenant"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_valid_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.tenant_id}:{self.role}"


class ServiceClient(models.Model):
    """A calling service. Its API key is `rq_<prefix>_<secret>`; only a SHA-256 of it is stored.

    Keys are 256-bit random, so a fast hash is enough (no dictionary attack applies) and keeps
    authentication to one indexed lookup by prefix.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="clients")
    name = models.CharField(max_length=200)
    key_prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    webhook_url = models.URLField(blank=True, default="")
    # Signs webhook bodies (HMAC-SHA256) so the receiver can tell they came from us.
    webhook_secret = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    # DRF's IsAuthenticated reads this on request.user.
    is_authenticated = True

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def clean(self) -> None:
        # The admin's check of the webhook target; delivery checks it again on every connect,
        # since what a name resolves to can change after it was saved.
        if not self.webhook_url:
            return
        problem = webhook_url_problem(self.webhook_url)
        if problem:
            raise ValidationError({"webhook_url": problem})
