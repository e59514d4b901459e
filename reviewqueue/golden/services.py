"""Writes of the golden set: import, promotion from review, tolerance, evaluation runs, and the
promotion gate (`golden_gate`) the calibration and policy promote step calls.

Scoring is slow (the NLI model, ~60 ms a record on CPU), so it runs outside any transaction and
each record is scored once per model and fusion (`GoldenScore`); a calibrator or policy
candidate is then evaluated from the stored results in milliseconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from reviewqueue.agreement.selectors import adjudicated_labels, label_of
from reviewqueue.audit.events import EventType, event_record
from reviewqueue.errors import InvalidInput, InvalidState, NotFound
from reviewqueue.golden import evaluation, selectors
from reviewqueue.golden.evaluation import Figures, Tolerance
from reviewqueue.golden.models import (
    GoldenEvent,
    GoldenRecord,
    GoldenRun,
    GoldenScore,
    GoldenSource,
    GoldenTolerance,
    GoldenTrigger,
)
from reviewqueue.golden.records import GoldenFileError, GoldenLine, parse_jsonl
from reviewqueue.intake.scorer import get_scorer
from reviewqueue.policy.models import CalibratorVersion, RoutingPolicyVersion
from reviewqueue.policy.selectors import active_calibrator, active_policy
from reviewqueue.review.models import Draft, ItemState, ReviewItem
from reviewqueue.tenancy.models import Tenant
from reviewqueue.tenancy.selectors import is_lead
from scoring.calibration import Calibrator
from scoring.engine import Scorer
from scoring.errors import ConfigurationError
from scoring.inputs import DraftInput
from scoring.policy import RoutingPolicy
from scoring.results import ScoreResult

logger = logging.getLogger(__name__)


def golden_event(
    *,
    tenant: Tenant,
    type: EventType,
    now: datetime,
    actor: User | None = None,
    run: GoldenRun | None = None,
    **data: Any,
) -> GoldenEvent:
    if type not in EventType.values:
        raise ValueError(f"{type!r} is not a registered event type (EventType)")
    return GoldenEvent.objects.create(tenant=tenant, type=str(type), actor=actor, run=run, created_at=now, data=data)


# --- the set ---------------------------------------------------------------------------------


def golden_import(
    *, tenant: Tenant, lines: Iterable[str | bytes], now: datetime, actor: User | None = None, source: str = ""
) -> list[GoldenRecord]:
    """Import a JSONL file in the shared data format: every line is checked first, then all are
    written in one transaction, or none (InvalidInput lists each bad line by number)."""
    try:
        parsed = parse_jsonl(lines, max_records=settings.REVIEWQUEUE_GOLDEN_MAX_RECORDS)
    except GoldenFileError as exc:
        message = "The golden-set file has errors; nothing was imported."
        raise InvalidInput(message, details={"errors": exc.errors}) from None
    ids = [p.external_id for p in parsed]
    with transaction.atomic():
        existing = sorted(
            GoldenRecord.objects.filter(tenant=tenant, external_id__in=ids).values_list("external_id", flat=True)
        )
        if existing:
            shown = ", ".join(existing[:10]) + (" …" if len(existing) > 10 else "")
            raise InvalidInput(
                f"{len(existing)} record id(s) are already in the golden set ({shown}); nothing was imported.",
                details={"errors": [f"id {i!r} is already in the golden set" for i in existing[:20]]},
            )
        try:
            records = GoldenRecord.objects.bulk_create(
                [_record(tenant, p, now=now, actor=actor, source=GoldenSource.IMPORT) for p in parsed]
            )
        except IntegrityError:  # a concurrent import of the same ids won the race
            raise InvalidInput("Some record ids were imported meanwhile; nothing was imported.") from None
        golden_event(
            tenant=tenant, type=EventType.GOLDEN_IMPORTED, now=now, actor=actor, count=len(records), source=source
        )
    return records


def _record(tenant: Tenant, line: GoldenLine, *, now: datetime, actor: User | None, source: str) -> GoldenRecord:
    return GoldenRecord(
        tenant=tenant,
        external_id=line.external_id,
        dataset=line.dataset,
        task=line.task,
        question=line.question,
        passages=line.passages,
        response=line.response,
        label=line.label,
        spans=line.spans,
        source=source,
        created_at=now,
        created_by=actor,
    )


def draft_label(draft: Draft) -> int | None:
    """A reviewed draft's label in the shared format (1 = bad): the lead's ruling where one was
    made, else the last human disposition's label."""
    ruled = adjudicated_labels(draft_ids=[draft.pk]).get(draft.pk)
    if ruled is not None:
        return 1 if ruled.label == "bad" else 0
    item = (
        ReviewItem.objects.filter(draft=draft, state=ItemState.RESOLVED)
        .exclude(disposition="escalated")
        .order_by("-resolved_at", "-pk")
        .first()
    )
    label = label_of(item.disposition) if item is not None else None
    return None if label is None else (1 if label == "bad" else 0)


