"""The LLM judge: schema-checked verdicts per claim, stored once, shown beside the NLI verdicts,
and its agreement with reviewers per queue."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviewqueue.llm import selectors
from reviewqueue.llm.judge import JudgeAnswerInvalid, parse_verdict
from reviewqueue.llm.models import JudgeRun, JudgeVerdict
from reviewqueue.llm.tasks import judge_draft
from reviewqueue.review import services
from tests.llm import fake_llm as fake
from tests.web.factories import make_scored_item

EVIDENCE = "All X200 blenders come with a two-year limited warranty. Products must be registered within 30 days."


def test_a_valid_answer_is_parsed() -> None:
    answer = json.dumps({"verdict": "supported", "quote": "two-year  limited warranty", "explanation": "x"})
    assert parse_verdict(answer, evidence=EVIDENCE) == {
        "verdict": "supported",
        "quote": "two-year  limited warranty",
        "explanation": "x",
    }
    fenced = '```json\n{"verdict": "not_in_evidence", "quote": ""}\n```'
    assert parse_verdict(fenced, evidence=EVIDENCE)["verdict"] == "not_in_evidence"


@pytest.mark.parametrize(
    "answer",
    [
        "The claim is supported.",  # not JSON
        '{"verdict": "supported", "quote": "two-year"',  # truncated JSON
        '{"verdict": "maybe", "quote": ""}',  # not in the enum
        '{"verdict": "supported"}',  # quote missing
        '{"verdict": "supported", "quote": 7}',  # wrong type
        '["supported"]',  # not an object
        '{"verdict": "contradicted", "quote": ""}',  # a contradiction needs its quote
        '{"verdict": "supported", "quote": "a lifetime warranty"}',  # a quote the evidence lacks
    ],
)
def test_an_answer_that_fails_the_schema_is_refused(answer: str) -> None:
    with pytest.raises(JudgeAnswerInvalid):
        parse_verdict(answer, evidence=EVIDENCE)


@pytest.fixture
def item(world):  # type: ignore[no-untyped-def]
    made = make_scored_item(world)
    claimed = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    assert claimed is not None and claimed.pk == made.pk
    return claimed


@pytest.mark.django_db
def test_judges_each_checkable_claim_once(world, item, llm_on, fake_llm) -> None:
    assert judge_draft(item.draft_id, "high_risk_intent") == "judged 2 claims"
    verdicts = {v.claim_index: v for v in JudgeVerdict.objects.filter(draft_id=item.draft_id)}
    assert set(verdicts) == {0, 1}  # the pleasantry (claim 2) is not sent
    assert verdicts[0].verdict == "supported" and verdicts[0].quote.startswith("All X200 blenders")
    assert verdicts[0].model == "fake-judge" and len(verdicts[0].prompt_hash) == 64
    sent = fake_llm.requests[0]
    assert sent["model"] == "fake-judge" and sent["response_format"] == {"type": "json_object"}
    assert JudgeRun.objects.get(draft_id=item.draft_id).status == "done"
    # A re-delivered task changes nothing and calls nothing.
    assert judge_draft(item.draft_id, "high_risk_intent") == "skipped"
    assert len(fake_llm.requests) == 2 and JudgeVerdict.objects.filter(draft_id=item.draft_id).count() == 2


@pytest.mark.django_db
def test_malformed_judge_json_is_stored_as_invalid(world, item, llm_on, fake_llm) -> None:
    llm_on(max_retries=0)
    fake_llm.default = fake.ok('{"verdict": "supported", "quote": ')
    judge_draft(item.draft_id, "high_risk_intent")
    verdicts = list(JudgeVerdict.objects.filter(draft_id=item.draft_id))
    assert {v.verdict for v in verdicts} == {"invalid"} and all("not JSON" in v.explanation for v in verdicts)
    # An invalid answer is no vote: the draft-level call is "no opinion", not "bad".
    assert selectors.judge_says_good([v.verdict for v in verdicts]) is None


@pytest.mark.django_db
@pytest.mark.parametrize(("setup", "reason"), [("down", "unavailable"), ("budget", "over_budget")])
def test_a_judge_that_cannot_run_records_why(world, item, llm_on, fake_llm, setup, reason) -> None:
    if setup == "down":
        llm_on(max_retries=0)
        fake_llm.default = fake.status(500)
    else:
        llm_on(daily_token_budget=50)
    assert judge_draft(item.draft_id, "high_risk_intent") == f"skipped: {reason}"
    run = JudgeRun.objects.get(draft_id=item.draft_id)
    assert (run.status, run.reason) == ("skipped", reason)
    assert not JudgeVerdict.objects.filter(draft_id=item.draft_id).exists()


@pytest.mark.django_db
def test_review_page_shows_judge_verdicts_beside_nli_and_agreement(world, item, llm_on, fake_llm) -> None:
    fake_llm.script = [fake.ok(json.dumps({"verdict": "not_in_evidence", "quote": "", "explanation": "absent"}))]
    judge_draft(item.draft_id, "high_risk_intent")
    client = Client()
    client.force_login(world.reviewer)
    html = client.get(reverse("web:item", args=[item.pk])).content.decode()
    assert "Judge verdicts beside the NLI verdicts" in html
    assert html.count('class="judge-row"') == 2
    assert "Not in evidence" in html and "Supported" in html
    assert "All X200 blenders come with a two-year limited warranty." in html  # the quoted evidence
    assert "Judge vs reviewers" not in html  # nothing resolved yet

    # The reviewer approves; the judge said one claim is not in the evidence: a disagreement.
    services.review_item_submit(user=world.reviewer, item_id=item.pk, disposition="approved", now=timezone.now())
    [figure] = selectors.judge_agreement(tenant_id=world.tenant.pk)
    assert (figure.queue_name, figure.compared, figure.agreed, figure.rate) == ("billing", 1, 0, 0.0)
    html = client.get(reverse("web:item", args=[item.pk])).content.decode()
    assert "Judge vs reviewers" in html and "agreement on 1 resolved draft" in html


@pytest.mark.django_db
def test_agreement_counts_per_queue(world, llm_on, fake_llm) -> None:
    from tests.factories import make_queue

    other = make_queue(world.tenant, "shipping", group=world.queue.reviewer_group)
    for queue, disposition in ((world.queue, "approved"), (world.queue, "rejected"), (other, "approved")):
        made = make_scored_item(world, queue=queue)
        item = services.review_item_claim_next(user=world.reviewer, now=timezone.now(), queue_ids=[queue.pk])
        assert item is not None and item.pk == made.pk
        judge_draft(item.draft_id, "audit_sample")  # the fake judge finds every claim supported
        services.review_item_submit(
            user=world.reviewer,
            item_id=item.pk,
            disposition=disposition,
            reason_code="factually_wrong" if disposition == "rejected" else "",
            now=timezone.now(),
        )
    rows = {a.queue_name: (a.compared, a.agreed) for a in selectors.judge_agreement(tenant_id=world.tenant.pk)}
    assert rows == {"billing": (2, 1), "shipping": (1, 1)}
    assert selectors.judge_agreement(tenant_id=world.other_tenant.pk) == []


@pytest.mark.django_db
def test_admin_shows_the_agreement_figure(world, llm_on, fake_llm, admin_client) -> None:
    made = make_scored_item(world)
    item = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    assert item is not None and item.pk == made.pk
    judge_draft(item.draft_id, "audit_sample")
    services.review_item_submit(user=world.reviewer, item_id=item.pk, disposition="approved", now=timezone.now())
    html = admin_client.get("/admin/llm/judgeverdict/").content.decode()
    assert 'id="judge-agreement"' in html and "100%" in html


@pytest.mark.django_db
def test_an_escalation_is_no_label_for_the_agreement(world, llm_on, fake_llm) -> None:
    """Escalating says nothing of the draft's quality: only the L2 reviewer's verdict counts,
    in the L2 queue (the judge found every claim supported; L2 rejects: a disagreement)."""
    made = make_scored_item(world)
    item = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    assert item is not None and item.pk == made.pk
    judge_draft(item.draft_id, "audit_sample")
    services.review_item_escalate(
        user=world.reviewer,
        item_id=item.pk,
        target_queue_id=world.l2_queue.pk,
        note="policy question",
        now=timezone.now(),
    )
    assert selectors.judge_agreement(tenant_id=world.tenant.pk) == []
    l2 = services.review_item_claim_next(user=world.lead, now=timezone.now(), queue_ids=[world.l2_queue.pk])
    assert l2 is not None and l2.draft_id == item.draft_id
    services.review_item_submit(
        user=world.lead, item_id=l2.pk, disposition="rejected", reason_code="factually_wrong", now=timezone.now()
    )
    rows = {a.queue_name: (a.compared, a.agreed) for a in selectors.judge_agreement(tenant_id=world.tenant.pk)}
    assert rows == {"billing-l2": (1, 0)}
