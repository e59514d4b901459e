"""Draft-level labels: the one derivation of "was this draft good enough to send as written", and
the weights that keep estimates built on labels honest. Reads only.

Where a label comes from, first match wins:

1. **feedback** — a service reported the customer reopened, complained or had the answer
   corrected (`DraftFeedback`) and the draft went out as written (`outcome = sent_draft`):
   *bad*. Feedback on an edited answer or on the fallback is about what a person sent instead,
   so it does not label the draft.
2. **review** — the draft's own review (routing held it): the last item of its chain, so an
   escalated item takes the outcome of the item it was escalated to. approved = *good*;
   edited or rejected = *bad*, with the reason code and the edit. Expired = no label.
3. **audit** — the blind audit item (reviewqueue/review/audit_sampling.py), read the same way.
4. Otherwise the draft has no label.

## Weights (inverse sampling probability)

A label is weighed by 1 / the probability that the draft got a label of its kind, so that the
labelled drafts stand for all the routed ones (Horvitz–Thompson):

- **review**: weight 1. Every held draft is reviewed (probability 1); one whose item expired
  is missing, which no weight can repair (it is reported as unlabelled, not guessed).
- **audit**: weight 1 / `audit_probability` (the queue's audit share when the draft was sent).
  With a share of 5 %, one audited auto-sent draft stands for twenty.
- **feedback**: weight 1. Complaints are not a sample: every reported draft is seen, so the
  reported ones are a census of their own stratum. The audit sample then estimates only the
  *unreported* drafts: an audited draft that is later reported counts once, as feedback. Since
  the audit draw was made at send time, before any feedback, the audited unreported drafts are
  still a fair sample of all unreported ones, which keeps the two strata together unbiased.
  (Counting feedback labels *as if* they were audits, or unweighted beside them, overstates
  the bad share: complaints find bad drafts far more often than chance does.)

Blocked drafts are never sent, audited or labelled: calibration sees nothing below the block
threshold, and says so nowhere else than here.

The calibration fit calls `weighted_labels`; the export (`GET /api/v1/labels`,
`manage.py export_labels`) and the escape estimate (`reviewqueue/calibration/escape.py`) read
`draft_labels`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Q, QuerySet

from reviewqueue.agreement.selectors import AdjudicatedLabel, adjudicated_labels
from reviewqueue.calibration.models import DraftFeedback
from reviewqueue.intake.scores import stored_score
from reviewqueue.review.models import (
    BAD_DISPOSITIONS,
    GOOD_DISPOSITIONS,
    Disposition,
    Draft,
    ItemState,
    Outcome,
    Queue,
    ReviewItem,
)
from reviewqueue.tenancy.models import Tenant
from scoring.calibration import FITTED_FOR
from scoring.results import ScoreResult

GOOD, BAD = GOOD_DISPOSITIONS, BAD_DISPOSITIONS
LABELLING = (*GOOD, *BAD)

FEEDBACK, REVIEW, AUDIT = "feedback", "review", "audit"
CHUNK = 500  # drafts read per round trip while iterating


@dataclass(frozen=True)
class DraftLabel:
    """One draft's label, where it came from and its weight (see the module docstring)."""

    draft_id: int
    good: bool
    source: str  # feedback | review | audit
    weight: float
    sampling_probability: float
    labelled_at: datetime
    disposition: str = ""  # of the labelling item; "" for feedback
    reason_code: str = ""
    edit: str = ""  # the reviewer's edited text, or the service's corrected text
    reviewer: User | None = None
    feedback: tuple[str, ...] = field(default=())  # every kind reported, whatever the source

    @property
    def bad(self) -> bool:
        return not self.good


def _final(chain: Sequence[ReviewItem]) -> ReviewItem | None:
    """The chain's last item if it resolved with a labelling disposition (escalations hand on)."""
    if not chain:
        return None
    last = chain[-1]
    if last.state == ItemState.RESOLVED and last.disposition in LABELLING:
        return last
    return None


