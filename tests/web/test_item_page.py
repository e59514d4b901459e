"""The review page: what it shows, to whom, and in how many queries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from reviewqueue.calibration.services import claim_label_record
from reviewqueue.review import services
from reviewqueue.review.models import ReviewItem
from tests.factories import World
from tests.web.factories import DRAFT, PASSAGE, make_scored_item, score_for
from tests.web.helpers import body

pytestmark = pytest.mark.django_db


def page(client, item: ReviewItem):
    return client.get(reverse("web:item", args=[item.pk]))


def test_shows_claims_evidence_signals_and_history(world: World, client_for, claimed_item: ReviewItem) -> None:
    html = body(page(client_for(world.reviewer), claimed_item))
    assert 'class="claim v-supported" data-claim="0"' in html
    assert 'class="claim v-insufficient" data-claim="1"' in html
    assert '<mark class="lowconf" title="Low model confidence">24-month</mark>' in html
    assert '<mark class="evidence-hit ">Products must be registered within 30 days of purchase.</mark>' in html
    assert "Insufficient evidence" in html and "62%" in html  # verdict in words, NLI probabilities
    # An insufficient claim without flags (`scoring.flags`): its verdict is shown, no words marked.
    assert 'aria-label="Claim 2: Insufficient evidence. Show evidence"' in html and 'class="flagged"' not in html
    assert "unsupported number" in html  # guardrail hit
    assert "42%" in html and "low_confidence" in html and "tiny-nli-1" in html and "faq-v3" in html
    assert "review.claimed" in html  # history
    assert 'data-lease-live="true"' in html and 'hx-post="/items/' in html  # heartbeat while open
    assert 'aria-keyshortcuts="a"' in html


# What `scoring` produced for this draft with the NLI verifier unavailable (ScoreResult.to_dict()).
REAL_TEXT = (
    "The X200 blender has a 24-month warranty. Register it within 30 days to activate it. "
    "Call 555-0199 for help. I hope this helps!"
)
REAL_SCORE = json.loads((Path(__file__).parent / "data" / "score_verifier_unavailable.json").read_text())


def test_renders_a_score_from_the_scoring_library(world: World, client_for) -> None:
    make_scored_item(world, draft=REAL_TEXT, score=REAL_SCORE)
    item = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    assert item is not None
    html = body(page(client_for(world.reviewer), item))
    assert "Verification unavailable." in html and "Not verified: the verifier was unavailable" in html
    assert "Words also found in the evidence: 60%" in html
    assert html.count('class="claim v-insufficient" data-claim') == 3 and 'class="claim v-not_checkable"' in html
    assert "unsupported number" in html and "hand-v1-4710fc57" in html


def test_the_flagged_words_of_an_unsupported_claim_are_marked(world: World, client_for) -> None:
    passages = [{"id": "kb-17", "text": PASSAGE}]
    score = score_for(
        DRAFT,
        passages,
        [
            ("The X200 blender has a 24-month warranty.", "supported", "kb-17", None),
            ("Register it within 30 days to activate it.", "insufficient", "kb-17", None),
        ],
    )
    at = DRAFT.index("activate")
    score["claims"][1]["flags"] = [[at, at + len("activate")]]
    make_scored_item(world, score=score)
    item = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    assert item is not None
    html = body(page(client_for(world.reviewer), item))
    assert (
        'data-claim="1" id="claim-span-1">Register it within 30 days to '
        '<mark class="flagged" title="Read this first: what the evidence does not back">activate</mark> it.</span>'
    ) in html


def test_unscored_draft_renders_plainly(world: World, client_for) -> None:
    make_scored_item(world, score=None)
    item = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    assert item is not None
    response = page(client_for(world.reviewer), item)
    assert response.status_code == 200
    html = body(response)
    assert "has not been scored" in html
    assert f'<div class="draft-text" id="draft-text">{DRAFT}</div>' in html


@pytest.mark.parametrize(
    "score",
    [
        {
            "claims": [
                {"text": "x", "start": -5, "end": 10_000, "verdict": "refuted"},
                "junk",
                {"start": "a"},
            ],
            "guardrail_hits": [{"kind": "k"}, None],
            "logprob_signals": {"low_confidence_spans": [[3, 1], "x", [0, 4]]},
        },
        {"claims": None, "versions": "nope"},
        {"claims": 5, "guardrail_hits": "x", "errors": 3},
        {"logprob_signals": {"low_confidence_spans": 1}},
        {},
    ],
)
def test_odd_scores_do_not_break_the_page(world: World, client_for, score) -> None:
    make_scored_item(world, score=score)
    item = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    assert item is not None
    response = page(client_for(world.reviewer), item)
    assert response.status_code == 200
    assert DRAFT[:20] in body(response)


def test_read_only_for_a_queue_member_who_does_not_hold_it(world: World, client_for, claimed_item: ReviewItem) -> None:
    html = body(page(client_for(world.other_reviewer), claimed_item))
    assert 'data-lease-live="false"' in html and "Another reviewer holds this item" in html
    assert 'hx-post="/items/' not in html.split('id="lease"')[1][:400]  # no heartbeat for a watcher
    assert 'data-requires-lease aria-keyshortcuts="a" disabled' in html


def test_resolved_item_is_read_only(world: World, client_for, claimed_item: ReviewItem) -> None:
    services.review_item_submit(
        user=world.reviewer,
        item_id=claimed_item.pk,
        disposition="rejected",
        reason_code="unsafe",
        now=timezone.now(),
    )
    html = body(page(client_for(world.reviewer), claimed_item))
    assert "This item is resolved" in html and "unsafe" in html
    assert "Sent to the customer" in html and world.queue.fallback_text in html
    assert 'aria-keyshortcuts="a"' not in html  # no decision buttons on a closed item


def test_escalated_item_shows_the_note_to_the_next_reviewer(world: World, client_for, claimed_item: ReviewItem) -> None:
    successor = services.review_item_escalate(
        user=world.reviewer,
        item_id=claimed_item.pk,
        target_queue_id=world.l2_queue.pk,
        note="Region-specific terms <b>apply</b>",
        now=timezone.now(),
    )
    html = body(page(client_for(world.lead), successor))
    assert "Escalated to you" in html and "Region-specific terms &lt;b&gt;apply&lt;/b&gt;" in html


def test_outsider_gets_403_and_stranger_404(world: World, client_for, claimed_item: ReviewItem) -> None:
    forbidden = page(client_for(world.outsider), claimed_item)
    assert forbidden.status_code == 403 and "not a reviewer in this item" in body(forbidden)
    assert page(client_for(world.stranger), claimed_item).status_code == 404
    assert client_for(world.reviewer).get(reverse("web:item", args=[999_999])).status_code == 404


def test_review_page_queries_do_not_grow(world: World, client_for, django_assert_num_queries) -> None:
    """session, user, item+queue+draft, tenant membership, group membership, claim labels,
    events (+actors), escalation targets, the reviewer's queue ids, linked items (+queues)."""
    client = client_for(world.reviewer)
    make_scored_item(world)
    small = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    assert small is not None
    page(client, small)
    with django_assert_num_queries(10):
        page(client, small)

    sentences = [f"Claim number {i} is here." for i in range(30)]
    text = " ".join(sentences)
    passages = [{"id": "kb-17", "text": PASSAGE}]
    score = score_for(
        text,
        passages,
        [(s, "supported", "kb-17", "All X200 blenders come with a two-year limited warranty.") for s in sentences],
    )
    make_scored_item(world, draft=text, score=score, priority=0.9)
    big = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    assert big is not None
    for i in range(5):
        claim_label_record(
            user=world.reviewer,
            item_id=big.pk,
            claim_index=i,
            label="unsupported",
            now=timezone.now(),
        )
    with django_assert_num_queries(10):
        response = page(client, big)
    assert body(response).count('class="claim-card"') == 30