def golden_promote(*, acting_user: User, draft_id: int, now: datetime) -> GoldenRecord:
    """Add a reviewed draft of a tenant the user leads to its golden set, labelled by its review
    (or the lead's ruling), with a `golden.promoted` event on the draft."""
    with transaction.atomic():
        draft = Draft.objects.select_for_update().filter(pk=draft_id).first()
        if draft is None or not is_lead(user=acting_user, tenant_id=draft.tenant_id):
            raise NotFound(f"Draft {draft_id} does not exist.")
        if draft.content_purged_at is not None:
            raise InvalidState("This draft's content was purged; it cannot join the golden set.")
        label = draft_label(draft)
        if label is None:
            raise InvalidState("Only a draft a reviewer approved, edited or rejected has a label to keep.")
        external_id = f"draft:{draft.pk}"
        if GoldenRecord.objects.filter(tenant_id=draft.tenant_id, external_id=external_id).exists():
            raise InvalidState("This draft is already in the golden set.")
        line = GoldenLine(
            external_id=external_id,
            dataset="reviewqueue",
            task="qa",
            question=draft.question,
            passages=[{"id": str(p["id"]), "text": str(p["text"])} for p in draft.passages],
            response=draft.text,
            label=label,
            spans=[],
        )
        record = _record(draft.tenant, line, now=now, actor=acting_user, source=GoldenSource.REVIEW)
        record.draft = draft
        record.save(force_insert=True)
        event_record(
            draft=draft,
            type=EventType.GOLDEN_PROMOTED,
            now=now,
            actor=acting_user,
            data={"golden_record_id": record.pk, "label": label},
        )
    return record


def golden_tolerance_set(
    *, acting_user: User, tenant: Tenant, max_auroc_drop: float, max_escape_rise: float, now: datetime
) -> GoldenTolerance:
    if not (0.0 <= max_auroc_drop <= 1.0 and 0.0 <= max_escape_rise <= 1.0):
        raise InvalidInput("Tolerances are between 0 and 1.")
    if not is_lead(user=acting_user, tenant_id=tenant.pk):
        raise NotFound("No such tenant.")
    with transaction.atomic():
        before = selectors.tolerance_for(tenant=tenant)
        row, _ = GoldenTolerance.objects.update_or_create(
            tenant=tenant,
            defaults={
                "max_auroc_drop": max_auroc_drop,
                "max_escape_rise": max_escape_rise,
                "updated_at": now,
                "updated_by": acting_user,
            },
        )
        golden_event(
            tenant=tenant,
            type=EventType.GOLDEN_TOLERANCE_CHANGED,
            now=now,
            actor=acting_user,
            before={"max_auroc_drop": before.max_auroc_drop, "max_escape_rise": before.max_escape_rise},
            after={"max_auroc_drop": max_auroc_drop, "max_escape_rise": max_escape_rise},
        )
    return row


# --- scoring and figures -----------------------------------------------------------------------


def _scored_rows(*, tenant: Tenant, scorer: Scorer, now: datetime) -> list[tuple[int, DraftInput, ScoreResult]]:
    """(label, input, uncalibrated result) for every record, scoring those this scorer has not
    scored yet. Inference runs outside any transaction; rows are inserted afterwards, and a
    concurrent run that stored the same score first wins (ignore_conflicts)."""
    records = list(selectors.golden_records(tenant=tenant))
    stored = selectors.stored_scores(tenant=tenant, scorer=scorer)
    missing = [r for r in records if r.pk not in stored]
    identity = Calibrator.identity()
    new_rows = []
    results: dict[int, ScoreResult] = {pk: ScoreResult.from_dict(row.result) for pk, row in stored.items()}
    for record in missing:
        result = scorer.score(_line(record).draft_input(), calibrator=identity)
        results[record.pk] = result
        new_rows.append(
            GoldenScore(
                record=record,
                model=scorer.model_version,
                fusion=scorer.fusion.version,
                scorer=selectors.scorer_version(scorer),
                result=result.to_dict(),
                created_at=now,
            )
        )
    GoldenScore.objects.bulk_create(new_rows, ignore_conflicts=True)
    return [(r.label, _line(r).draft_input(), results[r.pk]) for r in records]


def _line(record: GoldenRecord) -> GoldenLine:
    return GoldenLine(
        external_id=record.external_id,
        dataset=record.dataset,
        task=record.task,
        question=record.question,
        passages=list(record.passages),
        response=record.response,
        label=record.label,
        spans=list(record.spans),
    )


