"""The estimated escape rate: the share of auto-sent drafts that were bad, with a Wilson interval,
from the audit sample and outcome feedback, weighted as `reviewqueue/calibration/labels.py` says.

The auto-sent drafts of a group (N, known exactly) fall in two strata:

- **reported** (A): a service reported negative feedback. Every one is seen and bad.
- **unreported** (B, N − A): estimated from its audited drafts, each weighed by 1 / its audit
  probability (a Hájek ratio: Σ w·bad / Σ w, so a share changed mid-window is still weighted
  right). The Wilson interval uses Kish's effective sample size (Σ w)² / Σ w², which is the
  plain count when every weight is the same.

Escape rate = (A + (N − A) · p̂_B) / N, and the interval maps the same way. With no audit in B
the rate is unknown: only its floor A / N is known, so the interval is [A / N, 1] and the page
says "no audit yet" rather than showing the floor as if it were the rate.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count

from reviewqueue.calibration.labels import AUDIT, FEEDBACK, DraftLabel, draft_labels, may_be_labelled
from reviewqueue.review.models import Decision, Draft, Queue

Z_95 = 1.959963984540054  # the two-sided 95 % normal quantile


def wilson_interval(p: float, n: float, *, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for a proportion `p` observed on `n` (possibly effective, so
    fractional) trials; (0, 1) when n is 0."""
    if n <= 0:
        return 0.0, 1.0
    z2 = z * z
    denominator = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class EscapeEstimate:
    auto_sent: int  # N: drafts auto-sent in the group
    reported_bad: int  # A: of them, reported by feedback
    audited: int  # labelled audits of unreported drafts
    audited_bad: int
    effective_n: float  # Kish's effective size of the audit sample
    rate: float | None  # None: no audit of the unreported drafts yet
    low: float
    high: float


def escape_estimate(*, auto_sent: int, labels: Iterable[DraftLabel], z: float = Z_95) -> EscapeEstimate:
    """The group's escape rate from its `auto_sent` count and the labels of its auto-sent drafts
    (feedback and audit labels; any other source is ignored: an auto-sent draft has no review)."""
    reported = 0
    weight_sum = weight_sq = bad_weight = 0.0
    audited = audited_bad = 0
    for label in labels:
        if label.source == FEEDBACK:
            reported += 1
        elif label.source == AUDIT:
            audited += 1
            audited_bad += int(label.bad)
            weight_sum += label.weight
            weight_sq += label.weight * label.weight
            bad_weight += label.weight * int(label.bad)
    n = max(auto_sent, reported)  # a group cannot have more reports than drafts
    if n == 0:
        return EscapeEstimate(0, 0, audited, audited_bad, 0.0, None, 0.0, 1.0)
    unreported = n - reported
    if audited == 0:
        return EscapeEstimate(n, reported, 0, 0, 0.0, None, reported / n, 1.0)
    p_hat = bad_weight / weight_sum
    effective = weight_sum * weight_sum / weight_sq
    lo, hi = wilson_interval(p_hat, effective, z=z)
    return EscapeEstimate(
        auto_sent=n,
        reported_bad=reported,
        audited=audited,
        audited_bad=audited_bad,
        effective_n=effective,
        rate=(reported + unreported * p_hat) / n,
        low=(reported + unreported * lo) / n,
        high=(reported + unreported * hi) / n,
    )


@dataclass(frozen=True)
class EscapeRow:
    queue: str  # "" for all queues
    prompt_version: str | None  # None for all prompt versions of the queue
    estimate: EscapeEstimate


ALL = ""


def escape_rates(*, tenant_ids: Iterable[int], since: datetime, until: datetime) -> list[EscapeRow]:
    """Escape estimates of the drafts auto-sent in [since, until), per routing queue and prompt
    version, per queue over all its prompt versions, and over everything (queue ALL, first)."""
    tenant_ids = list(tenant_ids)
    queues = Queue.objects.filter(tenant_id__in=tenant_ids).select_related("tenant")
    # A lead of several tenants sees "tenant/queue": queue names are unique only per tenant.
    names = {q.pk: f"{q.tenant.slug}/{q.name}" if len(tenant_ids) > 1 else q.name for q in queues}
    default = {q.tenant_id: names[q.pk] for q in queues if q.is_default}

    def queue_of(tenant_id: int, requested_id: int | None) -> str:
        return names.get(requested_id, "") if requested_id is not None else default.get(tenant_id, "")

    auto_sent = Draft.objects.filter(
        tenant_id__in=tenant_ids, decision=Decision.AUTO_SEND, created_at__gte=since, created_at__lt=until
    )
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for row in auto_sent.values("tenant_id", "requested_queue_id", "prompt_version").annotate(n=Count("pk")):
        counts[(queue_of(row["tenant_id"], row["requested_queue_id"]), row["prompt_version"])] += row["n"]
    labels: dict[tuple[str, str], list[DraftLabel]] = defaultdict(list)
    for draft, label in draft_labels(may_be_labelled(auto_sent)):
        labels[(queue_of(draft.tenant_id, draft.requested_queue_id), draft.prompt_version)].append(label)

    def estimate(keys: list[tuple[str, str]]) -> EscapeEstimate:
        return escape_estimate(
            auto_sent=sum(counts[k] for k in keys), labels=[lab for k in keys for lab in labels.get(k, [])]
        )

    groups = sorted(set(counts) | set(labels))
    rows = [EscapeRow(ALL, None, estimate(groups))]
    for queue in sorted({q for q, _ in groups}):
        mine = [k for k in groups if k[0] == queue]
        rows.append(EscapeRow(queue, None, estimate(mine)))
        if len(mine) > 1 or mine[0][1]:
            rows.extend(EscapeRow(queue, version, estimate([(queue, version)])) for _, version in mine)
    return rows
