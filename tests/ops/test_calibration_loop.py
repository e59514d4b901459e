"""The loop end to end on PostgreSQL: reviewer labels → a fit from /ops/calibration/ (the Celery
task) → the calibrator tried as the shadow on live traffic (the worker routes real drafts with
the scorer) → promoted (the worker calibrates with it) → rolled back (it no longer does)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reviewqueue.intake import worker
from reviewqueue.policy.models import CalibrationRun, CandidateEvent, CandidateStatus, ShadowCandidate, ShadowDecision
from reviewqueue.policy.selectors import active_calibrator
from tests.factories import make_draft
from tests.policy.data import labelled

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_labels_fit_shadow_promote_roll_back(
    world, client_for, tiny_scorer, eager, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    # The scorer's own versions, so the fitted calibrator is one this worker may use.
    probe = make_draft(world)
    worker.score_and_route(probe.pk)
    probe.refresh_from_db()
    versions = probe.score["versions"]
    world.queue.lease_seconds = 3600
    world.queue.save(update_fields=["lease_seconds"])
    for n in range(18):
        labelled(world, raw=0.5 + n / 40, confidence=0.5, good=True, versions=versions)
        labelled(world, raw=0.1 + n / 40, confidence=0.5, good=False, versions=versions)

    client = client_for(world.lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ops:calibration_fit"), {"tenant": world.tenant.slug, "method": "platt"})
    run = CalibrationRun.objects.get()
    assert run.status == "done" and run.calibrator is not None and not run.calibrator.is_active
    version = run.calibrator.version

    client.post(reverse("ops:candidate_stage_calibrator", args=[run.calibrator.pk]), {"tenant": world.tenant.slug})
    candidate = ShadowCandidate.objects.get()
    shadowed = make_draft(world)
    worker.score_and_route(shadowed.pk)
    shadowed.refresh_from_db()
    assert shadowed.versions["calibrator"] != version  # live routing still uses the live calibrator
    recorded = ShadowDecision.objects.get(candidate=candidate, draft=shadowed)
    assert recorded.live_confidence == shadowed.confidence
    page = client.get(reverse("ops:calibration")).content.decode()
    assert 'id="shadow-summary"' in page and "decided 1 live drafts" in page

    assert (
        client.post(reverse("ops:candidate_promote", args=[candidate.pk]), {"tenant": world.tenant.slug}).status_code
        == 302
    )
    assert active_calibrator(tenant_id=world.tenant.pk).version == version
    promoted = make_draft(world)
    worker.score_and_route(promoted.pk)
    promoted.refresh_from_db()
    assert promoted.versions["calibrator"] == version
    # The promoted calibrator gives the same draft the confidence the shadow predicted for it.
    assert promoted.confidence == pytest.approx(recorded.shadow_confidence)

    assert (
        client.post(reverse("ops:candidate_rollback", args=[candidate.pk]), {"tenant": world.tenant.slug}).status_code
        == 302
    )
    assert active_calibrator(tenant_id=world.tenant.pk) is None
    after = make_draft(world)
    worker.score_and_route(after.pk)
    after.refresh_from_db()
    assert after.versions["calibrator"] == probe.versions["calibrator"]
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.ROLLED_BACK
    assert list(CandidateEvent.objects.filter(candidate=candidate).values_list("type", "actor_id")) == [
        ("policy.candidate.staged", world.lead.pk),
        ("policy.candidate.promoted", world.lead.pk),
        ("policy.candidate.rolled_back", world.lead.pk),
    ]