def _figures(
    rows: list[tuple[int, DraftInput, ScoreResult]],
    scorer: Scorer,
    calibrator: Calibrator | None,
    policy: RoutingPolicy,
) -> Figures:
    cal = evaluation.effective_calibrator(scorer, calibrator)
    return evaluation.figures(
        rows=rows, calibrator=cal, policy=policy, combo=evaluation.combination(scorer, cal, policy)
    )


def _store_run(
    *,
    tenant: Tenant,
    figures: Figures,
    live: bool,
    trigger: str,
    seconds: float,
    now: datetime,
    baseline: Figures | None,
    regression: list[dict[str, Any]],
    actor: User | None,
) -> GoldenRun:
    combo = figures.combination
    with transaction.atomic():
        run = GoldenRun.objects.create(
            tenant=tenant,
            model=combo.model,
            fusion=combo.fusion,
            calibrator=combo.calibrator,
            policy=combo.policy,
            live=live,
            trigger=trigger,
            n=figures.n,
            n_bad=figures.n_bad,
            auroc=figures.auroc,
            auto_sent=figures.auto_sent,
            bad_auto_sent=figures.bad_auto_sent,
            escape_rate=figures.escape_rate,
            auto_send_share=figures.auto_send_share,
            seconds=round(seconds, 3),
            baseline=baseline.to_dict() if baseline is not None else {},
            regression=regression,
            created_at=now,
        )
        golden_event(
            tenant=tenant,
            type=EventType.GOLDEN_EVALUATED,
            now=now,
            actor=actor,
            run=run,
            combination=combo.to_dict(),
            live=live,
            trigger=trigger,
        )
        if regression and live:
            # The audit event, beside the run's flag that the golden page shows and the
            # golden-regression alert rule watches (`alerts.figures`) until a later live run is clean.
            golden_event(
                tenant=tenant, type=EventType.GOLDEN_REGRESSION, now=now, actor=actor, run=run, regression=regression
            )
    if regression:
        logger.warning(
            "golden set regression",
            extra={"action": "golden.regression", "tenant": tenant.slug, "run_id": run.pk, "regression": regression},
        )
    return run


def _from_run(run: GoldenRun) -> Figures:
    return Figures(
        combination=evaluation.Combination(run.model, run.fusion, run.calibrator, run.policy),
        n=run.n,
        n_bad=run.n_bad,
        auroc=run.auroc,
        auto_sent=run.auto_sent,
        bad_auto_sent=run.bad_auto_sent,
        escape_rate=run.escape_rate,
        auto_send_share=run.auto_send_share,
    )


def _baseline_figures(*, tenant: Tenant, combination: evaluation.Combination) -> Figures | None:
    """The stored figures `combination` is judged against (`selectors.baseline_run`), if any."""
    previous = selectors.baseline_run(tenant=tenant, combination=combination)
    return _from_run(previous) if previous is not None else None


def live_combination(*, tenant: Tenant, scorer: Scorer) -> evaluation.Combination:
    cal = evaluation.effective_calibrator(scorer, active_calibrator(tenant_id=tenant.pk))
    return evaluation.combination(scorer, cal, active_policy(tenant_id=tenant.pk))


def golden_eval(
    *, tenant: Tenant, now: datetime, trigger: str, scorer: Scorer | None = None, actor: User | None = None
) -> GoldenRun | None:
    """Score the golden set with the live combination (the scorer's model and fusion, the
    tenant's active calibrator and policy) and store the run, compared with the latest live run
    of other versions (`selectors.baseline_run`: a rerun of regressed versions stays flagged): a
    figure worse by more than the tenant's tolerance raises the regression alert.
    None when the tenant has no golden records."""
    if not selectors.golden_records(tenant=tenant).exists():
        return None
    scorer = scorer or get_scorer()
    t0 = time.perf_counter()
    rows = _scored_rows(tenant=tenant, scorer=scorer, now=now)
    figures = _figures(rows, scorer, active_calibrator(tenant_id=tenant.pk), active_policy(tenant_id=tenant.pk))
    baseline = _baseline_figures(tenant=tenant, combination=figures.combination)
    regression = evaluation.regressions(figures, baseline, selectors.tolerance_for(tenant=tenant)) if baseline else []
    return _store_run(
        tenant=tenant,
        figures=figures,
        live=True,
        trigger=trigger,
        seconds=time.perf_counter() - t0,
        now=now,
        baseline=baseline,
        regression=regression,
        actor=actor,
    )


