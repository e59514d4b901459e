"""Fitting calibrators from reviewer labels: a calibration run (the Celery task's body,
`tasks.calibration_fit`): labels → out-of-fold figures → the calibrator fitted on every label,
stored inactive, with progress written to the run row the page polls. The daily refit
(`calibration.refit`, the `recalibrate` command and task) is such a run too, staged as a shadow:
nothing here makes a calibrator live (only a lead's promote does, `shadow.candidate_promote`).

The figures a run reports are honest about what they measure: "before" is the confidence the
live scorer gave each labelled draft; "after" is the new calibrator's, predicted out of fold
(5-fold cross-fitting), so an isotonic fit is not judged on the labels it memorised. Every
figure is weighted (`calibration.label_sets.calibration_labels`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from reviewqueue.calibration.label_sets import LabelSet, calibration_labels
from reviewqueue.calibration.labels import weighted_labels
from reviewqueue.errors import TooFewLabels
from reviewqueue.policy.models import CalibrationRun, CalibratorVersion, RunStatus
from reviewqueue.tenancy.models import Tenant
from scoring import reliability
from scoring.calibration import Calibrator
from scoring.errors import ConfigurationError

logger = logging.getLogger(__name__)

# A fit needs at least this many good and this many bad labels (the page, the fit task and
# `manage.py recalibrate` all say so when there are fewer).
MIN_LABELS_PER_CLASS = 15

FOLDS = 5
CURVE_POINTS = 60  # the trade-off curve is thinned to this many points for the chart


def _progress(run_id: int, percent: int, stage: str) -> None:
    CalibrationRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(progress=percent, stage=stage)


def _finish(run_id: int, status: str, *, message: str = "", **fields: Any) -> None:
    CalibrationRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
        status=status, progress=100, stage="", message=message, finished_at=timezone.now(), **fields
    )


def calibration_run_execute(
    run_id: int,
    *,
    progress: Callable[[int, int, str], None] = _progress,
    min_per_class: int = MIN_LABELS_PER_CLASS,
) -> str:
    """pending → running → done | refused | failed. A second delivery of the task finds the
    run no longer pending and does nothing (compare-and-swap)."""
    if not CalibrationRun.objects.filter(pk=run_id, status=RunStatus.PENDING).update(
        status=RunStatus.RUNNING, stage="Reading labels", progress=5
    ):
        return "not_pending"
    run = CalibrationRun.objects.select_related("tenant", "queue").get(pk=run_id)
    try:
        labels = calibration_labels(tenant=run.tenant, queue=run.queue, prompt_version=run.prompt_version)
        shortage = label_shortage(labels.labels, min_per_class=min_per_class)
        if shortage is not None:  # labels can change between the click and the task
            _finish(run_id, RunStatus.REFUSED, message=shortage.message, report={"counts": shortage.details})
            return "refused"
        progress(run_id, 15, f"Fitting {FOLDS} folds for honest figures")
        report = calibration_report(
            labels, method=run.method, on_fold=lambda k: progress(run_id, 15 + 12 * k, f"Fold {k} of {FOLDS} fitted")
        )
        progress(run_id, 80, "Fitting on every label")
        rows = labels.rows
        calibrator = Calibrator.fit(
            [r.raw_score for r in rows],
            [r.label for r in rows],
            method=run.method,
            meta=labels.scored_by or None,
            weights=[r.weight for r in rows],
        )
    except (ConfigurationError, ValueError) as exc:
        logger.warning("calibration fit failed", extra={"action": "calibration.fit.failed", "run_id": run_id})
        _finish(run_id, RunStatus.FAILED, message=f"The fit failed: {exc}")
        return "failed"
    scope = run.queue.name if run.queue else "all"
    # The run's id makes the version unique; the prompt version (the scope's other half) is in
    # its own column, and would not fit in 64 characters.
    version = f"{run.tenant.slug}-{scope}-{run.created_at:%Y%m%d%H%M%S}-{run.pk}"
    with transaction.atomic():
        row = CalibratorVersion.objects.create(
            tenant=run.tenant,
            queue=run.queue,
            prompt_version=run.prompt_version,
            version=version[:64],
            artefact={**calibrator.to_dict(), "version": version[:64]},
            labels_used=len(rows),
            metrics={
                "positives": sum(r.label for r in rows),
                "method": run.method,
                "scored_by": labels.scored_by,
                "prompt_version": run.prompt_version,
                "ece_after": report["after"]["ece"],
                "brier_after": report["after"]["brier"],
            },
            is_active=False,
            created_at=timezone.now(),
        )
        _finish(run_id, RunStatus.DONE, report=report, calibrator=row)
    return "done"


def _figures(y: np.ndarray, p: np.ndarray, w: np.ndarray) -> dict[str, Any]:
    return {
        "n": int(y.size),
        "ece": reliability.ece(y, p, w),
        "brier": reliability.brier(y, p, w),
        "bins": [b.__dict__ for b in reliability.reliability(y, p, w)],
    }


def out_of_fold(labels: LabelSet, *, method: str, on_fold: Callable[[int], None] | None = None) -> np.ndarray:
    """Each label's P(good) from a calibrator fitted on the other folds (deterministic folds)."""
    rows = labels.rows
    x = np.array([r.raw_score for r in rows])
    y = np.array([r.label for r in rows])
    w = np.array([r.weight for r in rows])
    fold = np.random.default_rng(0).permutation(len(rows)) % FOLDS
    out = np.empty(len(rows))
    for k in range(FOLDS):
        test = fold == k
        fitted = Calibrator.fit(x[~test], y[~test], method=method, weights=w[~test])
        out[test] = fitted.predict(x[test])
        if on_fold is not None:
            on_fold(k + 1)
    return np.clip(out, 0.0, 1.0)


