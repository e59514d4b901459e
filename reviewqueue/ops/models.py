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


class HourlyTally(models.Model):
    """One figure of one tenant for one hour [hour, hour + 1 h): a count (`bucket` 0, or the index
    of a category such as a disposition) or one bucket of a duration histogram, with the
    smallest and largest value that fell in it (exact percentiles where a bucket holds one
    value, bounded by the bucket's width otherwise; see `ops.tallies`).

    Written only by `ops.rollups` (the beat task and `rebuild_ops_rollups`), one hour at a time,
    from the same queries the pages run for the hours not rolled yet: a row is never a second
    implementation of a figure, only a stored result of the first."""

    hour = models.DateTimeField()
    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.CASCADE, related_name="+")
    figure = models.CharField(max_length=48)
    key = models.CharField(max_length=420, blank=True, default="")
    bucket = models.IntegerField(default=0)
    n = models.BigIntegerField()
    lo = models.FloatField(null=True, blank=True)
    hi = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "figure", "hour", "key", "bucket"], name="tally_unique_cell"),
        ]
        indexes = [
            # Used by every ops page: one figure of the lead's tenants over the window's whole
            # hours. The included columns let PostgreSQL answer from the index alone.
            models.Index(
                fields=["tenant", "figure", "hour"],
                include=["key", "bucket", "n", "lo", "hi"],
                name="tally_figure_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.figure} {self.key}/{self.bucket} @ {self.hour:%Y-%m-%d %H:00}: {self.n}"


class RollupState(models.Model):
    """The one row saying how far the tallies go: every hour before `rolled_until` is in
    `HourlyTally`; the pages compute later hours (and a window's partial first hour) directly.
    `events_seen_until` is where the next beat run starts looking for events that change an
    hour already rolled (a claim of an item enqueued hours ago, a commit that came late)."""

    rolled_until = models.DateTimeField(null=True, blank=True)
    events_seen_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"rolled until {self.rolled_until}"
