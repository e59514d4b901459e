"""Draft-level labels: one derivation per disposition, feedback and audit, and their weights."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from reviewqueue.calibration.fitting import labelled_scores
from reviewqueue.calibration.labels import (
    AUDIT,
    FEEDBACK,
    REVIEW,
    DraftLabel,
    draft_labels,
    labelled_drafts,
    weighted_labels,
)
from reviewqueue.calibration.refit import calibration_refit
from reviewqueue.calibration.services import draft_feedback_record
from reviewqueue.review import services
from reviewqueue.review.audit_sampling import audit_draw
from reviewqueue.review.models import Decision, Draft, Queue, ReviewItem
from tests.calibration.helpers import held, open_item, resolve, routed
from tests.factories import World

pytestmark = pytest.mark.django_db


def labels_of(world: World, **filters: object) -> dict[int, DraftLabel]:
    return {d.pk: lab for d, lab in draft_labels(labelled_drafts(world.tenant, **filters))}  # type: ignore[arg-type]


def test_each_disposition_yields_its_label(world: World) -> None:
    approved = resolve(held(world), world.reviewer, "approved")
    edited = resolve(held(world), world.reviewer, "edited", final_text="Two years, registered within 30 days.")
    rejected = resolve(held(world), world.reviewer, "rejected", reason_code="off_policy")
    up = resolve(held(world), world.reviewer, "escalated", to=world.l2_queue)
    escalated_then_approved = resolve(up, world.lead, "approved")
    up2 = resolve(held(world), world.reviewer, "escalated", to=world.l2_queue)
    escalated_then_edited = resolve(up2, world.lead, "edited", final_text="Fixed.")
    drafted = resolve(held(world, decision=Decision.AUTO_DRAFT_HUMAN_SEND), world.reviewer, "approved")
    expiring = held(world)
    assert services.review_item_expire(item_id=expiring.pk, now=expiring.due_at + timedelta(seconds=1))
    pending = held(world)
    blocked = routed(world, Decision.BLOCK)

    labels = labels_of(world)
    assert labels[approved.draft_id].good and labels[approved.draft_id].source == REVIEW
    assert labels[approved.draft_id].weight == 1.0 and labels[approved.draft_id].reviewer == world.reviewer
    assert not labels[edited.draft_id].good and labels[edited.draft_id].edit == "Two years, registered within 30 days."
    assert not labels[rejected.draft_id].good and labels[rejected.draft_id].reason_code == "off_policy"
    # Escalated items take the outcome of the item they were escalated to.
    assert labels[escalated_then_approved.draft_id].good
    assert labels[escalated_then_approved.draft_id].reviewer == world.lead
    assert not labels[escalated_then_edited.draft_id].good
    assert labels[escalated_then_edited.draft_id].disposition == "edited"
    assert labels[drafted.draft_id].good
    # Expired, still pending, blocked: no label.
    for unlabelled in (expiring.draft_id, pending.draft_id, blocked.pk):
        assert unlabelled not in labels
    assert len(labels) == 6


def test_feedback_labels_what_went_out_as_written(world: World) -> None:
    now = timezone.now()
    auto = routed(world, Decision.AUTO_SEND)
    approved = resolve(held(world), world.reviewer, "approved")
    edited = resolve(held(world), world.reviewer, "edited", final_text="Better.")
    blocked = routed(world, Decision.BLOCK)
    for draft_id, kind in [
        (auto.pk, "complained"),
        (auto.pk, "reopened"),
        (approved.draft_id, "corrected"),
        (edited.draft_id, "complained"),
        (blocked.pk, "complained"),
    ]:
        draft_feedback_record(client=world.client, draft_id=draft_id, kind=kind, now=now, corrected_text="Right text")

    labels = labels_of(world)
    # An auto-sent draft is labelled by feedback alone; a report is a census of its stratum: weight 1.
    assert labels[auto.pk].source == FEEDBACK and not labels[auto.pk].good and labels[auto.pk].weight == 1.0
    assert labels[auto.pk].feedback == ("complained", "reopened")
    assert labels[approved.draft_id].source == FEEDBACK and not labels[approved.draft_id].good
    assert labels[approved.draft_id].edit == "Right text"
    # A complaint about an edited answer is about the reviewer's text: the draft keeps its review label.
    assert labels[edited.draft_id].source == REVIEW and labels[edited.draft_id].feedback == ("complained",)
    # The fallback went out, not the draft.
    assert blocked.pk not in labels


def test_audit_labels_weigh_by_the_inverse_of_the_audit_share(world: World) -> None:
    Queue.objects.filter(pk=world.queue.pk).update(audit_share=0.5)
    drafts = [routed(world, Decision.AUTO_SEND) for _ in range(20)]
    audited = {d.pk for d in drafts if audit_draw(d.pk) < 0.5}
    assert audited, "20 draws at one half all missed (p = 1e-6)"
    items = {i.draft_id: i for i in ReviewItem.objects.filter(draft__in=drafts)}
    assert set(items) == audited
    assert {i.audit_probability for i in items.values()} == {0.5}
    first, *rest = sorted(items.values(), key=lambda i: i.pk)
    resolve(first, world.reviewer, "edited", final_text="What it should have said.")
    for item in rest:
        resolve(item, world.reviewer, "approved")

    labels = labels_of(world)
    assert set(labels) == audited
    assert all(lab.source == AUDIT and lab.weight == 2.0 and lab.sampling_probability == 0.5 for lab in labels.values())
    assert [d for d, lab in labels.items() if not lab.good] == [first.draft_id]


def test_weighted_labels_for_the_fit(world: World) -> None:
    Queue.objects.filter(pk=world.queue.pk).update(audit_share=1.0)
    t0 = timezone.now()
    old = resolve(open_item(routed(world, Decision.QUEUE_FOR_REVIEW, model="m0", now=t0)), world.reviewer, "approved")
    audited = routed(world, Decision.AUTO_SEND, raw=0.9, now=t0 + timedelta(seconds=1))
    resolve(open_item(audited, audit=True), world.reviewer, "rejected")
    good = resolve(held(world, raw=0.4, now=t0 + timedelta(seconds=2)), world.reviewer, "approved")
    faq = Queue.objects.create(tenant=world.tenant, name="faq", reviewer_group=world.queue.reviewer_group)
    other_queue = resolve(
        held(world, queue=faq, raw=0.3, now=t0 + timedelta(seconds=3)), world.reviewer, "edited", final_text="x"
    )

    got = weighted_labels(world.tenant)
    # The newest scorer (m1/f1) only: m0's raw score means something else.
    assert old.draft_id not in got.draft_ids
    assert got.scored_by == {"model": "m1", "fusion": "f1"}
    rows = dict(zip(got.draft_ids, zip(got.scores, got.labels, got.weights, got.sources, strict=True), strict=True))
    assert rows == {
        other_queue.draft_id: (0.3, 0, 1.0, REVIEW),
        good.draft_id: (0.4, 1, 1.0, REVIEW),
        audited.pk: (0.9, 0, 1.0, AUDIT),  # audit share 1: weight 1
    }
    assert got.draft_ids[0] == other_queue.draft_id  # newest scored first
    assert weighted_labels(world.tenant, queue=world.queue).draft_ids == [good.draft_id, audited.pk]
    assert weighted_labels(world.tenant, since=t0 + timedelta(seconds=2)).draft_ids == [
        other_queue.draft_id,
        good.draft_id,
    ]
    assert weighted_labels(world.tenant, prompt_version="nope").draft_ids == []
    assert weighted_labels(world.other_tenant).draft_ids == []
    # The old entry point reads the same derivation.
    assert labelled_scores(tenant=world.tenant) == (got.scores, got.labels, got.scored_by)


def test_the_fit_passes_the_weights(world: World) -> None:
    Queue.objects.filter(pk=world.queue.pk).update(audit_share=0.5)
    for n in range(16):
        raw = n / 16
        item = held(world, raw=raw)
        resolve(item, world.reviewer, "approved" if raw >= 0.5 else "rejected")
    # 8 good and 8 bad: enough at a minimum of 8 per kind.
    run = calibration_refit(tenant=world.tenant, now=timezone.now(), min_per_class=8).run
    assert run is not None and run.calibrator is not None
    version = run.calibrator
    assert version.labels_used == 16
    assert version.metrics["scored_by"] == {"model": "m1", "fusion": "f1"}


def test_a_draft_with_no_score_is_labelled_but_not_fitted(world: World) -> None:
    item = held(world)
    Draft.objects.filter(pk=item.draft_id).update(score=None)
    resolve(item, world.reviewer, "approved")
    assert item.draft_id in labels_of(world)
    assert weighted_labels(world.tenant).draft_ids == []
