"""The blind second review: sampling on submit, claim-next never hands it to the first reviewer,
the database refuses the same person twice, nothing of the first review leaks, submit, release,
lapsed leases, and adjudication overriding both reviewers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from reviewqueue.agreement import selectors
from reviewqueue.agreement.models import SecondReview
from reviewqueue.agreement.services import (
    sampled_for_second_review,
    second_review_adjudicate,
    second_review_claim_next,
    second_review_release,
    second_review_submit,
)
from reviewqueue.audit.models import ReviewEvent
from reviewqueue.errors import Forbidden, InvalidInput, InvalidState, LeaseLost, NotFound
from reviewqueue.review import services
from tests.agreement.helpers import resolve, sample_everything, second_for
from tests.conftest import T0
from tests.factories import make_pending_item

pytestmark = pytest.mark.django_db


def test_share_zero_samples_nothing_and_share_one_everything(world, clock) -> None:
    item = resolve(world, reviewer=world.reviewer, disposition="approved", now=T0)
    assert not SecondReview.objects.filter(first_item=item).exists()
    sample_everything(world, T0)
    item = resolve(world, reviewer=world.reviewer, disposition="edited", now=T0)
    review = second_for(item)
    assert review.state == "pending" and review.first_reviewer == world.reviewer and review.sampled_share == 1.0
    opened = ReviewEvent.objects.get(item=item, type="review.second.opened")
    assert opened.data["second_review_id"] == review.pk


def test_sampling_is_a_reproducible_share() -> None:
    picked = [sampled_for_second_review(item_id=i, share=0.25) for i in range(4000)]
    assert picked == [sampled_for_second_review(item_id=i, share=0.25) for i in range(4000)]
    assert 0.22 < sum(picked) / len(picked) < 0.28
    assert not any(sampled_for_second_review(item_id=i, share=0.0) for i in range(100))


def test_escalation_is_not_sampled(world, clock) -> None:
    sample_everything(world, T0)
    make_pending_item(world, now=T0)
    item = services.review_item_claim_next(user=world.reviewer, now=T0)
    services.review_item_escalate(
        user=world.reviewer, item_id=item.pk, target_queue_id=world.l2_queue.pk, note="", now=T0
    )
    assert not SecondReview.objects.exists()


def test_claim_next_never_hands_it_to_the_first_reviewer(world, clock) -> None:
    sample_everything(world, T0)
    item = resolve(world, reviewer=world.reviewer, disposition="approved", now=T0)
    assert second_review_claim_next(user=world.reviewer, now=T0) is None
    review = second_review_claim_next(user=world.other_reviewer, now=T0)
    assert review is not None and review.first_item_id == item.pk and review.lease_owner == world.other_reviewer
    # Taken: nobody else gets it while the lease is live.
    assert second_review_claim_next(user=world.lead, now=T0) is None
    # A lapsed lease is claimable again, by anyone but the first reviewer.
    later = T0 + world.queue.lease + timedelta(seconds=1)
    assert second_review_claim_next(user=world.reviewer, now=later) is None
    again = second_review_claim_next(user=world.lead, now=later)
    assert again is not None and again.pk == review.pk and again.lease_owner == world.lead
    with pytest.raises(LeaseLost):
        second_review_submit(user=world.other_reviewer, review_id=review.pk, disposition="approved", now=later)


def test_outsider_and_other_tenant_cannot_claim_or_act(world, clock) -> None:
    sample_everything(world, T0)
    item = resolve(world, reviewer=world.reviewer, disposition="approved", now=T0)
    review = second_for(item)
    assert second_review_claim_next(user=world.outsider, now=T0) is None
    assert second_review_claim_next(user=world.stranger, now=T0) is None
    with pytest.raises(NotFound):
        second_review_submit(user=world.stranger, review_id=review.pk, disposition="approved", now=T0)
    with pytest.raises(Forbidden):
        second_review_submit(user=world.outsider, review_id=review.pk, disposition="approved", now=T0)
    with pytest.raises(Forbidden):  # the first reviewer: never theirs
        second_review_submit(user=world.reviewer, review_id=review.pk, disposition="approved", now=T0)


def test_database_refuses_the_same_person_twice(world, clock) -> None:
    sample_everything(world, T0)
    review = second_for(resolve(world, reviewer=world.reviewer, disposition="approved", now=T0))
    with pytest.raises(IntegrityError), transaction.atomic():
        SecondReview.objects.filter(pk=review.pk).update(
            state="claimed", lease_owner=world.reviewer, lease_expires_at=T0 + timedelta(minutes=1)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        SecondReview.objects.filter(pk=review.pk).update(
            state="resolved", disposition="approved", reviewer=world.reviewer, resolved_at=T0
        )


def test_second_reviewer_never_sees_the_first_disposition(world, client_for, clock) -> None:
    sample_everything(world, T0)
    item = resolve(world, reviewer=world.reviewer, disposition="rejected", now=T0)
    review = second_review_claim_next(user=world.other_reviewer, now=T0)
    assert review is not None
    client = client_for(world.other_reviewer)
    html = client.get(reverse("web:second_review", args=[review.pk])).content.decode()
    assert item.draft.text in html and "Submit second review" in html
    for leak in ("first note", world.reviewer.username, item.queue.fallback_text, "selected", "checked"):
        assert leak not in html
    assert 'value="off_policy"' in html  # the reasons to choose from, none of them chosen
    # Nor through the item page or the API while the second review is open.
    assert client.get(reverse("web:item", args=[item.pk])).status_code == 403
    api = client.get(f"/api/v1/items/{item.pk}")
    assert api.status_code == 403 and api.json()["error"]["code"] == "forbidden"
    # The first reviewer still sees their own item; and after the second review, so do others.
    assert client_for(world.reviewer).get(reverse("web:item", args=[item.pk])).status_code == 200
    second_review_submit(
        user=world.other_reviewer, review_id=review.pk, disposition="rejected", reason_code="unsafe", now=T0
    )
    assert client.get(reverse("web:item", args=[item.pk])).status_code == 200


def test_the_first_reviewer_cannot_open_the_second_review_page(world, client_for, clock) -> None:
    sample_everything(world, T0)
    review = second_for(resolve(world, reviewer=world.reviewer, disposition="approved", now=T0))
    assert client_for(world.reviewer).get(reverse("web:second_review", args=[review.pk])).status_code == 403
    assert client_for(world.stranger).get(reverse("web:second_review", args=[review.pk])).status_code == 404


def test_submit_release_and_bad_input(world, clock) -> None:
    sample_everything(world, T0)
    review = second_for(resolve(world, reviewer=world.reviewer, disposition="approved", now=T0))
    claimed = second_review_claim_next(user=world.other_reviewer, now=T0)
    assert claimed is not None
    with pytest.raises(InvalidInput):
        second_review_submit(user=world.other_reviewer, review_id=review.pk, disposition="escalated", now=T0)
    with pytest.raises(InvalidInput):
        second_review_submit(user=world.other_reviewer, review_id=review.pk, disposition="edited", now=T0)
    with pytest.raises(InvalidInput):
        second_review_submit(
            user=world.other_reviewer, review_id=review.pk, disposition="rejected", reason_code="nope", now=T0
        )
    second_review_release(user=world.other_reviewer, review_id=review.pk, now=T0)
    review.refresh_from_db()
    assert review.state == "pending" and review.lease_owner is None
    claimed = second_review_claim_next(user=world.other_reviewer, now=T0)
    done = second_review_submit(user=world.other_reviewer, review_id=review.pk, disposition="approved", now=T0)
    assert done.state == "resolved" and done.reviewer == world.other_reviewer
    with pytest.raises(InvalidState):
        second_review_submit(user=world.other_reviewer, review_id=review.pk, disposition="approved", now=T0)
    event = ReviewEvent.objects.filter(type="review.second.submitted").get()
    assert event.data["agrees"] is True and event.actor == world.other_reviewer
    # The draft's outcome is the first review's: a second review changes nothing that was sent.
    review.draft.refresh_from_db()
    assert review.draft.outcome == "sent_draft"


def test_disagreement_goes_to_the_lead_whose_label_wins(world, clock) -> None:
    sample_everything(world, T0)
    agreed = second_for(resolve(world, reviewer=world.reviewer, disposition="edited", now=T0))
    split = second_for(resolve(world, reviewer=world.reviewer, disposition="approved", now=T0))
    for review, disposition, extra in ((agreed, "rejected", {"reason_code": "unsafe"}), (split, "edited", {})):
        claimed = second_review_claim_next(user=world.other_reviewer, now=T0)
        assert claimed is not None and claimed.pk == review.pk
        second_review_submit(
            user=world.other_reviewer,
            review_id=review.pk,
            disposition=disposition,
            final_text="Edited." if disposition == "edited" else "",
            now=T0,
            **extra,
        )
    # Edited and rejected are both "bad": agreement; approved against edited is a dispute.
    assert [d.pk for d in selectors.disputes(tenant_ids=[world.tenant.pk])] == [split.pk]
    with pytest.raises(InvalidState):
        second_review_adjudicate(acting_user=world.lead, review_id=agreed.pk, label="good", now=T0)
    with pytest.raises(NotFound):  # a reviewer is not a lead
        second_review_adjudicate(acting_user=world.reviewer, review_id=split.pk, label="good", now=T0)
    with pytest.raises(InvalidInput):
        second_review_adjudicate(acting_user=world.lead, review_id=split.pk, label="meh", now=T0)
    assert selectors.adjudicated_labels(draft_ids=[split.draft_id]) == {}

    second_review_adjudicate(acting_user=world.lead, review_id=split.pk, label="good", note="Tone is fine", now=T0)
    ruling = selectors.adjudicated_labels(draft_ids=[split.draft_id, agreed.draft_id])
    assert list(ruling) == [split.draft_id]
    assert ruling[split.draft_id].label == "good" and ruling[split.draft_id].by_user_id == world.lead.pk
    assert not selectors.disputes(tenant_ids=[world.tenant.pk]).exists()
    event = ReviewEvent.objects.get(type="review.adjudicated")
    assert event.actor == world.lead and event.data["label"] == "good" and event.data["second"]["label"] == "bad"
    with pytest.raises(InvalidState):  # a ruling stands
        second_review_adjudicate(acting_user=world.lead, review_id=split.pk, label="bad", now=T0)


def test_agreement_figures_per_queue_and_pair(world, clock) -> None:
    sample_everything(world, T0)
    # Four items: (first, second) labels good/good, bad/bad, good/bad, bad/bad.
    plan = [("approved", "approved"), ("rejected", "edited"), ("approved", "rejected"), ("edited", "rejected")]
    for first, second in plan:
        review = second_for(resolve(world, reviewer=world.reviewer, disposition=first, now=T0))
        assert second_review_claim_next(user=world.other_reviewer, now=T0) is not None
        extra = {"approved": {}, "edited": {"final_text": "x"}, "rejected": {"reason_code": "unsafe"}}[second]
        second_review_submit(user=world.other_reviewer, review_id=review.pk, disposition=second, now=T0, **extra)
    figures = selectors.agreement(tenant_ids=[world.tenant.pk])
    # p_o = 3/4; first: good 2, bad 2; second: good 1, bad 3; p_e = (2·1 + 2·3)/16 = 0.5; κ = 0.5.
    assert figures.overall.n == 4 and figures.overall.raw == pytest.approx(0.75)
    assert figures.overall.kappa == pytest.approx(0.5)
    assert [(r.key, r.n, r.agreed) for r in figures.queues] == [("billing", 4, 3)]
    names = sorted([world.reviewer.username, world.other_reviewer.username])
    assert [(r.key, r.n) for r in figures.pairs] == [(f"{names[0]} ↔ {names[1]}", 4)]
    assert selectors.agreement(tenant_ids=[world.other_tenant.pk]).overall.n == 0
