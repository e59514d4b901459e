from django.utils import timezone

from reviewqueue.review import services
from tests.factories import make_pending_item


def test_claim_and_approve(world):
    item = make_pending_item(world)
    now = timezone.now()
    claimed = services.review_item_claim_next(user=world.reviewer, now=now)
    assert claimed is not None and claimed.pk == item.pk
    done = services.review_item_submit(user=world.reviewer, item_id=item.pk, disposition="approved", now=now)
    assert done.state == "resolved"
    done.draft.refresh_from_db()
    assert done.draft.status == "decided" and done.draft.outcome == "sent_draft"
