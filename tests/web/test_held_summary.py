"""Why it was held: the routing reason codes in plain language at the top of the review page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reviewqueue.review.models import Draft, ReviewItem
from reviewqueue.web.presenters import held_summary, score_view
from tests.factories import World
from tests.web.helpers import stored_score


def summary(reasons, *, claims=(), intent="refund", tier="gold"):  # type: ignore[no-untyped-def]
    score = stored_score(claims=[{"text": "x", "start": 0, "end": 1, "checkable": True, "verdict": v} for v in claims])
    view = score_view(text="x" * 10, passages=[], score=score)
    return held_summary(reasons=reasons, score=view, intent=intent, customer_tier=tier)


def test_the_example_from_the_issue():
    phrases = summary(
        ["confidence_queue_for_review", "guardrail:unsupported_amount", "regulated_intent"],
        claims=["insufficient", "insufficient", "supported"],
    )
    assert phrases == [
        "2 claims not found in the evidence",
        "an amount that appears in no passage",
        "intent “refund” requires review",
    ]


@pytest.mark.parametrize(
    ("code", "phrase"),
    [
        ("confidence_queue_for_review", "the confidence is too low to send it automatically"),
        ("uncalibrated_confidence", "the scorer is not calibrated yet, so nothing is sent without a person"),
        ("refuted_claim", "1 claim contradicted by the evidence"),
        ("guardrail:unsupported_date", "a date that appears in no passage"),
        ("guardrail:unsupported_url", "a link that appears in no passage"),
        ("blocked_pattern:competitor", "the text matches the blocked pattern “competitor”"),
        ("unverifiable:unavailable", "the verifier was unavailable, so no claim could be checked"),
        (
            "unverifiable:partial_timeout:high_risk_intent",
            "the verifier ran out of time before checking every claim, and intent “refund” is high-risk",
        ),
        ("amount_over_limit", "the amount is over the limit for automatic answers"),
        ("customer_tier:gold", "customer tier “gold” requires review"),
        ("something_new:x", "something new: x"),
    ],
)
def test_each_reason_code_reads_plainly(code, phrase):
    assert summary([code]) == [phrase]


def test_refuted_claims_are_counted_and_auto_send_confidence_is_not_a_reason():
    assert summary(["confidence_auto_send", "refuted_claim"], claims=["refuted", "refuted"]) == [
        "2 claims contradicted by the evidence"
    ]
    assert summary([]) == [] and summary(None) == []


def test_the_review_page_says_why_first(world: World, client_for, claimed_item: ReviewItem) -> None:
    Draft.objects.filter(pk=claimed_item.draft_id).update(
        decision_reasons=["confidence_queue_for_review", "guardrail:unsupported_amount", "regulated_intent"],
        intent="refund",
    )
    html = client_for(world.reviewer).get(reverse("web:item", args=[claimed_item.pk])).content.decode()
    assert "Why it was held" in html
    assert (
        "1 claim not found in the evidence; an amount that appears in no passage; intent “refund” requires review."
        in html
    )
    # First: before the action bar and the draft.
    assert html.index("Why it was held") < html.index('aria-label="Decision on this draft"')


def test_untrusted_reason_codes_are_escaped(world: World, client_for, claimed_item: ReviewItem) -> None:
    Draft.objects.filter(pk=claimed_item.draft_id).update(decision_reasons=["blocked_pattern:<script>x</script>"])
    html = client_for(world.reviewer).get(reverse("web:item", args=[claimed_item.pk])).content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
