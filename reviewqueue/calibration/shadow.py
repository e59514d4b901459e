"""Shadow candidates: stage a fitted calibrator or a new policy version beside the live one,
record what it would decide for every draft the worker routes, then promote it or roll it back.

Transitions (one function each, lock → guard → write → audit row, `CandidateEvent` typed by
the event registry): staged (→ shadow), promoted (shadow → promoted: the candidate's version is
activated and the one it replaces remembered), rolled back (shadow → rolled back: withdrawn;
promoted → rolled back: the replaced version is active again).

`shadow_record` is the worker's part (through intake's `after_scored_route` hook, registered in
`CalibrationConfig.ready`). It runs after the live decision is committed and only inserts a
`ShadowDecision` row: it never changes what was decided or sent. `shadow_summary` is the
calibration page's read of those rows against the reviewers' labels.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone

from reviewqueue.audit.events import EventType, event_type_check
from reviewqueue.calibration.gates import promotion_gate
from reviewqueue.calibration.label_sets import LabelSet
from reviewqueue.calibration.replay import decide_again
from reviewqueue.errors import InvalidState, NotFound
from reviewqueue.golden.dispatch import golden_check_soon
from reviewqueue.policy.models import (
    CANDIDATE_TRANSITIONS,
    CalibratorVersion,
    CandidateEvent,
    CandidateKind,
    CandidateStatus,
    RoutingPolicyVersion,
    ShadowCandidate,
    ShadowDecision,
)
from reviewqueue.policy.selectors import active_calibrator_row, calibrator_scopes
from reviewqueue.policy.services import policy_parse
from reviewqueue.review.models import Draft, Queue
from reviewqueue.tenancy.models import Tenant
from reviewqueue.tenancy.selectors import is_lead
from scoring.calibration import Calibrator
from scoring.inputs import DraftInput
from scoring.policy import RoutingPolicy
from scoring.results import ScoreResult

logger = logging.getLogger(__name__)


def _event(
    candidate: ShadowCandidate,
    *,
    type: EventType,
    actor: User | None,
    now: datetime,
    from_status: str,
    data: dict[str, Any],
) -> None:
    event_type_check(type)
    CandidateEvent(
        candidate=candidate,
        actor=actor,
        type=str(type),
        from_status=from_status,
        to_status=candidate.status,
        data={"kind": candidate.kind, "version": candidate.version, **data},
        created_at=now,
    ).save(force_insert=True)


def _create(*, tenant: Tenant, actor: User | None, now: datetime, **version: Any) -> ShadowCandidate:
    try:
        with transaction.atomic():
            candidate = ShadowCandidate.objects.create(tenant=tenant, created_by=actor, created_at=now, **version)
    except IntegrityError:
        # candidate_one_shadow: the worker compares live routing with one shadow at a time.
        raise InvalidState(
            "A shadow candidate is already running for this tenant; promote it or roll it back first."
        ) from None
    _event(candidate, type=EventType.CANDIDATE_STAGED, actor=actor, now=now, from_status="", data={})
    return candidate


def candidate_stage_calibrator(*, acting_user: User, calibrator_id: int, now: datetime) -> ShadowCandidate:
    """A lead stages a fitted calibrator (any scope: queue or all, prompt version or all)."""
    with transaction.atomic():
        row = CalibratorVersion.objects.select_for_update().filter(pk=calibrator_id).first()
        if row is None or not is_lead(user=acting_user, tenant_id=row.tenant_id):
            raise NotFound(f"Calibrator {calibrator_id} does not exist.")
        return _stage_calibrator(row, actor=acting_user, now=now)


def candidate_stage_refit(*, calibrator_id: int, now: datetime) -> ShadowCandidate:
    """The daily refit (`refit.calibration_refit`) stages its calibrator: the same transition
    as a lead's, with no actor (the events say so); only a lead promotes it."""
    with transaction.atomic():
        row = CalibratorVersion.objects.select_for_update().get(pk=calibrator_id)
        return _stage_calibrator(row, actor=None, now=now)


