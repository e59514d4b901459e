"""Resolved items sampled for a second review, built through the services."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User

from reviewqueue.agreement.models import SecondReview
from reviewqueue.ops.services import double_review_share_set
from reviewqueue.review import services
from reviewqueue.review.models import ReviewItem
from tests.factories import World, make_pending_item


def sample_everything(world: World, now: datetime) -> None:
    double_review_share_set(acting_user=world.lead, queue_id=world.queue.pk, share=1.0, now=now)


def resolve(world: World, *, reviewer: User, disposition: str, now: datetime) -> ReviewItem:
    make_pending_item(world, now=now)
    item = services.review_item_claim_next(user=reviewer, now=now)
    assert item is not None
    extra = {"approved": {}, "edited": {"final_text": "A better answer."}, "rejected": {"reason_code": "off_policy"}}
    return services.review_item_submit(
        user=reviewer, item_id=item.pk, disposition=disposition, now=now, note="first note", **extra[disposition]
    )


def second_for(item: ReviewItem) -> SecondReview:
    return SecondReview.objects.get(first_item=item)