def derive_label(draft: Draft, items: Sequence[ReviewItem], feedback: Sequence[DraftFeedback]) -> DraftLabel | None:
    """The draft's label from its review items (any order) and feedback rows. Pure."""
    ordered = sorted(items, key=lambda i: (i.created_at, i.pk))
    kinds = tuple(sorted({f.kind for f in feedback}))
    if feedback and draft.outcome == Outcome.SENT_DRAFT:
        first = min(feedback, key=lambda f: (f.created_at, f.pk))
        return DraftLabel(
            draft_id=draft.pk,
            good=False,
            source=FEEDBACK,
            weight=1.0,
            sampling_probability=1.0,
            labelled_at=first.created_at,
            edit=first.corrected_text,
            feedback=kinds,
        )
    review = _final([i for i in ordered if i.audit_probability is None])
    audit = _final([i for i in ordered if i.audit_probability is not None])
    item = review or audit
    if item is None:
        return None
    probability = 1.0 if review is not None else float(item.audit_probability or 1.0)
    assert item.resolved_at is not None  # resolved, by the item_resolved_iff_disposition constraint
    return DraftLabel(
        draft_id=draft.pk,
        good=item.disposition in GOOD,
        source=REVIEW if review is not None else AUDIT,
        weight=1.0 / probability,
        sampling_probability=probability,
        labelled_at=item.resolved_at,
        disposition=item.disposition,
        reason_code=item.reason_code,
        edit=item.final_text if item.disposition == Disposition.EDITED else "",
        reviewer=item.reviewer,
        feedback=kinds,
    )


def _ruled(label: DraftLabel, ruling: AdjudicatedLabel | None) -> DraftLabel:
    """A lead's ruling on a double-reviewed draft (reviewqueue/agreement) wins over the first
    reviewer's disposition; a customer's report on the sent draft still wins over both."""
    if ruling is None or label.source == FEEDBACK:
        return label
    return replace(label, good=ruling.label == "good")


# --- which drafts ---------------------------------------------------------------------------


def in_queue(queue: Queue) -> Q:
    """Drafts whose routing queue is `queue` (the one named at enqueue, else the default)."""
    named = Q(requested_queue=queue)
    return named | Q(requested_queue__isnull=True) if queue.is_default else named


def may_be_labelled(drafts: QuerySet[Draft]) -> QuerySet[Draft]:
    """Those of `drafts` with a resolved review (or audit) or feedback: the only ones that can
    carry a label, so iterating skips the (many) auto-sent drafts nobody looked at."""
    resolved = ReviewItem.objects.filter(draft=OuterRef("pk"), state=ItemState.RESOLVED, disposition__in=LABELLING)
    reported = DraftFeedback.objects.filter(draft=OuterRef("pk"))
    return drafts.filter(Exists(resolved) | Exists(reported))


