"""Replay the last N days of traffic under a candidate policy and/or calibrator: which decisions
would change, the predicted escape rate among what would be auto-sent, and the workload per day.

Reads only. Every draft is decided again by the real router (`replay.decide_again`) from the
score stored with it; labels (weighted, `calibration.label_sets.calibration_labels`) say how the drafts whose
decision would change actually turned out.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from reviewqueue.calibration.label_sets import LabelSet
from reviewqueue.calibration.replay import decide_again
from reviewqueue.intake.drafts import draft_input
from reviewqueue.intake.routing import target_queue
from reviewqueue.intake.scores import stored_score
from reviewqueue.ops.selectors import reviewer_load
from reviewqueue.review.models import Decision, Draft, DraftStatus, Queue
from reviewqueue.tenancy.models import Tenant
from scoring.calibration import Calibrator
from scoring.policy import RoutingPolicy

MAX_DAYS = 90
MAX_REPLAYED = 5000  # the most recent drafts of the window; the page says when it stopped there
CHANGES_SHOWN = 50
REVIEW = (Decision.QUEUE_FOR_REVIEW, Decision.AUTO_DRAFT_HUMAN_SEND)


@dataclass(frozen=True)
class Workload:
    auto_sent: float  # per day
    for_review: float
    blocked: float
    reviewer_hours: float | None  # per day, at the measured handling time; None if never measured


@dataclass(frozen=True)
class ChangedDraft:
    draft_id: int
    live: str
    candidate: str
    live_confidence: float | None
    candidate_confidence: float
    label: int | None  # 1 good, 0 bad, None unlabelled


@dataclass(frozen=True)
class Simulation:
    days: int
    replayed: int
    skipped: int  # drafts without a readable stored score (routed to review either way)
    truncated: bool
    changed: int
    transitions: list[tuple[str, str, int]]  # (live, candidate, count) for changed decisions
    changes: list[ChangedDraft]
    live: Workload
    candidate: Workload
    handling_seconds: float | None
    predicted_escape: float | None  # mean P(bad) among the drafts the candidate auto-sends
    labelled_escape: float | None  # weighted bad share among labelled drafts it auto-sends
    labelled_auto_n: int
    changed_labels: dict[str, int] = field(default_factory=dict)  # good/bad/unlabelled among changes


def _workload(counts: Counter[str], days: int, handling: float | None) -> Workload:
    review = sum(counts[d] for d in REVIEW)
    return Workload(
        auto_sent=counts[Decision.AUTO_SEND] / days,
        for_review=review / days,
        blocked=counts[Decision.BLOCK] / days,
        reviewer_hours=None if handling is None else review * handling / 3600 / days,
    )


def policy_simulate(
    *,
    tenant: Tenant,
    now: datetime,
    days: int,
    labels: LabelSet,
    policy: RoutingPolicy | None = None,
    calibrator: Calibrator | None = None,
    queue: Queue | None = None,
) -> Simulation:
    span = timedelta(days=days)
    drafts = list(
        Draft.objects.filter(
            tenant=tenant,
            status__in=[DraftStatus.ROUTED, DraftStatus.DECIDED],
            routed_at__gt=now - span,
            routed_at__lte=now,
        )
        .exclude(decision="")
        .select_related("requested_queue")
        .order_by("-routed_at", "-pk")[: MAX_REPLAYED + 1]
    )
    truncated = len(drafts) > MAX_REPLAYED
    drafts = drafts[:MAX_REPLAYED]
    by_draft = {r.draft_id: r for r in labels.rows}
    live_counts: Counter[str] = Counter()
    cand_counts: Counter[str] = Counter()
    transitions: Counter[tuple[str, str]] = Counter()
    changes: list[ChangedDraft] = []
    changed_labels: Counter[str] = Counter()
    skipped = 0
    p_bad: list[float] = []
    lab_w = lab_bad = 0.0
    lab_n = 0
    for draft in drafts:
        draft_queue = target_queue(draft)
        if queue is not None and (draft_queue is None or draft_queue.pk != queue.pk):
            continue
        result = stored_score(draft.score)
        if result is None:
            skipped += 1
            live_counts[draft.decision] += 1
            cand_counts[draft.decision] += 1
            continue
        action, _, confidence = decide_again(
            draft, draft_queue, result=result, inputs=draft_input(draft), calibrator=calibrator, policy=policy
        )
        live_counts[draft.decision] += 1
        cand_counts[action] += 1
        label = by_draft.get(draft.pk)
        if action == Decision.AUTO_SEND:
            p_bad.append(1.0 - confidence)
            if label is not None:
                lab_w += label.weight
                lab_bad += label.weight * (1 - label.label)
                lab_n += 1
        if action != draft.decision:
            transitions[(draft.decision, action)] += 1
            changed_labels["unlabelled" if label is None else ("good" if label.label else "bad")] += 1
            if len(changes) < CHANGES_SHOWN:
                changes.append(
                    ChangedDraft(
                        draft.pk,
                        draft.decision,
                        action,
                        draft.confidence,
                        confidence,
                        None if label is None else label.label,
                    )
                )
    handling = reviewer_load(
        queues=[queue] if queue is not None else list(Queue.objects.filter(tenant=tenant)), now=now, span=span
    ).team.handling_p50
    return Simulation(
        days=days,
        replayed=sum(live_counts.values()),
        skipped=skipped,
        truncated=truncated,
        changed=sum(transitions.values()),
        transitions=[(a, b, n) for (a, b), n in transitions.most_common()],
        changes=changes,
        live=_workload(live_counts, days, handling),
        candidate=_workload(cand_counts, days, handling),
        handling_seconds=handling,
        predicted_escape=math.fsum(p_bad) / len(p_bad) if p_bad else None,
        labelled_escape=lab_bad / lab_w if lab_w > 0 else None,
        labelled_auto_n=lab_n,
        changed_labels=dict(changed_labels),
    )