def _stage_calibrator(row: CalibratorVersion, *, actor: User | None, now: datetime) -> ShadowCandidate:
    if row.is_active:
        raise InvalidState(f"Calibrator {row.version} is already live.")
    return _create(tenant=row.tenant, actor=actor, now=now, kind=CandidateKind.CALIBRATOR, calibrator=row)


def candidate_stage_policy(
    *, acting_user: User, tenant: Tenant, config: Any, now: datetime, note: str = ""
) -> ShadowCandidate:
    """Store the policy as a new, inactive version (the checks `policy_publish` makes) and stage it."""
    if not is_lead(user=acting_user, tenant_id=tenant.pk):
        raise NotFound("No such tenant.")
    with transaction.atomic():
        policy = policy_parse(tenant=tenant, config=config)
        row = RoutingPolicyVersion.objects.create(
            tenant=tenant,
            version=policy.version,
            config=policy.to_dict(),
            is_active=False,
            created_by=acting_user,
            note=note,
            created_at=now,
        )
        return _create(tenant=tenant, actor=acting_user, now=now, kind=CandidateKind.POLICY, policy=row)


def _locked(acting_user: User, candidate_id: int) -> ShadowCandidate:
    candidate = (
        ShadowCandidate.objects.select_for_update(of=("self",))
        .select_related("calibrator", "policy", "replaced_calibrator", "replaced_policy")
        .filter(pk=candidate_id)
        .first()
    )
    if candidate is None or not is_lead(user=acting_user, tenant_id=candidate.tenant_id):
        raise NotFound(f"Candidate {candidate_id} does not exist.")
    return candidate


def _guard(candidate: ShadowCandidate, to_status: str) -> None:
    if to_status not in CANDIDATE_TRANSITIONS[candidate.status]:
        raise InvalidState(
            f"Candidate {candidate.version} is {candidate.get_status_display().lower()}; it cannot be "
            f"{'promoted' if to_status == CandidateStatus.PROMOTED else 'rolled back'}."
        )


def candidate_promote(*, acting_user: User, candidate_id: int, now: datetime) -> ShadowCandidate:
    """shadow → promoted: the candidate's version routes live from the next draft on, once it
    has passed the golden-set gate (checked first, outside the transaction: it may score)."""
    with transaction.atomic():
        _guard(_locked(acting_user, candidate_id), CandidateStatus.PROMOTED)
    checked = ShadowCandidate.objects.select_related("tenant", "calibrator", "policy").get(pk=candidate_id)
    verdict = promotion_gate(checked, actor=acting_user, now=now)
    if not verdict.allowed:
        raise InvalidState(f"Promotion refused: {verdict.reason}", details={"gate": verdict.reason})
    with transaction.atomic():
        candidate = _locked(acting_user, candidate_id)
        # Checked again under the lock: another lead may have promoted or withdrawn it meanwhile.
        _guard(candidate, CandidateStatus.PROMOTED)
        if candidate.calibrator is not None:
            row = candidate.calibrator
            # The live calibrator of the same scope (queue or all queues, × prompt version or all).
            live = CalibratorVersion.objects.select_for_update().filter(
                tenant_id=row.tenant_id, is_active=True, prompt_version=row.prompt_version
            )
            live = live.filter(queue_id=row.queue_id) if row.queue_id is not None else live.filter(queue__isnull=True)
            candidate.replaced_calibrator = live.first()
            live.update(is_active=False)
            CalibratorVersion.objects.filter(pk=row.pk).update(is_active=True)
        else:
            assert candidate.policy is not None  # candidate_names_its_version
            live_policy = RoutingPolicyVersion.objects.select_for_update().filter(
                tenant_id=candidate.tenant_id, is_active=True
            )
            candidate.replaced_policy = live_policy.first()
            live_policy.update(is_active=False)
            RoutingPolicyVersion.objects.filter(pk=candidate.policy.pk).update(is_active=True)
        candidate.status = CandidateStatus.PROMOTED
        candidate.promoted_at = now
        candidate.save(update_fields=["status", "promoted_at", "replaced_calibrator", "replaced_policy"])
        replaced = candidate.replaced_calibrator or candidate.replaced_policy
        _event(
            candidate,
            type=EventType.CANDIDATE_PROMOTED,
            actor=acting_user,
            now=now,
            from_status=CandidateStatus.SHADOW,
            data={"replaced": replaced.version if replaced else None, "gate": verdict.reason},
        )
        # A new live version: the golden set is run on it (a regression there raises the alert).
        golden_check_soon(tenant_id=candidate.tenant_id)
    logger.info(
        "candidate promoted",
        extra={"action": "policy.candidate.promoted", "candidate_id": candidate.pk, "actor": acting_user.pk},
    )
    return candidate