def golden_check(*, tenant: Tenant, now: datetime, scorer: Scorer | None = None) -> GoldenRun | None:
    """The version-change job: evaluate when the live combination has no run yet (the model,
    fusion, calibrator or policy changed since the last one). Idempotent: a second call for the
    same combination stores nothing."""
    if not selectors.golden_records(tenant=tenant).exists():
        return None
    scorer = scorer or get_scorer()
    previous = selectors.latest_live_run(tenant=tenant)
    combo = live_combination(tenant=tenant, scorer=scorer)
    if previous is not None and _from_run(previous).combination == combo:
        return None
    return golden_eval(tenant=tenant, now=now, trigger=GoldenTrigger.VERSION_CHANGE, scorer=scorer)


# --- the promotion gate -----------------------------------------------------------------------


@dataclass(frozen=True)
class GateDecision:
    allowed: bool
    reason: str
    candidate: Figures | None  # None: no golden set to check against
    baseline: Figures | None
    regressions: list[dict[str, Any]]
    tolerance: Tolerance
    run: GoldenRun | None  # the candidate's stored run


def golden_gate(
    *,
    tenant: Tenant,
    now: datetime,
    policy_version: RoutingPolicyVersion | None = None,
    calibrator_version: CalibratorVersion | None = None,
    actor: User | None = None,
    scorer: Scorer | None = None,
) -> GateDecision:
    """May this candidate (a policy version and/or a calibrator version, the live one standing in
    for whichever is not given) be promoted? Both it and the live combination are evaluated now
    on the same golden records and the same stored scores; the candidate is blocked when its
    AUROC is lower, or its escape rate higher, than the live one's by more than the tenant's
    tolerance (a candidate that is the live versions themselves is compared like a rerun of them:
    with the versions live before). The candidate's run is stored (live=False, trigger=gate); a refusal also writes
    a `golden.gate.blocked` event. With no golden records it is allowed, and says so.

    Slow the first time a scorer meets the set (the records are scored, outside any
    transaction): call it before the promote step's own transaction, not inside it."""
    if policy_version is None and calibrator_version is None:
        raise InvalidInput("Name a candidate: a policy version, a calibrator version or both.")
    for row in (policy_version, calibrator_version):
        if row is not None and row.tenant_id != tenant.pk:
            raise NotFound("The candidate is not one of this tenant's versions.")
    tolerance = selectors.tolerance_for(tenant=tenant)
    if not selectors.golden_records(tenant=tenant).exists():
        return GateDecision(
            True, "No golden set: nothing to check the candidate against.", None, None, [], tolerance, None
        )
    try:
        cand_policy = RoutingPolicy.from_dict(policy_version.config) if policy_version else None
        cand_cal = Calibrator.from_dict(calibrator_version.artefact) if calibrator_version else None
    except (ConfigurationError, TypeError, ValueError, KeyError) as exc:
        raise InvalidInput(f"The candidate does not load: {exc}") from None
    scorer = scorer or get_scorer()
    t0 = time.perf_counter()
    rows = _scored_rows(tenant=tenant, scorer=scorer, now=now)
    live_policy, live_cal = active_policy(tenant_id=tenant.pk), active_calibrator(tenant_id=tenant.pk)
    live = _figures(rows, scorer, live_cal, live_policy)
    candidate = _figures(rows, scorer, cand_cal or live_cal, cand_policy or live_policy)
    # The baseline a live run of the candidate would get (`selectors.baseline_run`): the live
    # versions, evaluated now on the same records; or, when the candidate *is* the live
    # versions, the run of the versions live before them.
    if candidate.combination != live.combination:
        baseline: Figures | None = live
        against = "the live figures"
    else:
        baseline = _baseline_figures(tenant=tenant, combination=candidate.combination)
        against = "the figures of the versions live before"
    regression = evaluation.regressions(candidate, baseline, tolerance) if baseline is not None else []
    run = _store_run(
        tenant=tenant,
        figures=candidate,
        live=False,
        trigger=GoldenTrigger.GATE,
        seconds=time.perf_counter() - t0,
        now=now,
        baseline=baseline,
        regression=regression,
        actor=actor,
    )
    if regression:
        worst = "; ".join(
            f"{r['metric']} {r['baseline']:.3f} → {r['candidate']:.3f} (tolerance {r['tolerance']:.3f})"
            for r in regression
        )
        golden_event(
            tenant=tenant,
            type=EventType.GOLDEN_GATE_BLOCKED,
            now=now,
            actor=actor,
            run=run,
            candidate=candidate.combination.to_dict(),
            regression=regression,
        )
        return GateDecision(
            False,
            f"Blocked: worse than {against} on the golden set: {worst}.",
            candidate,
            baseline,
            regression,
            tolerance,
            run,
        )
    if baseline is None:
        reason = "Allowed: the candidate is the live versions, and no earlier versions ran live to compare with."
    else:
        reason = f"Allowed: within tolerance of {against} on the golden set."
    return GateDecision(
        True,
        reason,
        candidate,
        baseline,
        [],
        tolerance,
        run,
    )
