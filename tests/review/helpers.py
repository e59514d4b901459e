"""Shared assertions for the review workflow tests."""

from __future__ import annotations

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.review.models import Draft, ReviewItem


def event_types(item: ReviewItem) -> list[str]:
    return list(ReviewEvent.objects.filter(item=item).order_by("id").values_list("type", flat=True))


def last_event(item: ReviewItem) -> ReviewEvent:
    event = ReviewEvent.objects.filter(item=item).order_by("-id").first()
    assert event is not None
    return event


def row_counts() -> tuple[int, int, int]:
    return Draft.objects.count(), ReviewItem.objects.count(), ReviewEvent.objects.count()
