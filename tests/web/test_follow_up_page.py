"""The review page of a follow-up item: it says what it is, offers no Reject, and the queue view
marks it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from reviewqueue.intake import routing
from reviewqueue.review import services
from reviewqueue.review.models import Decision, ReviewItem
from tests.factories import make_draft
from tests.web.helpers import body

pytestmark = pytest.mark.django_db


def test_follow_up_item_page(world, client_for, clock) -> None:
    world.queue.follow_up_on_block = True
    world.queue.save(update_fields=["follow_up_on_block"])
    draft = make_draft(world, queue=world.queue)
    now = timezone.now()
    routing.draft_record_score(draft_id=draft.pk, score=None, confidence=0.05, versions={}, now=now)
    routing.draft_route(
        draft_id=draft.pk, decision=Decision.BLOCK, reasons=["x"], queue=world.queue, priority=0.3, now=now
    )
    item = ReviewItem.objects.get(draft=draft)
    client = client_for(world.reviewer)
    assert "follow-up</span>" in body(client.get(reverse("web:queue", args=[world.queue.pk])))
    services.review_item_claim(user=world.reviewer, item_id=item.pk, now=timezone.now())
    html = body(client.get(reverse("web:item", args=[item.pk])))
    assert 'id="follow-up-note"' in html and "cannot be rejected" in html
    assert 'data-open-dialog="reject-dialog"' not in html and 'data-open-dialog="approve-dialog"' in html
    response = client.post(reverse("web:item_reject", args=[item.pk]), {"reason_code": "unsafe"})
    assert response.status_code == 400 and "A follow-up cannot be rejected" in body(response)
