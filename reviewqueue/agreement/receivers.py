"""How double review joins the review flow, which does not know of it: the review package's
submit signal opens a sampled second review, and a visibility guard keeps a first review blind."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.dispatch import receiver

from reviewqueue.agreement.models import SecondReview, SecondReviewState
from reviewqueue.agreement.services import second_review_open
from reviewqueue.errors import Forbidden
from reviewqueue.review.models import ItemState, ReviewItem
from reviewqueue.review.signals import review_item_submitted


@receiver(review_item_submitted)
def open_second_review(*, item: ReviewItem, now: datetime, **kwargs: Any) -> None:
    """Sent inside the submit's transaction: a sampled item always has its second review, never half."""
    second_review_open(item=item, now=now)


def blind_until_second_review(item: ReviewItem, user: User | AnonymousUser) -> None:
    """A resolved item sampled for a blind second review shows its disposition to nobody in the
    queue but its own reviewer until the second review is in: any of them may be the second.
    Only resolved items pay this read (claims, heartbeats and submits are on open items)."""
    if (
        item.state == ItemState.RESOLVED
        and item.reviewer_id != user.pk
        and SecondReview.objects.filter(first_item=item).exclude(state=SecondReviewState.RESOLVED).exists()
    ):
        raise Forbidden("This item waits for a blind second review; its first review stays hidden until then.")
