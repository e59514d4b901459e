"""A tenant's golden set: labelled records scored again whenever the model, fusion, calibrator
or routing policy changes, with the figures of every run kept, so a regression shows and can
block a promotion.

Records use the shared data format (`label` 1 = hallucinated / bad, 0 = supported / good).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from reviewqueue.review.models import Draft
from reviewqueue.tenancy.models import Tenant


class GoldenTolerance(models.Model):
    """A tenant's own tolerance; a tenant with no row uses the REVIEWQUEUE_GOLDEN_* settings."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="golden_tolerance")
    max_auroc_drop = models.FloatField()
    max_escape_rise = models.FloatField()
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    max_auroc_drop__gte=0, max_auroc_drop__lte=1, max_escape_rise__gte=0, max_escape_rise__lte=1
                ),
                name="golden_tolerance_range",
            ),
        ]

    def __str__(self) -> str:
        return f"tenant {self.tenant_id}: AUROC −{self.max_auroc_drop}, escape +{self.max_escape_rise}"


class GoldenSource(models.TextChoices):
    IMPORT = "import", "Imported from a JSONL file"
    REVIEW = "review", "Promoted from a reviewed draft"


class GoldenRecord(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="golden_records")
    external_id = models.CharField(max_length=200)
    dataset = models.CharField(max_length=100, blank=True, default="")
    task = models.CharField(max_length=50, blank=True, default="")
    question = models.TextField(blank=True, default="")
    passages = models.JSONField(default=list)
    response = models.TextField()
    label = models.PositiveSmallIntegerField()  # 1 = hallucinated / bad, 0 = good
    spans = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=16, choices=GoldenSource.choices)
    draft = models.ForeignKey(Draft, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "external_id"], name="golden_unique_id_per_tenant"),
            models.CheckConstraint(condition=Q(label__in=[0, 1]), name="golden_label_binary"),
            models.CheckConstraint(condition=Q(source__in=GoldenSource.values), name="golden_valid_source"),
        ]

    def __str__(self) -> str:
        return f"golden {self.external_id} (label {self.label})"


class GoldenScore(models.Model):
    """The scorer's result for a record, uncalibrated, per model and fusion version: the slow
    part (the NLI model) runs once per record and scorer; a calibrator or policy candidate is
    evaluated from these rows in milliseconds."""

    record = models.ForeignKey(GoldenRecord, on_delete=models.CASCADE, related_name="scores")
    model = models.CharField(max_length=200)
    fusion = models.CharField(max_length=200)
    scorer = models.CharField(max_length=50)
    result = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record", "model", "fusion", "scorer"], name="golden_score_once"),
        ]

    def __str__(self) -> str:
        return f"score of {self.record_id} by {self.model}/{self.fusion}"


class GoldenTrigger(models.TextChoices):
    COMMAND = "command", "manage.py golden_eval"
    PAGE = "page", "A lead on /ops/golden/"
    VERSION_CHANGE = "version_change", "A model, fusion, calibrator or policy version changed"
    GATE = "gate", "The promotion gate checked a candidate"


class GoldenRun(models.Model):
    """Append-only: the figures of one evaluation of the golden set by one version combination."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="golden_runs")
    model = models.CharField(max_length=200)
    fusion = models.CharField(max_length=200)
    calibrator = models.CharField(max_length=200)
    policy = models.CharField(max_length=200)
    # Whether this combination was the live one when it ran (a gate's candidate is not).
    live = models.BooleanField(default=True)
    trigger = models.CharField(max_length=16, choices=GoldenTrigger.choices)
    n = models.PositiveIntegerField()
    n_bad = models.PositiveIntegerField()
    auroc = models.FloatField(null=True)  # None: the set has one class only
    auto_sent = models.PositiveIntegerField()
    bad_auto_sent = models.PositiveIntegerField()
    escape_rate = models.FloatField()  # bad among auto-sent; 0 when nothing was auto-sent
    auto_send_share = models.FloatField()
    seconds = models.FloatField()
    # What it was compared with (the figures and versions of the baseline; {} for none) and
    # each figure that fell beyond the tenant's tolerance ([] when none did).
    baseline = models.JSONField(default=dict, blank=True)
    regression = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["tenant", "-created_at"], name="golden_run_recent")]

    def __str__(self) -> str:
        return f"golden run {self.pk}: {self.combination}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("GoldenRun rows are append-only")
        super().save(*args, **kwargs)

    @property
    def combination(self) -> str:
        return f"model {self.model} · fusion {self.fusion} · calibrator {self.calibrator} · policy {self.policy}"

    @property
    def regressed(self) -> bool:
        return bool(self.regression)


class GoldenEvent(models.Model):
    """Append-only audit rows of golden-set changes that concern no draft (review events need
    one): imports, runs, regressions, gate refusals, tolerance changes. `type` is from the
    event-type registry (`reviewqueue.audit.events.EventType`)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="golden_events")
    type = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    run = models.ForeignKey(GoldenRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    created_at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["tenant", "type", "-created_at"], name="golden_event_recent")]

    def __str__(self) -> str:
        return f"{self.type} @ {self.created_at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("GoldenEvent rows are append-only")
        super().save(*args, **kwargs)
