"""Data minimisation: a decided draft's content is purged once its tenant's retention has passed;
hashes, scores, labels and events stay, and the purge is an audited event (issue 15)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.intake import routing
from reviewqueue.llm.models import JudgeVerdict, JudgeVerdictKind
from reviewqueue.review import retention, services
from reviewqueue.review.models import Decision, Draft, DraftStatus, ReviewItem
from tests.conftest import T0
from tests.factories import World, make_draft, make_pending_item
from tests.web.factories import score_for

pytestmark = pytest.mark.django_db

DAYS = 30


def _edited_and_sent(world: World) -> Draft:
    """A draft held for review, edited by the reviewer and sent (decided at T0)."""
    item = make_pending_item(world, now=T0 - timedelta(minutes=5))
    services.review_item_claim_next(user=world.reviewer, now=T0 - timedelta(minutes=1))
    services.review_item_submit(
        user=world.reviewer, item_id=item.pk, disposition="edited", final_text="An edited answer.", now=T0
    )
    return Draft.objects.get(pk=item.draft_id)


def _auto_sent(world: World) -> Draft:
    """A draft scored confident and sent automatically (decided at T0)."""
    draft = make_draft(world, now=T0)
    text = draft.text
    passages = draft.passages
    first_sentence = text.split(". ")[0].rstrip(".") + "."
    score = score_for(text, passages, [(first_sentence, "supported", passages[0]["id"], None)], confidence=0.95)
    routing.draft_record_score(draft_id=draft.pk, score=score, confidence=0.95, versions={"m": "1"}, now=T0)
    routing.draft_route(
        draft_id=draft.pk, decision=Decision.AUTO_SEND, reasons=["confident"], queue=None, priority=0, now=T0
    )
    return Draft.objects.get(pk=draft.pk)


@pytest.fixture
def tenant_keeps_30_days(world: World) -> World:
    world.tenant.retention_days = DAYS
    world.tenant.save(update_fields=["retention_days"])
    return world


@pytest.mark.parametrize(("offset", "purged"), [(-1, False), (0, True), (1, True)])
def test_content_is_purged_exactly_when_the_retention_has_passed(tenant_keeps_30_days, clock, offset, purged):
    world = tenant_keeps_30_days
    draft = _edited_and_sent(world)
    assert draft.status == DraftStatus.DECIDED and draft.decided_at == T0
    clock.move_to(T0 + timedelta(days=DAYS, seconds=offset))
    result = retention.retention_sweep(now=timezone.now())
    assert result.moved == (1 if purged else 0)
    after = Draft.objects.get(pk=draft.pk)
    if not purged:
        assert after.text == draft.text and after.content_purged_at is None
        return
    assert (after.question, after.text, after.final_text, after.passages, after.logprobs) == ("", "", "", [], None)
    assert after.content_purged_at == T0 + timedelta(days=DAYS, seconds=offset)
    assert ReviewItem.objects.get(draft=draft).final_text == ""
    # Kept: the hashes, the decision, the outcome, the metadata and every earlier event.
    assert (after.fingerprint, after.prompt_hash, after.decision, after.outcome, after.metadata) == (
        draft.fingerprint,
        draft.prompt_hash,
        draft.decision,
        draft.outcome,
        draft.metadata,
    )
    event = ReviewEvent.objects.get(draft=draft, type="draft.content.purged")
    assert event.data["retention_days"] == DAYS and "text" in event.data["purged"]
    assert event.actor is None and event.created_at == after.content_purged_at


def test_the_score_keeps_its_numbers_but_not_the_text_it_quotes(tenant_keeps_30_days, clock):
    draft = _auto_sent(tenant_keeps_30_days)
    assert any("text" in claim for claim in draft.score["claims"])
    clock.move_to(T0 + timedelta(days=DAYS))
    assert retention.retention_sweep(now=timezone.now()).moved == 1
    after = Draft.objects.get(pk=draft.pk)
    assert after.confidence == draft.confidence and after.score["confidence"] == draft.score["confidence"]
    assert [c.get("p_entail") for c in after.score["claims"]] == [c.get("p_entail") for c in draft.score["claims"]]
    assert "text" not in str(list(_keys(after.score)))


def test_judge_verdicts_keep_their_verdict_but_not_the_text_they_quote(tenant_keeps_30_days, clock):
    draft = _auto_sent(tenant_keeps_30_days)
    JudgeVerdict.objects.create(
        draft=draft,
        claim_index=0,
        claim_text=draft.score["claims"][0]["text"],
        verdict=JudgeVerdictKind.SUPPORTED,
        quote=draft.passages[0]["text"][:40],
        explanation="The passage says so.",
        model="judge-model",
        prompt_hash="0" * 64,
        created_at=T0,
    )
    clock.move_to(T0 + timedelta(days=DAYS))
    assert retention.retention_sweep(now=timezone.now()).moved == 1
    verdict = JudgeVerdict.objects.get(draft=draft)
    assert (verdict.claim_text, verdict.quote, verdict.explanation) == ("", "", "")
    assert (verdict.claim_index, verdict.verdict, verdict.model) == (0, JudgeVerdictKind.SUPPORTED, "judge-model")


def _keys(value):  # type: ignore[no-untyped-def]
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


def test_undecided_drafts_and_tenants_without_retention_keep_everything(world, clock, settings):
    settings.REVIEWQUEUE_RETENTION_DAYS = 0  # the default: keep for ever
    decided = _edited_and_sent(world)
    waiting = make_pending_item(world, now=T0)  # routed, not decided
    clock.move_to(T0 + timedelta(days=3650))
    assert retention.retention_sweep(now=timezone.now()).moved == 0
    settings.REVIEWQUEUE_RETENTION_DAYS = DAYS  # a site default applies to tenants with none of their own
    assert retention.retention_sweep(now=timezone.now()).moved == 1
    assert Draft.objects.get(pk=decided.pk).content_purged_at is not None
    assert Draft.objects.get(pk=waiting.draft_id).text != ""


def test_each_tenant_has_its_own_period(world, clock):
    world.tenant.retention_days = 7
    world.tenant.save(update_fields=["retention_days"])
    ours = _auto_sent(world)
    theirs = _auto_sent(dataclasses.replace(world, tenant=world.other_tenant, client=world.other_client))
    assert theirs.tenant_id == world.other_tenant.pk  # a tenant with no period of its own: kept
    clock.move_to(T0 + timedelta(days=7))
    assert retention.retention_sweep(now=timezone.now()).moved == 1
    assert Draft.objects.get(pk=ours.pk).content_purged_at is not None
    assert Draft.objects.get(pk=theirs.pk).content_purged_at is None


def test_purge_is_idempotent_and_the_command_runs_it(tenant_keeps_30_days, clock):
    draft = _edited_and_sent(tenant_keeps_30_days)
    clock.move_to(T0 + timedelta(days=DAYS + 1))
    out = StringIO()
    call_command("sweep", "retention", stdout=out)
    assert "examined 1, moved 1" in out.getvalue()
    out = StringIO()
    call_command("sweep", "retention", stdout=out)
    assert "examined 0, moved 0" in out.getvalue()
    assert ReviewEvent.objects.filter(draft=draft, type="draft.content.purged").count() == 1


def test_a_purged_draft_still_reads_through_the_api(tenant_keeps_30_days, clock):
    from tests.api.conftest import service_client

    draft = _edited_and_sent(tenant_keeps_30_days)
    clock.move_to(T0 + timedelta(days=DAYS))
    retention.retention_sweep(now=timezone.now())
    response = service_client(tenant_keeps_30_days.api_key).get(f"/api/v1/drafts/{draft.pk}")
    assert response.status_code == 200
    assert response.json()["status"] == "decided"


def test_beat_schedules_the_retention_sweep():
    from reviewqueue.celery import _schedule_timers

    scheduled = []

    class Sender:
        def signature(self, name):  # type: ignore[no-untyped-def]
            return name

        def add_periodic_task(self, every, task, name):  # type: ignore[no-untyped-def]
            scheduled.append((name, every, task))

    _schedule_timers(Sender())
    assert ("retention sweep", 3600, "reviewqueue.review.tasks.retention_sweep") in scheduled


def test_a_draft_with_an_open_follow_up_keeps_its_content_until_the_follow_up_is_resolved(tenant_keeps_30_days, clock):
    """A blocked draft whose fallback promised a follow-up is decided at once, but the follow-up
    reviewer still needs its question and evidence: the purge waits for the item."""
    world = tenant_keeps_30_days
    world.queue.follow_up_on_block = True
    world.queue.sla_minutes = 60 * 24 * 60  # the follow-up stays open past the retention period
    world.queue.save(update_fields=["follow_up_on_block", "sla_minutes"])
    draft = make_draft(world, queue=world.queue, now=T0)
    routing.draft_record_score(draft_id=draft.pk, score=None, confidence=0.05, versions={}, now=T0)
    routing.draft_route(
        draft_id=draft.pk, decision=Decision.BLOCK, reasons=["test"], queue=world.queue, priority=0, now=T0
    )
    follow_up = ReviewItem.objects.get(draft=draft, follow_up=True)
    clock.move_to(T0 + timedelta(days=DAYS + 1))
    assert retention.retention_sweep(now=timezone.now()).moved == 0
    assert Draft.objects.get(pk=draft.pk).text == draft.text
    services.review_item_claim(user=world.reviewer, item_id=follow_up.pk, now=timezone.now())
    services.review_item_submit(
        user=world.reviewer, item_id=follow_up.pk, disposition="approved", final_text="", now=timezone.now()
    )
    assert retention.retention_sweep(now=timezone.now()).moved == 1
    assert Draft.objects.get(pk=draft.pk).text == ""