def candidate_rollback(*, acting_user: User, candidate_id: int, now: datetime) -> ShadowCandidate:
    """A shadow is withdrawn; a promotion is undone: the version it replaced (or, if there was
    none, the built-in default) routes again. Refused when a later change replaced the promoted
    version meanwhile: rolling back then would silently undo that change too."""
    with transaction.atomic():
        candidate = _locked(acting_user, candidate_id)
        _guard(candidate, CandidateStatus.ROLLED_BACK)
        from_status = candidate.status
        restored: str | None = None
        if from_status == CandidateStatus.PROMOTED:
            if candidate.calibrator is not None:
                row = CalibratorVersion.objects.select_for_update().get(pk=candidate.calibrator.pk)
                previous = candidate.replaced_calibrator
                if not row.is_active:
                    raise InvalidState(f"Calibrator {row.version} is no longer live; nothing to roll back.")
                CalibratorVersion.objects.filter(pk=row.pk).update(is_active=False)
                if previous is not None:
                    CalibratorVersion.objects.filter(pk=previous.pk).update(is_active=True)
                    restored = previous.version
            else:
                assert candidate.policy is not None
                policy = RoutingPolicyVersion.objects.select_for_update().get(pk=candidate.policy.pk)
                previous_policy = candidate.replaced_policy
                if not policy.is_active:
                    raise InvalidState(f"Policy {policy.version} is no longer live; nothing to roll back.")
                RoutingPolicyVersion.objects.filter(pk=policy.pk).update(is_active=False)
                if previous_policy is not None:
                    RoutingPolicyVersion.objects.filter(pk=previous_policy.pk).update(is_active=True)
                    restored = previous_policy.version
        candidate.status = CandidateStatus.ROLLED_BACK
        candidate.rolled_back_at = now
        candidate.save(update_fields=["status", "rolled_back_at"])
        _event(
            candidate,
            type=EventType.CANDIDATE_ROLLED_BACK,
            actor=acting_user,
            now=now,
            from_status=from_status,
            data={"restored": restored},
        )
        if from_status == CandidateStatus.PROMOTED:
            golden_check_soon(tenant_id=candidate.tenant_id)
    logger.info(
        "candidate rolled back",
        extra={"action": "policy.candidate.rolled_back", "candidate_id": candidate.pk, "actor": acting_user.pk},
    )
    return candidate


# --- the worker's part ------------------------------------------------------------------------


def shadow_candidate(*, tenant_id: int) -> ShadowCandidate | None:
    return (
        ShadowCandidate.objects.select_related("calibrator", "policy")
        .filter(tenant_id=tenant_id, status=CandidateStatus.SHADOW)
        .first()
    )


def _in_scope(candidate: ShadowCandidate, draft: Draft, queue: Queue | None) -> bool:
    """A calibrator candidate decides only the drafts it would calibrate once promoted: those of
    its scope (its queue or all, its prompt version or all) for which no live calibrator of a
    more specific scope would still win (`policy.selectors.active_calibrator_row`'s order)."""
    row = candidate.calibrator
    if row is None:
        return True
    queue_id = queue.pk if queue is not None else None
    scopes = calibrator_scopes(queue_id=queue_id, prompt_version=draft.prompt_version)
    own = (row.queue_id, row.prompt_version)
    if own not in scopes:
        return False
    live = active_calibrator_row(tenant_id=candidate.tenant_id, queue_id=queue_id, prompt_version=draft.prompt_version)
    return live is None or scopes.index((live.queue_id, live.prompt_version)) >= scopes.index(own)


