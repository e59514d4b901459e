"""The periodic refit and the per-prompt-version calibrator on PostgreSQL, through the worker
with the scorer: beat's `recalibrate` task (and `manage.py recalibrate`) fits as a calibration
run and stages a shadow, never a live calibrator; live routing is unchanged until a lead
promotes it (through the golden gate). A calibrator fitted on one prompt version is staged,
shadowed on that prompt version's drafts only, promoted and rolled back like a queue's."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from reviewqueue.calibration.tasks import recalibrate
from reviewqueue.intake import worker
from reviewqueue.policy.models import (
    CalibrationRun,
    CalibratorVersion,
    CandidateEvent,
    CandidateStatus,
    ShadowCandidate,
    ShadowDecision,
)
from reviewqueue.policy.selectors import active_calibrator, active_calibrator_row
from reviewqueue.review.models import Draft
from tests.factories import World, draft_body, make_draft
from tests.policy.data import labelled

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

OTHER_PROMPT = {**draft_body()["metadata"], "prompt_version": "faq-v4"}


def _labels(world: World) -> Draft:
    """18 good and 18 bad labels (prompt version faq-v3) scored by this worker's versions, so a
    calibrator fitted on them is one this worker applies. Returns the probe draft, routed live."""
    probe = make_draft(world)
    worker.score_and_route(probe.pk)
    probe.refresh_from_db()
    world.queue.lease_seconds = 3600
    world.queue.save(update_fields=["lease_seconds"])
    for n in range(18):
        labelled(world, raw=0.5 + n / 40, confidence=0.5, good=True, versions=probe.score["versions"])
        labelled(world, raw=0.1 + n / 40, confidence=0.5, good=False, versions=probe.score["versions"])
    return probe


def _routed(world: World, **overrides: Any) -> Draft:
    draft = make_draft(world, **overrides)
    worker.score_and_route(draft.pk)
    draft.refresh_from_db()
    return draft


def _live(draft: Draft) -> tuple[Any, ...]:
    return (draft.status, draft.decision, draft.decision_reasons, draft.versions, draft.confidence)


def test_the_daily_refit_stages_a_shadow_and_only_a_promote_makes_it_live(world, client_for, tiny_scorer) -> None:  # type: ignore[no-untyped-def]
    probe = _labels(world)
    assert recalibrate().startswith("staged 1: ")
    run = CalibrationRun.objects.get()
    assert run.status == "done" and run.created_by is None and run.queue is None and run.prompt_version == ""
    assert run.report["after"]["n"] == 36  # the same report a lead's fit has
    candidate = ShadowCandidate.objects.get()
    assert candidate.status == CandidateStatus.SHADOW and candidate.created_by is None
    assert candidate.calibrator == run.calibrator and not run.calibrator.is_active
    assert list(CandidateEvent.objects.values_list("type", "actor_id")) == [("policy.candidate.staged", None)]

    # Live routing is what it was: no calibrator is live, and a draft is routed as the probe was.
    assert active_calibrator(tenant_id=world.tenant.pk) is None
    shadowed = _routed(world)
    assert _live(shadowed) == _live(probe)
    recorded = ShadowDecision.objects.get(candidate=candidate, draft=shadowed)
    assert recorded.live_confidence == shadowed.confidence
    page = client_for(world.lead).get(reverse("ops:calibration")).content.decode()
    assert "by the daily refit" in page and "(daily refit)" in page

    # The next day: the candidate on trial keeps its evidence; nothing new is fitted or staged.
    assert recalibrate() == "staged 0: "
    assert CalibrationRun.objects.count() == 1 and ShadowCandidate.objects.count() == 1

    response = client_for(world.lead).post(
        reverse("ops:candidate_promote", args=[candidate.pk]), {"tenant": world.tenant.slug}
    )
    assert response.status_code == 302
    promoted_event = CandidateEvent.objects.get(candidate=candidate, type="policy.candidate.promoted")
    assert promoted_event.actor_id == world.lead.pk
    assert promoted_event.data["gate"].startswith("No golden set")  # the gate was consulted
    version = run.calibrator.version
    assert active_calibrator(tenant_id=world.tenant.pk).version == version
    assert _routed(world).versions["calibrator"] == version

    # With the candidate promoted, the next refit stages a new one beside the live calibrator.
    assert recalibrate().startswith("staged 1: ")
    assert ShadowCandidate.objects.filter(status=CandidateStatus.SHADOW).count() == 1
    assert active_calibrator(tenant_id=world.tenant.pk).version == version


def test_the_command_stages_too(world, tiny_scorer) -> None:  # type: ignore[no-untyped-def]
    _labels(world)
    out = StringIO()
    call_command("recalibrate", tenant=world.tenant.slug, stdout=out)
    candidate = ShadowCandidate.objects.get()
    assert f"Staged calibrator {candidate.version} (36 labels) as the shadow candidate" in out.getvalue()
    assert not CalibratorVersion.objects.filter(is_active=True).exists()
    out = StringIO()
    call_command("recalibrate", tenant=world.tenant.slug, stdout=out)
    assert "a shadow candidate is already on trial" in out.getvalue() and "Nothing staged." in out.getvalue()


def test_a_prompt_version_calibrator_is_shadowed_promoted_and_rolled_back_for_its_prompt_only(
    world, client_for, tiny_scorer, eager, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    probe = _labels(world)
    client = client_for(world.lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("ops:calibration_fit"), {"tenant": world.tenant.slug, "method": "platt", "prompt_version": "faq-v3"}
        )
    run = CalibrationRun.objects.get()
    assert run.status == "done" and run.calibrator is not None and run.calibrator.prompt_version == "faq-v3"
    page = client.get(reverse("ops:calibration"), {"run": run.pk}).content.decode()
    assert 'id="stage-calibrator"' in page and "Try it as the shadow" in page
    response = client.post(
        reverse("ops:candidate_stage_calibrator", args=[run.calibrator.pk]), {"tenant": world.tenant.slug}
    )
    assert response.status_code == 302
    candidate = ShadowCandidate.objects.get()
    version = run.calibrator.version

    # Shadow decisions for that prompt version's drafts only; live routing unchanged for both.
    mine = _routed(world)
    other_probe = _routed(world, metadata=OTHER_PROMPT)
    assert _live(mine) == _live(probe)
    assert ShadowDecision.objects.filter(candidate=candidate, draft=mine).exists()
    assert not ShadowDecision.objects.filter(candidate=candidate, draft=other_probe).exists()

    assert (
        client.post(reverse("ops:candidate_promote", args=[candidate.pk]), {"tenant": world.tenant.slug}).status_code
        == 302
    )
    assert active_calibrator_row(tenant_id=world.tenant.pk, prompt_version="faq-v3").version == version
    assert active_calibrator_row(tenant_id=world.tenant.pk, prompt_version="faq-v4") is None
    assert _routed(world).versions["calibrator"] == version
    other = _routed(world, metadata=OTHER_PROMPT)
    assert _live(other) == _live(other_probe)  # another prompt version routes as before

    assert (
        client.post(reverse("ops:candidate_rollback", args=[candidate.pk]), {"tenant": world.tenant.slug}).status_code
        == 302
    )
    assert active_calibrator_row(tenant_id=world.tenant.pk, prompt_version="faq-v3") is None
    assert _live(_routed(world)) == _live(probe)
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.ROLLED_BACK


def test_the_most_specific_live_calibrator_wins(world) -> None:  # type: ignore[no-untyped-def]
    def live(version: str, **scope: Any) -> CalibratorVersion:
        artefact = {"format": "reviewqueue.calibrator/1", "method": "platt", "version": version, "params": {}}
        return CalibratorVersion.objects.create(
            tenant=world.tenant, version=version, artefact=artefact, is_active=True, created_at=timezone.now(), **scope
        )

    def chosen(queue_id: int | None, prompt: str) -> str | None:
        row = active_calibrator_row(tenant_id=world.tenant.pk, queue_id=queue_id, prompt_version=prompt)
        return row.version if row else None

    q = world.queue.pk
    assert chosen(q, "faq-v3") is None
    live("tenant")
    assert chosen(q, "faq-v3") == "tenant"
    live("tenant-v3", prompt_version="faq-v3")
    assert (chosen(q, "faq-v3"), chosen(q, "faq-v4"), chosen(None, "faq-v3")) == ("tenant-v3", "tenant", "tenant-v3")
    live("queue", queue=world.queue)
    assert (chosen(q, "faq-v3"), chosen(q, "faq-v4")) == ("queue", "queue")
    live("queue-v3", queue=world.queue, prompt_version="faq-v3")
    assert (chosen(q, "faq-v3"), chosen(q, "faq-v4"), chosen(None, "faq-v3")) == ("queue-v3", "queue", "tenant-v3")
    assert (chosen(world.l2_queue.pk, "faq-v3"), chosen(world.l2_queue.pk, "faq-v4")) == ("tenant-v3", "tenant")
