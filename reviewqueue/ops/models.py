"""The ops workspace's own rows: the audit trail of queue settings changed by a lead."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from reviewqueue.review.models import Queue


class QueueSettingsChange(models.Model):
    """Append-only: who changed which of a queue's settings, from what to what, and when.
    (Review events need a draft; a queue's settings have none, so they are recorded here.)"""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="settings_changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["queue", "-created_at"], name="ops_queue_change_recent")]

    def __str__(self) -> str:
        return f"queue {self.queue_id} settings @ {self.created_at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("QueueSettingsChange rows are append-only")
        super().save(*args, **kwargs)
