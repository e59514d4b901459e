"""The ops workspace's own rows: the audit trail of queue settings changed by a lead, and the
stored hourly and daily tallies of the ops figures."""

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


class Tally(models.Model):
    """One figure of one tenant for one hour [start, start + 1 h) (`hours` 1) or one UTC day
    [start, start + 24 h) (`hours` 24, the sum of its 24 hours, so that a 30-day window reads 30
    rows per key and bucket instead of 720): a count (`bucket` 0, or the index of a category such
    as a disposition) or one bucket of a duration histogram, with the smallest and largest value
    that fell in it and their sum (see `ops.tallies` for the percentile and its error bound).

    Written only by `ops.rollups` (the beat task and `rebuild_ops_rollups`) from the same queries
    the pages run for the hours not rolled yet: a row is a stored result of a figure's one
    implementation, never a second one."""

    start = models.DateTimeField()
    hours = models.PositiveSmallIntegerField()
    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.CASCADE, related_name="+")
    figure = models.CharField(max_length=48)
    key = models.CharField(max_length=420, blank=True, default="")
    bucket = models.IntegerField(default=0)
    n = models.BigIntegerField()
    lo = models.FloatField(null=True, blank=True)
    hi = models.FloatField(null=True, blank=True)
    total = models.FloatField(null=True, blank=True)  # a duration figure's sum (for /metrics' histograms)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "figure", "hours", "start", "key", "bucket"], name="tally_unique_cell"
            ),
            models.CheckConstraint(condition=models.Q(hours__in=[1, 24]), name="tally_hour_or_day"),
        ]
        indexes = [
            # Used by every ops page: one figure of the lead's tenants over the window's whole
            # days and hours. The included columns let PostgreSQL answer from the index alone.
            models.Index(
                fields=["tenant", "figure", "hours", "start"],
                include=["key", "bucket", "n", "lo", "hi", "total"],
                name="tally_figure_span",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.figure} {self.key}/{self.bucket} @ {self.start:%Y-%m-%d %H:00} +{self.hours} h: {self.n}"


class RollupState(models.Model):
    """The one row saying how far the tallies go: every hour before `rolled_until` is in `Tally`
    (and every whole UTC day before it, as a day row); the pages compute later hours (and a
    window's partial first hour) directly.
    `events_seen_until` is where the next beat run starts looking for events that change an
    hour already rolled (a claim of an item enqueued hours ago, a commit that came late)."""

    rolled_until = models.DateTimeField(null=True, blank=True)
    events_seen_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"rolled until {self.rolled_until}"