def calibration_report(
    labels: LabelSet, *, method: str, on_fold: Callable[[int], None] | None = None
) -> dict[str, Any]:
    rows = labels.rows
    y = np.array([r.label for r in rows], dtype=float)
    w = np.array([r.weight for r in rows])
    after = out_of_fold(labels, method=method, on_fold=on_fold)
    known = np.array([r.confidence is not None for r in rows])
    before_p = np.array([r.confidence if r.confidence is not None else 0.0 for r in rows])
    before = _figures(y[known], before_p[known], w[known]) if known.any() else None
    histogram = [[0.0, 0.0] for _ in range(reliability.BINS)]  # per bin of P(good) after: [good, bad] weight
    for p, label, weight in zip(after, y, w, strict=True):
        b = min(int(p * reliability.BINS), reliability.BINS - 1)
        histogram[b][0 if label == 1 else 1] += float(weight)
    curve = reliability.tradeoff(y, after, w)
    step = max(1, len(curve) // CURVE_POINTS)
    thinned = curve[::step] + ([curve[-1]] if (len(curve) - 1) % step else [])
    return {
        "counts": {"good": int(y.sum()), "bad": int((1 - y).sum()), "weight": float(w.sum())},
        "before": before,
        "after": _figures(y, after, w),
        "histogram": histogram,
        "tradeoff": [t.__dict__ for t in thinned],
    }


def labelled_scores(*, tenant: Tenant) -> tuple[list[float], list[int], dict[str, str]]:
    """(raw score, 1 if the draft was good to send as written) for the tenant's labelled drafts,
    and the model and fusion versions those raw scores came from: `weighted_labels` without the
    weights (labels derived once, in reviewqueue/calibration/labels.py)."""
    labelled = weighted_labels(tenant)
    return labelled.scores, labelled.labels, labelled.scored_by


def label_shortage(labels: list[int], *, min_per_class: int = MIN_LABELS_PER_CLASS) -> TooFewLabels | None:
    """The error to show when there are too few good or too few bad labels to fit on; None
    when there are enough. One rule and one message for the page, the task and `recalibrate`."""
    good = sum(1 for v in labels if v == 1)
    bad = len(labels) - good
    if good >= min_per_class and bad >= min_per_class:
        return None
    return TooFewLabels(
        f"Too few labels to fit a calibrator: {good} good and {bad} bad; at least {min_per_class} "
        f"of each are needed (approved drafts are good; edited or rejected ones are bad).",
        details={"good": good, "bad": bad, "needed_per_class": min_per_class},
    )
