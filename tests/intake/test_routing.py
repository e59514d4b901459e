"""The worker's routing step (score_and_route) against the real scorer with a tiny model."""

from __future__ import annotations

import pytest
from django.utils import timezone

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.calibration.refit import calibration_refit
from reviewqueue.calibration.shadow import candidate_promote
from reviewqueue.intake import worker
from reviewqueue.policy import services as policy_services
from reviewqueue.policy.models import CalibratorVersion
from reviewqueue.review import services
from reviewqueue.review.models import Draft, ReviewItem
from tests.factories import make_draft, make_pending_item
from tests.web.helpers import stored_score


def _types(draft: Draft) -> list[str]:
    return list(ReviewEvent.objects.filter(draft=draft).order_by("id").values_list("type", flat=True))


def test_scores_routes_and_records_versions(world, tiny_scorer) -> None:  # type: ignore[no-untyped-def]
    draft = make_draft(world)
    assert worker.score_and_route(draft.pk) in {"auto_send", "auto_draft_human_send", "queue_for_review", "block"}
    draft.refresh_from_db()
    assert draft.status in {"routed", "decided"}
    assert draft.score is not None and draft.score["claims"]
    assert set(draft.versions) >= {"model", "calibrator", "policy", "scorer"}
    assert draft.decision_reasons
    assert _types(draft).count("draft.scored") == 1


def test_rerun_changes_nothing(world, tiny_scorer) -> None:  # type: ignore[no-untyped-def]
    draft = make_draft(world, metadata={"intent": "refund", "amount": 5000})
    worker.score_and_route(draft.pk)
    before = (_types(draft), ReviewItem.objects.filter(draft=draft).count())
    assert worker.score_and_route(draft.pk) == "already_routed"
    assert (_types(draft), ReviewItem.objects.filter(draft=draft).count()) == before


def test_amount_over_limit_is_never_auto_sent(world, tiny_scorer) -> None:  # type: ignore[no-untyped-def]
    draft = make_draft(world, metadata={"intent": "refund", "amount": 5000})
    worker.score_and_route(draft.pk)
    draft.refresh_from_db()
    assert draft.decision in {"queue_for_review", "block"}
    assert "amount_over_limit" in draft.decision_reasons


def test_poison_draft_is_routed_to_review_as_scoring_failed(world, tiny_scorer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def explode(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("tokenizer exploded")

    monkeypatch.setattr(worker.get_scorer(), "score", explode)
    draft = make_draft(world)
    assert worker.score_and_route(draft.pk) == "queue_for_review"
    draft.refresh_from_db()
    assert draft.status == "routed" and draft.decision_reasons == ["scoring_failed"]
    item = ReviewItem.objects.get(draft=draft)
    assert item.state == "pending" and item.queue == world.queue
    failed = ReviewEvent.objects.get(draft=draft, type="draft.scoring_failed")
    assert "tokenizer exploded" in failed.data["error"]


def test_unknown_draft_is_a_no_op(db, tiny_scorer) -> None:  # type: ignore[no-untyped-def]
    assert worker.score_and_route(987654) == "missing"


def test_published_policy_version_routes(world, tiny_scorer) -> None:  # type: ignore[no-untyped-def]
    from scoring.policy import RoutingPolicy

    strict = RoutingPolicy.default().to_dict()
    strict.update(
        version="strict-2", thresholds={"auto_send": 0.999, "auto_draft_human_send": 0.998, "queue_for_review": 0.0}
    )
    policy_services.policy_publish(tenant=world.tenant, config=strict, now=timezone.now())
    draft = make_draft(world)
    worker.score_and_route(draft.pk)
    draft.refresh_from_db()
    assert draft.versions["policy"] == "strict-2"
    assert draft.decision == "queue_for_review"


def test_invalid_policy_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    from reviewqueue.errors import InvalidInput

    with pytest.raises(InvalidInput):
        policy_services.policy_publish(
            tenant=world.tenant, config={"version": "x", "refuted_action": "auto_send"}, now=timezone.now()
        )


def test_calibrator_fitted_from_reviewer_labels(world) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    assert calibration_refit(tenant=world.tenant, now=now, min_per_class=10).candidate is None  # no labels yet
    for n in range(24):
        item = make_pending_item(world, now=now)
        good = n % 2 == 0
        Draft.objects.filter(pk=item.draft_id).update(score=stored_score(raw_score=0.8 if good else 0.3))
        services.review_item_claim_next(user=world.reviewer, now=now)
        if good:
            services.review_item_submit(user=world.reviewer, item_id=item.pk, disposition="approved", now=now)
        else:
            services.review_item_submit(
                user=world.reviewer, item_id=item.pk, disposition="rejected", reason_code="factually_wrong", now=now
            )
    staged = calibration_refit(tenant=world.tenant, now=now, min_per_class=10).candidate
    assert staged is not None and staged.calibrator is not None
    version = staged.calibrator
    assert version.labels_used == 24 and not version.is_active  # a shadow: nothing live yet
    from reviewqueue.policy.selectors import active_calibrator

    assert active_calibrator(tenant_id=world.tenant.pk) is None
    candidate_promote(acting_user=world.lead, candidate_id=staged.pk, now=now)
    calibrator = active_calibrator(tenant_id=world.tenant.pk)
    assert calibrator is not None
    assert calibrator.predict(0.8) > calibrator.predict(0.3)
    assert CalibratorVersion.objects.filter(tenant=world.tenant, is_active=True).count() == 1


def test_calibrator_fits_only_labels_scored_by_the_newest_model_and_fusion(world, tiny_scorer) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from reviewqueue.policy.selectors import active_calibrator

    now = timezone.now()
    for n in range(30):
        item = make_pending_item(world, now=now)
        good, upgraded = n % 2 == 0, n >= 18
        # The old fusion's raw scores sit higher: calibrating the new ones with them would be wrong.
        raw = (0.6 if good else 0.4) if upgraded else (0.95 if good else 0.8)
        versions = {"model": "m@1", "fusion": "fit-new" if upgraded else "hand-old"}
        Draft.objects.filter(pk=item.draft_id).update(
            score=stored_score(raw_score=raw, versions=versions),
            scored_at=now + timedelta(seconds=n),
        )
        services.review_item_claim_next(user=world.reviewer, now=now)
        services.review_item_submit(
            user=world.reviewer,
            item_id=item.pk,
            now=now,
            **({"disposition": "approved"} if good else {"disposition": "rejected", "reason_code": "factually_wrong"}),
        )
    staged = calibration_refit(tenant=world.tenant, now=now, min_per_class=5).candidate
    assert staged is not None and staged.calibrator is not None
    version = staged.calibrator
    assert version.labels_used == 12
    assert version.metrics["scored_by"] == {"model": "m@1", "fusion": "fit-new"}
    candidate_promote(acting_user=world.lead, candidate_id=staged.pk, now=now)
    calibrator = active_calibrator(tenant_id=world.tenant.pk)
    assert calibrator is not None and calibrator.meta == {"model": "m@1", "fusion": "fit-new"}
    # The worker here runs another model and fusion: it scores uncalibrated and says why.
    draft = make_draft(world)
    worker.score_and_route(draft.pk)
    draft.refresh_from_db()
    assert draft.versions["calibrator"] == "uncalibrated"
    assert any("fitted for model m@1, fusion fit-new" in e for e in draft.score["errors"])
