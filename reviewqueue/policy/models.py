"""Versioned routing policies and calibrators, per tenant. Published versions are never edited:
a change is a new version, so every decision can name exactly what made it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from reviewqueue.review.models import Decision, Draft, Queue
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
    """A fitted calibrator. Its scope is `queue` (NULL: the tenant's queues) and `prompt_version`
    ("": every prompt version): the worker calibrates a draft with the most specific live one
    (`selectors.active_calibrator_row`), one live version per scope."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="calibrators")
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    prompt_version = models.CharField(max_length=200, blank=True, default="")
    version = models.CharField(max_length=64)
    artefact = models.JSONField()
    metrics = models.JSONField(default=dict)
    labels_used = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "version"], name="calibrator_unique_version"),
            # One live calibrator per scope (queue or all queues, × prompt version or all).
            models.UniqueConstraint(
                fields=["tenant", "prompt_version"],
                condition=Q(is_active=True, queue__isnull=True),
                name="calibrator_one_active_per_prompt",
            ),
            models.UniqueConstraint(
                fields=["tenant", "queue", "prompt_version"],
                condition=Q(is_active=True, queue__isnull=False),
                name="calibrator_one_active_per_queue_prompt",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.version}{' (active)' if self.is_active else ''}"


class RunStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a worker"
    RUNNING = "running", "Fitting"
    DONE = "done", "Done"
    REFUSED = "refused", "Refused: too few labels"
    FAILED = "failed", "Failed"


FINISHED = (RunStatus.DONE, RunStatus.REFUSED, RunStatus.FAILED)


class CalibrationRun(models.Model):
    """One fit a lead asked for on /ops/calibration/, run by a Celery task that writes its
    progress here (the page polls it). `report` holds the figures the page draws: reliability,
    ECE and Brier before and after, the score histogram by label and the trade-off curve."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="calibration_runs")
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    prompt_version = models.CharField(max_length=200, blank=True, default="")
    method = models.CharField(max_length=16)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    stage = models.CharField(max_length=200, blank=True, default="")
    message = models.TextField(blank=True, default="")
    report = models.JSONField(default=dict, blank=True)
    calibrator = models.ForeignKey(
        CalibratorVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs"
    )
    # NULL: the daily refit (`tasks.recalibrate`, `manage.py recalibrate`) started it, not a lead.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RunStatus.values), name="calibration_run_valid_status"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="calibration_run_progress_percent"),
        ]
        indexes = [models.Index(fields=["tenant", "-created_at"], name="calibration_run_recent")]

    def __str__(self) -> str:
        return f"calibration run {self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


class CandidateKind(models.TextChoices):
    CALIBRATOR = "calibrator", "Calibrator"
    POLICY = "policy", "Routing policy"


class CandidateStatus(models.TextChoices):
    SHADOW = "shadow", "Shadow"
    PROMOTED = "promoted", "Promoted"
    ROLLED_BACK = "rolled_back", "Rolled back"


# A candidate's life: shadow → promoted → rolled back, or shadow → rolled back (withdrawn
# without ever routing a draft). Nothing comes back from rolled back: stage it again instead.
CANDIDATE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    CandidateStatus.SHADOW: (CandidateStatus.PROMOTED, CandidateStatus.ROLLED_BACK),
    CandidateStatus.PROMOTED: (CandidateStatus.ROLLED_BACK,),
    CandidateStatus.ROLLED_BACK: (),
}


class ShadowCandidate(models.Model):
    """A calibrator or policy version tried beside the live one: the worker records what it
    would have decided for every draft (`ShadowDecision`) and sends what the live one decided.
    `replaced` is what promotion deactivated, so that a rollback restores exactly it (NULL: there
    was none, and the built-in default applied)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="shadow_candidates")
    kind = models.CharField(max_length=16, choices=CandidateKind.choices)
    calibrator = models.ForeignKey(CalibratorVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    policy = models.ForeignKey(RoutingPolicyVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    replaced_calibrator = models.ForeignKey(
        CalibratorVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    replaced_policy = models.ForeignKey(
        RoutingPolicyVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=CandidateStatus.choices, default=CandidateStatus.SHADOW)
    # NULL: staged by the daily refit; only a lead promotes or rolls back.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    promoted_at = models.DateTimeField(null=True, blank=True)
    rolled_back_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CandidateStatus.values), name="candidate_valid_status"),
            models.CheckConstraint(
                condition=(Q(kind=CandidateKind.CALIBRATOR, calibrator__isnull=False, policy__isnull=True))
                | (Q(kind=CandidateKind.POLICY, policy__isnull=False, calibrator__isnull=True)),
                name="candidate_names_its_version",
            ),
            # The worker compares live routing with one shadow at a time: two would make each
            # disagreement ambiguous.
            models.UniqueConstraint(
                fields=["tenant"], condition=Q(status=CandidateStatus.SHADOW), name="candidate_one_shadow"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} candidate {self.pk} ({self.status})"

    @property
    def version(self) -> str:
        row = self.calibrator if self.kind == CandidateKind.CALIBRATOR else self.policy
        return row.version if row is not None else ""


class ShadowDecision(models.Model):
    """What the shadow candidate would have decided for a draft, beside what was decided."""

    candidate = models.ForeignKey(ShadowCandidate, on_delete=models.CASCADE, related_name="decisions")
    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="shadow_decisions")
    live_action = models.CharField(max_length=32, choices=Decision.choices)
    shadow_action = models.CharField(max_length=32, choices=Decision.choices)
    live_confidence = models.FloatField(null=True, blank=True)
    shadow_confidence = models.FloatField(null=True, blank=True)
    shadow_reasons = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            # A re-delivered scoring task records nothing twice.
            models.UniqueConstraint(fields=["candidate", "draft"], name="shadow_decision_once"),
        ]

    def __str__(self) -> str:
        return f"draft {self.draft_id}: {self.live_action} / shadow {self.shadow_action}"

    @property
    def disagrees(self) -> bool:
        return self.live_action != self.shadow_action


class CandidateEvent(models.Model):
    """Append-only audit of a candidate's transitions (staged, promoted, rolled back), typed by
    the event registry (`reviewqueue.audit.events.EventType`). Review events need a draft; a
    candidate has none, so they are recorded here (as queue settings changes are in ops)."""

    candidate = models.ForeignKey(ShadowCandidate, on_delete=models.CASCADE, related_name="events")
    # NULL: the daily refit staged the candidate (promote and roll back always name the lead).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    type = models.CharField(max_length=64)
    from_status = models.CharField(max_length=16, blank=True, default="")
    to_status = models.CharField(max_length=16, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.type} @ {self.created_at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("CandidateEvent rows are append-only")
        super().save(*args, **kwargs)