def labelled_drafts(
    tenant: Tenant,
    *,
    queue: Queue | None = None,
    prompt_version: str | None = None,
    model: str | None = None,
    fusion: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[Draft]:
    """The tenant's drafts that may carry a label (a resolved review or feedback), filtered:
    routing queue, prompt version, scoring model and fusion versions, created in [since, until)."""
    drafts = may_be_labelled(Draft.objects.filter(tenant=tenant))
    if queue is not None:
        drafts = drafts.filter(in_queue(queue))
    if prompt_version is not None:
        drafts = drafts.filter(prompt_version=prompt_version)
    if model is not None:
        drafts = drafts.filter(versions__model=model)
    if fusion is not None:
        drafts = drafts.filter(versions__fusion=fusion)
    if since is not None:
        drafts = drafts.filter(created_at__gte=since)
    if until is not None:
        drafts = drafts.filter(created_at__lt=until)
    return drafts


def draft_labels(
    drafts: QuerySet[Draft], *, after: int | None = None, limit: int | None = None
) -> Iterator[tuple[Draft, DraftLabel]]:
    """(draft, label) for the labelled drafts of `drafts`, by id, from the id after `after`,
    reading at most `limit` drafts (a page; unlabelled ones use up the page without a row).
    Reads CHUNK drafts, their items and feedback per round trip: flat memory, any size."""
    cursor, left = after or 0, limit
    while left is None or left > 0:
        size = CHUNK if left is None else min(CHUNK, left)
        chunk = list(drafts.filter(pk__gt=cursor).select_related("requested_queue").order_by("pk")[:size])
        if not chunk:
            return
        ids = [d.pk for d in chunk]
        items: dict[int, list[ReviewItem]] = defaultdict(list)
        for item in ReviewItem.objects.filter(draft_id__in=ids).select_related("reviewer"):
            items[item.draft_id].append(item)
        feedback: dict[int, list[DraftFeedback]] = defaultdict(list)
        for row in DraftFeedback.objects.filter(draft_id__in=ids):
            feedback[row.draft_id].append(row)
        rulings = adjudicated_labels(draft_ids=ids)
        for draft in chunk:
            label = derive_label(draft, items[draft.pk], feedback[draft.pk])
            if label is not None:
                yield draft, _ruled(label, rulings.get(draft.pk))
        cursor = chunk[-1].pk
        if left is not None:
            left -= len(chunk)
        if len(chunk) < size:
            return


# --- for the calibration fit ----------------------------------------------------------------


@dataclass(frozen=True)
class WeightedLabels:
    """Parallel lists, one entry per labelled draft scored by `scored_by` (newest first)."""

    draft_ids: list[int]
    scores: list[float]  # the fused raw score the calibrator maps
    labels: list[int]  # 1 = good (sent as written would have been fine), 0 = bad
    weights: list[float]  # 1 / sampling probability (module docstring)
    sources: list[str]  # feedback | review | audit
    confidences: list[float | None]  # what the live calibrator gave each draft (the "before" figures)
    scored_by: dict[str, str]  # the model and fusion versions every score came from

    def __len__(self) -> int:
        return len(self.labels)


def scorer_versions(score: ScoreResult) -> dict[str, str]:
    """The versions a raw score depends on (the calibrator's FITTED_FOR keys)."""
    return {k: v for k, v in score.versions.items() if k in FITTED_FOR}


def weighted_labels(
    tenant: Tenant,
    *,
    queue: Queue | None = None,
    prompt_version: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> WeightedLabels:
    """Scores, labels and inverse-probability weights to fit a calibrator (or pick thresholds) on.

    Every labelled draft of the tenant (optionally of one routing queue, one prompt version,
    created in [since, until)) whose score has a numeric `raw_score`, with the label and weight
    of `derive_label` (module docstring: review 1, audit 1 / share, feedback 1). A raw score
    means something only for the model and fusion that produced it, so only the drafts scored
    like the most recently scored labelled one are returned, and `scored_by` names those versions:
    after a scorer upgrade, labels on old scores would calibrate the new ones wrongly.
    Pass `weights` to the fit (`scoring.calibration.Calibrator.fit(..., weights=...)`).
    """
    drafts = labelled_drafts(tenant, queue=queue, prompt_version=prompt_version, since=since, until=until)
    rows: list[tuple[datetime | None, int, float, dict[str, str], DraftLabel, float | None]] = []
    for draft, label in draft_labels(drafts):
        score = stored_score(draft.score)
        if score is None:
            continue  # scoring failed: no score to calibrate
        rows.append((draft.scored_at, draft.pk, score.raw_score, scorer_versions(score), label, draft.confidence))
    # Newest scored first (unscored last): the scorer of the first row is the one kept.
    rows.sort(key=lambda r: (r[0] is not None, r[0] or datetime.min.replace(tzinfo=UTC), r[1]), reverse=True)
    scored_by = rows[0][3] if rows else {}
    kept = [r for r in rows if r[3] == scored_by]
    return WeightedLabels(
        draft_ids=[r[1] for r in kept],
        scores=[r[2] for r in kept],
        labels=[1 if r[4].good else 0 for r in kept],
        weights=[r[4].weight for r in kept],
        sources=[r[4].source for r in kept],
        confidences=[r[5] for r in kept],
        scored_by=scored_by,
    )
