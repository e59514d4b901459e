"""The append-only event log's table: every transition of a draft or review item, one row each.

It is also the outbox for webhooks (`notified_at`). Draft and item are named by string: the log
is written by every package above `review`, and `audit` itself imports nothing from them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from reviewqueue.tenancy.models import ServiceClient


class ReviewEvent(models.Model):
    """Append-only history of every transition; also the outbox for webhooks (`notified_at`)."""

    draft = models.ForeignKey("review.Draft", on_delete=models.CASCADE, related_name="events")
    item = models.ForeignKey(
        "review.ReviewItem", on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    client = models.ForeignKey(ServiceClient, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    type = models.CharField(max_length=64)
    from_state = models.CharField(max_length=16, blank=True, default="")
    to_state = models.CharField(max_length=16, blank=True, default="")
    created_at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The table keeps the name it had when the model lived in `review` (migration
        # review.0006 / audit.0001 moved only Django's state).
        db_table = "review_reviewevent"
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["draft", "created_at"], name="event_draft_time"),
            # Used by the outbox sweep: events not yet delivered.
            models.Index(fields=["created_at"], condition=Q(notified_at__isnull=True), name="event_undelivered"),
            # Used by the ops figures: events of one type in an hour (breaches, lapses, releases,
            # scoring failures) and the breach history, newest first.
            models.Index(fields=["type", "created_at"], name="event_type_time"),
            # Used by the rollup beat task: the events since its last run, whose items and drafts
            # may change an hour already rolled up.
            models.Index(fields=["created_at"], name="event_time"),
        ]

    def __str__(self) -> str:
        return f"{self.type} @ {self.created_at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args: object, **kwargs: object) -> None:
        # Events are never edited: history an auditor reads must be exactly what happened.
        if self.pk is not None:
            raise ValueError("ReviewEvent rows are append-only")
        super().save(*args, **kwargs)
