"""Reads for double review: what a second reviewer may see, agreement figures, the disputes
awaiting a lead, and — the one place to read it — the label a lead's ruling gave a draft."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from reviewqueue.agreement.models import DoubleReviewShare, Label, SecondReview, SecondReviewState
from reviewqueue.agreement.stats import cohen_kappa, raw_agreement
from reviewqueue.errors import Forbidden, NotFound
from reviewqueue.review.models import BAD_DISPOSITIONS, GOOD_DISPOSITIONS, Disposition, Queue
from reviewqueue.review.selectors import queues_for_user
from reviewqueue.tenancy.models import Membership


def label_of(disposition: str) -> str | None:
    """The draft-level label a disposition means: approved unchanged = good, edited or rejected
    = bad (the calibration fit's mapping, `review.models.GOOD_DISPOSITIONS`/`BAD_DISPOSITIONS`); None otherwise."""
    if disposition in GOOD_DISPOSITIONS:
        return Label.GOOD
    if disposition in BAD_DISPOSITIONS:
        return Label.BAD
    return None


def default_share() -> float:
    """The share of queues a lead has set none for (REVIEWQUEUE_SECOND_REVIEW_SHARE)."""
    return float(settings.REVIEWQUEUE_SECOND_REVIEW_SHARE)


def queue_share(*, queue: Queue) -> float:
    """The queue's second-review share: its own row, else the default."""
    share = DoubleReviewShare.objects.filter(queue_id=queue.pk).values_list("share", flat=True).first()
    return default_share() if share is None else float(share)


def second_review_for_user(*, user: User, review_id: int, for_update: bool = False) -> SecondReview:
    """The second review if the user may act on it: 404 across tenants (no existence leak),
    403 to a non-reviewer of the queue and to the first reviewer (it is blind and never theirs)."""
    qs = SecondReview.objects.select_related("queue", "draft", "first_item")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    review = qs.filter(pk=review_id).first()
    if review is None or not Membership.objects.filter(user=user, tenant_id=review.queue.tenant_id).exists():
        raise NotFound(f"Second review {review_id} does not exist.")
    if not user.groups.filter(pk=review.queue.reviewer_group_id).exists():
        raise Forbidden("You are not a reviewer in this queue.")
    if review.first_reviewer_id == user.pk:
        raise Forbidden("You reviewed this draft the first time; a second review is someone else's.")
    return review


def open_second_reviews(*, user: User, now: datetime) -> int:
    """How many second reviews this user could claim now (for the reviewer's link)."""
    claimable = Q(state=SecondReviewState.PENDING) | Q(state=SecondReviewState.CLAIMED, lease_expires_at__lte=now)
    return (
        SecondReview.objects.filter(claimable, queue__in=queues_for_user(user).select_related(None).order_by())
        .exclude(first_reviewer=user)
        .count()
    )


# A resolved second review whose label differs from the first review's label.
DISAGREE = (Q(first_item__disposition=Disposition.APPROVED) & ~Q(disposition=Disposition.APPROVED)) | (
    ~Q(first_item__disposition=Disposition.APPROVED) & Q(disposition=Disposition.APPROVED)
)


def resolved_second_reviews(*, tenant_ids: Iterable[int], since: datetime | None = None) -> QuerySet[SecondReview]:
    qs = SecondReview.objects.filter(state=SecondReviewState.RESOLVED, queue__tenant_id__in=list(tenant_ids))
    if since is not None:
        qs = qs.filter(resolved_at__gte=since)
    return qs


@dataclass(frozen=True)
class AgreementRow:
    key: str  # the queue's name, or "first reviewer ↔ second reviewer"
    n: int
    agreed: int
    raw: float | None
    kappa: float | None
    queue_id: int | None = None


def _row(key: str, pairs: list[tuple[str, str]], queue_id: int | None = None) -> AgreementRow:
    return AgreementRow(
        key=key,
        n=len(pairs),
        agreed=sum(1 for a, b in pairs if a == b),
        raw=raw_agreement(pairs),
        kappa=cohen_kappa(pairs),
        queue_id=queue_id,
    )


@dataclass(frozen=True)
class Agreement:
    overall: AgreementRow
    queues: list[AgreementRow]
    pairs: list[AgreementRow]


def agreement(*, tenant_ids: Iterable[int], since: datetime | None = None) -> Agreement:
    """Raw agreement and Cohen's κ on the draft-level label (good/bad) between first and second
    reviewers: over all, per queue, and per reviewer pair (the pair unordered: who happened to
    review first is chance). One query."""
    rows = (
        resolved_second_reviews(tenant_ids=tenant_ids, since=since)
        .select_related("queue", "first_reviewer", "reviewer")
        .only(
            "disposition",
            "queue__name",
            "queue__id",
            "first_item__disposition",
            "first_reviewer__username",
            "reviewer__username",
        )
        .select_related("first_item")
        .order_by("queue__name", "pk")
    )
    everything: list[tuple[str, str]] = []
    by_queue: dict[tuple[str, int], list[tuple[str, str]]] = defaultdict(list)
    by_pair: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in rows:
        first, second = label_of(r.first_item.disposition), label_of(r.disposition)
        if first is None or second is None:
            continue
        pair = (first, second)
        everything.append(pair)
        by_queue[(r.queue.name, r.queue.pk)].append(pair)
        assert r.reviewer is not None  # resolved ⇒ reviewer (second_resolved_iff_disposition)
        names = sorted([r.first_reviewer.get_username(), r.reviewer.get_username()])
        by_pair[f"{names[0]} ↔ {names[1]}"].append(pair)
    return Agreement(
        overall=_row("all queues", everything),
        queues=[_row(name, pairs, pk) for (name, pk), pairs in sorted(by_queue.items())],
        pairs=[_row(key, pairs) for key, pairs in sorted(by_pair.items())],
    )


def disputes(*, tenant_ids: Iterable[int], adjudicated: bool = False) -> QuerySet[SecondReview]:
    """Second reviews whose label differs from the first: awaiting a lead (or, with
    `adjudicated`, already ruled on), oldest first."""
    return (
        resolved_second_reviews(tenant_ids=tenant_ids)
        .filter(DISAGREE, adjudicated_at__isnull=not adjudicated)
        .select_related("queue", "draft", "first_item", "first_reviewer", "reviewer", "adjudicated_by")
        .order_by("resolved_at", "pk")
    )


@dataclass(frozen=True)
class AdjudicatedLabel:
    label: str  # good | bad
    by_user_id: int
    at: datetime
    second_review_id: int


def adjudicated_labels(*, draft_ids: Iterable[int]) -> dict[int, AdjudicatedLabel]:
    """The label a lead's ruling gave each of these drafts, where one did: it overrides the label
    derived from the first review's disposition. The labels export and the calibration fit read
    a draft's final label here. One query."""
    rows = SecondReview.objects.filter(draft_id__in=list(draft_ids), adjudicated_at__isnull=False).values_list(
        "draft_id", "adjudicated_label", "adjudicated_by_id", "adjudicated_at", "pk"
    )
    # adjudicated_at is set on every row read (the filter), and so is its ruling
    # (second_adjudicated_when_resolved).
    return {d: AdjudicatedLabel(label, by, at, pk) for d, label, by, at, pk in rows if at is not None}
