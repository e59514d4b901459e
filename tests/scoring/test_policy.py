from __future__ import annotations

import pytest

from scoring.errors import ConfigurationError
from scoring.guardrails import GuardrailHit
from scoring.inputs import DraftInput
from scoring.policy import RoutingPolicy, Thresholds
from scoring.results import ClaimResult, ScoreResult


def result(confidence=0.95, *, verdicts=("supported",), hits=(), status="complete"):
    claims = tuple(ClaimResult(f"c{i}", 0, 2, True, v) for i, v in enumerate(verdicts))
    return ScoreResult(
        logprob_signals=None,
        claims=claims,
        guardrail_hits=tuple(hits),
        features={},
        raw_score=confidence,
        confidence=confidence,
        risk=0.1,
        verification_status=status,
        versions={"model": "m@1", "calibrator": "c1", "scorer": "0.1.0"},
    )


def draft(**kw):
    return DraftInput(question="q", draft="d", passages=(), **kw)


POLICY = RoutingPolicy.default()


@pytest.mark.parametrize(
    ("confidence", "action"),
    [
        (0.99, "auto_send"),
        (0.86, "auto_send"),
        (0.8599, "auto_draft_human_send"),
        (0.62, "auto_draft_human_send"),
        (0.6199, "queue_for_review"),
        (0.22, "queue_for_review"),
        (0.2199, "block"),
    ],
)
def test_thresholds(confidence, action):
    d = POLICY.decide(result(confidence), draft())
    assert d.action == action
    assert d.reason_codes[0] == f"confidence_{action}"
    assert d.policy_version == "default-9"
    assert d.versions["policy"] == "default-9" and d.versions["model"] == "m@1"


def test_a_refuted_claim_never_auto_sends():
    d = POLICY.decide(result(0.99, verdicts=("supported", "refuted")), draft())
    assert d.action == "queue_for_review" and "refuted_claim" in d.reason_codes


def test_a_guardrail_hit_never_auto_sends():
    hit = GuardrailHit("unsupported_amount", "$5", 0, 2, "unsupported:amount")
    d = POLICY.decide(result(0.99, hits=[hit]), draft())
    assert d.action == "queue_for_review" and "guardrail:unsupported_amount" in d.reason_codes


def test_a_block_rule_blocks():
    hit = GuardrailHit("blocked_pattern", "guarantee", 0, 9, "guarantee", "block")
    assert POLICY.decide(result(0.99, hits=[hit]), draft()).action == "block"


@pytest.mark.parametrize("status", ["unavailable", "partial_timeout", "no_evidence"])
def test_unverifiable_high_risk_intent_fails_closed(status):
    d = POLICY.decide(result(0.99, status=status), draft(intent="billing"))
    assert d.action == "queue_for_review"
    assert f"unverifiable:{status}:high_risk_intent" in d.reason_codes


def test_unverifiable_low_risk_intent_still_goes_past_a_human():
    d = POLICY.decide(result(0.99, status="unavailable"), draft(intent="smalltalk"))
    assert d.action == "auto_draft_human_send"


def test_unverifiable_high_risk_can_be_configured_to_block():
    policy = RoutingPolicy.from_dict({**POLICY.to_dict(), "version": "p2", "unverifiable_high_risk_action": "block"})
    assert policy.decide(result(0.99, status="unavailable"), draft(intent="billing")).action == "block"


def test_amount_over_limit_is_at_least_reviewed():
    assert POLICY.decide(result(0.99), draft(amount=5000.0)).action == "queue_for_review"
    assert POLICY.decide(result(0.99), draft(amount=999.0)).action == "auto_send"
    assert POLICY.decide(result(0.1), draft(amount=5000.0)).action == "block"  # rules only tighten


def test_regulated_intent_and_customer_tier():
    assert POLICY.decide(result(0.99), draft(intent="legal")).action == "queue_for_review"
    d = POLICY.decide(result(0.99), draft(customer_tier="enterprise"))
    assert d.action == "auto_draft_human_send" and "customer_tier:enterprise" in d.reason_codes


def test_per_intent_and_per_queue_thresholds():
    policy = RoutingPolicy.from_dict(
        {
            "version": "p3",
            "intent_thresholds": {"faq": {"auto_send": 0.6, "auto_draft_human_send": 0.4, "queue_for_review": 0.2}},
            "queue_thresholds": {"strict": {"auto_send": 0.99, "auto_draft_human_send": 0.9, "queue_for_review": 0.5}},
        }
    )
    assert policy.decide(result(0.62), draft(intent="faq")).action == "auto_send"
    assert policy.decide(result(0.62), draft()).action == "auto_draft_human_send"
    assert policy.decide(result(0.95), draft(), queue="strict").action == "auto_draft_human_send"


def test_policy_round_trips():
    assert RoutingPolicy.from_dict(POLICY.to_dict()) == POLICY


@pytest.mark.parametrize(
    "bad",
    [
        {"thresholds": {"auto_send": 0.5}},  # no version
        {"version": "x", "thresholds": {"auto_send": 0.5, "auto_draft_human_send": 0.6, "queue_for_review": 0.1}},
        {"version": "x", "thresholds": {"auto_send": 1.5}},
        {"version": "x", "refuted_action": "auto_send"},
        {"version": "x", "unverifiable_high_risk_action": "auto_draft_human_send"},
        {"version": "x", "tier_actions": {"gold": "teleport"}},
        {"version": "x", "surprise": 1},
    ],
)
def test_bad_policies_are_refused(bad):
    with pytest.raises(ConfigurationError):
        RoutingPolicy.from_dict(bad)


def test_thresholds_order_is_enforced():
    with pytest.raises(ConfigurationError):
        Thresholds(0.5, 0.6, 0.3)


def uncalibrated(result_):
    return ScoreResult.from_dict({**result_.to_dict(), "versions": {"model": "m@1", "calibrator": "uncalibrated"}})


def test_uncalibrated_low_confidence_alone_goes_to_review_not_block():
    d = POLICY.decide(uncalibrated(result(0.1)), draft())
    assert d.action == "queue_for_review"
    assert d.reason_codes == ("confidence_queue_for_review", "uncalibrated_confidence")
    # Higher confidences are untouched: the cap only ever loosens block.
    assert POLICY.decide(uncalibrated(result(0.9)), draft()).action == "auto_send"
    assert POLICY.decide(uncalibrated(result(0.5)), draft()).action == "queue_for_review"


@pytest.mark.parametrize("evidence", ["refuted", "guardrail"])
def test_uncalibrated_low_confidence_with_evidence_still_blocks(evidence):
    hit = GuardrailHit("unsupported_amount", "$5", 0, 2, "unsupported:amount")
    r = result(0.1, verdicts=("refuted",)) if evidence == "refuted" else result(0.1, hits=[hit])
    d = POLICY.decide(uncalibrated(r), draft())
    assert d.action == "block" and "uncalibrated_confidence" not in d.reason_codes


def test_uncalibrated_cap_is_configurable_and_checked():
    plain = RoutingPolicy.from_dict({**POLICY.to_dict(), "version": "p3", "uncalibrated_confidence_cap": "block"})
    assert plain.decide(uncalibrated(result(0.1)), draft()).action == "block"
    assert plain.to_dict()["uncalibrated_confidence_cap"] == "block"
    with pytest.raises(ConfigurationError):
        RoutingPolicy.from_dict({**POLICY.to_dict(), "version": "p4", "uncalibrated_confidence_cap": "explode"})