def shadow_record(
    *, draft: Draft, queue: Queue | None, result: ScoreResult, inputs: DraftInput, live_action: str, now: datetime
) -> ShadowDecision | None:
    """Record what the tenant's shadow candidate would have decided for this draft (None: no
    candidate, or the draft is outside its scope). Reads and one insert; the live decision is
    an argument here, already committed, and nothing here can reach it."""
    candidate = shadow_candidate(tenant_id=draft.tenant_id)
    if candidate is None or not _in_scope(candidate, draft, queue):
        return None
    calibrator = Calibrator.from_dict(candidate.calibrator.artefact) if candidate.calibrator else None
    policy = RoutingPolicy.from_dict(candidate.policy.config) if candidate.policy else None
    action, reasons, confidence = decide_again(
        draft, queue, result=result, inputs=inputs, calibrator=calibrator, policy=policy
    )
    row, _ = ShadowDecision.objects.get_or_create(
        candidate=candidate,
        draft=draft,
        defaults={
            "live_action": live_action,
            "shadow_action": action,
            "live_confidence": result.confidence,
            "shadow_confidence": confidence,
            "shadow_reasons": reasons,
            "created_at": now,
        },
    )
    return row


def shadow_record_routed(
    *, draft: Draft, queue: Queue | None, result: ScoreResult, inputs: DraftInput, action: str
) -> None:
    """The worker's hook (`intake.hooks.after_scored_route`): the shadow candidate's decision
    beside the live one, after the live one is committed. Any failure here costs the comparison
    row, never the draft: it is logged and dropped (not retried: a retry would find the draft
    routed and record nothing anyway)."""
    try:
        shadow_record(draft=draft, queue=queue, result=result, inputs=inputs, live_action=action, now=timezone.now())
    except Exception:
        logger.exception("shadow decision not recorded", extra={"action": "policy.shadow.failed", "draft_id": draft.pk})


# --- the page's read --------------------------------------------------------------------------


@dataclass(frozen=True)
class ShadowSummary:
    candidate: ShadowCandidate
    decided: int
    disagreements: int
    transitions: list[tuple[str, str, int]]  # (live, shadow, count) where they differ
    labels: dict[str, float]  # among disagreements: weighted good / bad, and how many unlabelled
    recent: list[tuple[ShadowDecision, int | None]]  # (row, label) of the latest disagreements


SHADOW_SHOWN = 25


def shadow_summary(*, candidate: ShadowCandidate, labels: LabelSet) -> ShadowSummary:
    """Where the shadow and the live decision differ on live traffic, and what the reviewers'
    labels say about those drafts (weighted)."""
    rows = ShadowDecision.objects.filter(candidate=candidate)
    differ = rows.exclude(live_action=F("shadow_action"))
    transitions = [
        (live, shadow, n)
        for live, shadow, n in differ.values("live_action", "shadow_action")
        .annotate(n=Count("id"))
        .order_by("-n", "live_action", "shadow_action")
        .values_list("live_action", "shadow_action", "n")
    ]
    by_draft = {r.draft_id: r for r in labels.rows}
    good = bad = 0.0
    unlabelled = 0
    for draft_id in differ.values_list("draft_id", flat=True):
        label = by_draft.get(draft_id)
        if label is None:
            unlabelled += 1
        elif label.label:
            good += label.weight
        else:
            bad += label.weight
    recent = [
        (row, by_draft[row.draft_id].label if row.draft_id in by_draft else None)
        for row in differ.order_by("-created_at", "-pk")[:SHADOW_SHOWN]
    ]
    return ShadowSummary(
        candidate,
        rows.count(),
        sum(n for _, _, n in transitions),
        transitions,
        {"good": good, "bad": bad, "unlabelled": unlabelled},
        recent,
    )
