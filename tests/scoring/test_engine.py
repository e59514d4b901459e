from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.calibration import Calibrator
from scoring.engine import Scorer, ScorerConfig
from scoring.errors import ConfigurationError
from scoring.guardrails import GuardrailRules
from scoring.inputs import DraftInput, Passage, TokenLogprobs
from scoring.results import ScoreResult
from tests.scoring.conftest import FixedNLI

EVIDENCE = (
    Passage("kb-1", "Refunds are paid within 14 days of the return. The plan costs 12 dollars per month."),
    Passage("kb-2", "Support is open on weekdays from nine to five."),
)


def draft(text, passages=EVIDENCE, **kw):
    return DraftInput(question="How do refunds work?", draft=text, passages=passages, **kw)


def test_full_result_is_json_serialisable_and_round_trips(scorer):
    lp = TokenLogprobs(("Refunds", " take", " 14", " days", "."), (-0.1, -0.2, -2.9, -0.1, 0.0), None)
    r = scorer.score(draft("Hi! Refunds take 14 days. They cost $99.", logprobs=lp))
    body = json.loads(json.dumps(r.to_dict()))
    assert ScoreResult.from_dict(body) == r
    assert r.verification_status == "complete"
    assert [c.verdict != "not_checkable" for c in r.claims] == [False, True, True]
    assert r.logprob_signals is not None and r.logprob_signals.low_confidence_spans
    assert [h.text for h in r.guardrail_hits] == ["$99"]
    assert set(r.versions) >= {"model", "calibrator", "scorer"}
    assert r.versions["model"].startswith(scorer.model_version.split("@")[0])
    assert 0.0 <= r.confidence <= 1.0 and 0.0 <= r.risk <= 1.0
    assert r.timings_ms["total"] > 0


def test_claims_carry_verdicts_probabilities_and_evidence(fresh_scorer):
    s = fresh_scorer()
    s.verifier._forward = FixedNLI({"14 days": (0.9, 0.05, 0.05), "weekends": (0.05, 0.15, 0.8)})
    r = s.score(draft("Refunds take 14 days. Support is open on weekends."))
    c1, c2 = r.claims
    assert (c1.verdict, c1.best_passage_id) == ("supported", "kb-1")
    assert (
        EVIDENCE[0].text[c1.best_sentence_start : c1.best_sentence_end]
        == "Refunds are paid within 14 days of the return."
    )
    assert c1.p_entail == pytest.approx(0.9)
    assert (c2.verdict, c2.best_passage_id, c2.p_contradict) == ("refuted", "kb-2", pytest.approx(0.8))
    assert r.has_refuted_claim


@pytest.mark.parametrize(
    ("passage", "claim", "flagged", "reason"),
    [
        (
            "Phone support is open Monday to Friday.",
            "Phone support is open on Saturdays.",
            "Saturdays",
            "the evidence gives other days",
        ),
        (
            "Audit logs are available on the Enterprise plan only.",
            "Audit logs are available on every plan.",
            "every",
            "the evidence limits it to some",
        ),
        (
            "The green curry was fragrant. Service was painfully slow, though.",
            "One reviewer loved the service.",
            "One reviewer loved the service.",
            "the reviews criticised the service",
        ),
    ],
)
def test_a_prose_schedule_scope_or_opinion_mismatch_overrules_the_nli(fresh_scorer, passage, claim, flagged, reason):
    # The NLI reads both as paraphrases; the value comparison decides, and flags the words.
    s = fresh_scorer()
    s.verifier._forward = FixedNLI({}, default=(0.9, 0.05, 0.05))
    r = s.score(DraftInput(question="", draft=claim, passages=(Passage("kb", passage),)))
    (c,) = r.claims
    assert (c.verdict, c.evidence_reason, c.best_passage_id) == ("refuted", reason, "kb")
    assert [claim[a:b] for a, b in c.flags] == [flagged]
    assert r.has_refuted_claim


@pytest.mark.parametrize(("days", "verdict"), [("12", "supported"), ("45", "refuted")])
def test_a_window_applied_to_the_customers_case_decides_over_a_neutral_nli(fresh_scorer, days, verdict):
    s = fresh_scorer()
    s.verifier._forward = FixedNLI({}, default=(0.1, 0.8, 0.1))
    passages = (Passage("kb", "Returns must be made within 30 days of delivery."),)
    claim = f"Since your order arrived {days} days ago, you're still within the return window."
    r = s.score(DraftInput(question="", draft=claim, passages=passages))
    assert [c.verdict for c in r.claims if c.checkable] == [verdict]


def test_a_name_no_evidence_gives_is_not_supported_on_the_nli_alone(fresh_scorer):
    s = fresh_scorer()
    s.verifier._forward = FixedNLI({}, default=(0.9, 0.05, 0.05))
    passages = (Passage("kb", "The study was run in Swansea by a team of sleep researchers."),)
    made_up = s.score(
        DraftInput(question="", draft="The study was run in Cardiff by sleep researchers.", passages=passages)
    )
    stated = s.score(DraftInput(question="", draft="Sleep researchers ran the study in Swansea.", passages=passages))
    asked = s.score(
        DraftInput(question="Was Cardiff involved?", draft="The study was run in Cardiff, too.", passages=passages)
    )
    assert [c.verdict for c in (*made_up.claims, *stated.claims, *asked.claims)] == [
        "insufficient",
        "supported",
        "supported",
    ]


def test_one_bad_claim_pulls_the_whole_draft_down(fresh_scorer):
    s = fresh_scorer()
    s.verifier._forward = FixedNLI({"good": (0.95, 0.03, 0.02), "bad": (0.05, 0.9, 0.05)})
    good = "This good claim holds. " * 6
    r_good = s.score(draft(good))
    r_one_bad = s.score(draft(good + "This bad claim fails."))
    assert r_one_bad.features["support_min"] == pytest.approx(0.05)
    assert r_one_bad.features["support_hmean"] < 0.3  # a plain mean would be 0.82
    assert r_one_bad.raw_score < r_good.raw_score - 0.2


@pytest.mark.parametrize(
    "text",
    ["", "   ", "?", "\x00\x01", "😀" * 50, "a" * 20000, "Hello!\n\n\n", "$$$ 1,2,3,,, %%% http://", "1. 2. 3."],
)
def test_odd_text_never_raises(scorer, text):
    r = scorer.score(draft(text))
    json.dumps(r.to_dict())
    assert r.verification_status in {"complete", "partial_timeout"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300), evidence=st.text(max_size=300))
def test_arbitrary_text_never_raises(scorer, text, evidence):
    r = scorer.score(draft(text, passages=(Passage("p", evidence),)))
    for c in r.claims:
        assert text[c.start : c.end] == c.text
    for h in r.guardrail_hits:
        assert text[h.start : h.end] == h.text


def test_no_passages_is_no_evidence(scorer):
    r = scorer.score(draft("The plan costs 12 dollars.", passages=()))
    assert r.verification_status == "no_evidence"
    assert r.claims[0].verdict == "insufficient" and r.claims[0].reason == "not_verified"


def test_nothing_checkable_is_complete(scorer):
    assert scorer.score(draft("Thanks! Anything else?")).verification_status == "complete"


def test_missing_model_is_visible_as_unavailable(tmp_path):
    s = Scorer(ScorerConfig.of(model_path=str(tmp_path / "missing")))
    assert s.verifier is None and "not found" in (s.verifier_error or "")
    r = s.score(draft("The plan costs 12 dollars."))
    assert r.verification_status == "unavailable" and r.versions["model"] == "unavailable"


def test_require_verifier_raises_at_start_up(tmp_path):
    with pytest.raises(ConfigurationError):
        Scorer(ScorerConfig.of(model_path=str(tmp_path / "missing"), require_verifier=True))


def test_verifier_crash_is_absorbed_as_unavailable(fresh_scorer):
    s = fresh_scorer()

    def boom(premises, hypotheses):
        raise RuntimeError("CUDA fell over")

    s.verifier._forward = boom
    r = s.score(draft("The plan costs 12 dollars per month."))
    assert r.verification_status == "unavailable"
    assert any("CUDA fell over" in e for e in r.errors)


def test_time_budget_gives_partial_timeout(fresh_scorer):
    import time

    s = fresh_scorer(time_budget_ms=1.0, batch_size=1, cache_size=0)
    real = s.verifier._forward

    def slow(p, h):
        time.sleep(0.01)
        return real(p, h)

    s.verifier._forward = slow
    r = s.score(draft("Refunds take 14 days. The plan costs 12 dollars. Support opens at nine."))
    assert r.verification_status == "partial_timeout"
    assert any(c.reason == "not_verified" for c in r.claims)


def test_per_call_rules_and_calibrator(scorer):
    rules = GuardrailRules.from_dict(
        {"version": "q", "block": [{"name": "promise", "pattern": "promise"}], "allow": ["$99"]}
    )
    r = scorer.score(draft("I promise it costs $99."), rules=rules)
    assert [(h.kind, h.rule) for h in r.guardrail_hits] == [("blocked_pattern", "promise")]
    cal = Calibrator.fit([0.0, 0.2, 0.8, 1.0], [0, 0, 1, 1], method="platt")
    r2 = scorer.score(draft("It costs 12 dollars."), calibrator=cal)
    assert r2.versions["calibrator"] == cal.version
    assert r2.confidence == pytest.approx(cal.predict(r2.raw_score))


def test_config_validation_and_from_dict(tiny_model_dir):
    cfg = ScorerConfig.from_dict({"model_path": tiny_model_dir, "guardrails": {"version": "g", "allow": ["x"]}})
    assert cfg.guardrails.allow == ("x",)
    with pytest.raises(ConfigurationError):
        ScorerConfig.from_dict({"model_path": tiny_model_dir, "bogus": 1})
    with pytest.raises(ConfigurationError):
        ScorerConfig.of(model_path=tiny_model_dir, entail_threshold=0)
    with pytest.raises(ConfigurationError):
        ScorerConfig.of(model_path=tiny_model_dir, time_budget_ms=0)


def test_scoring_never_imports_django():
    import subprocess
    import sys

    code = (
        "import sys, scoring.engine, scoring.policy, scoring.evaluate, scoring.cli;"
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_a_calibrator_fitted_for_another_model_is_not_used(tmp_path, tiny_model_dir):
    cal = Calibrator.fit([0.0, 0.2, 0.8, 1.0], [0, 0, 1, 1], method="platt", meta={"model": "other@123"})
    path = tmp_path / "cal.json"
    cal.save(path)
    s = Scorer(ScorerConfig.of(model_path=tiny_model_dir, calibrator_path=str(path)))
    assert s.calibrator.version == "uncalibrated"
    ok = Calibrator.fit([0.0, 0.2, 0.8, 1.0], [0, 0, 1, 1], method="platt", meta={"model": s.model_version})
    ok.save(path)
    assert Scorer(ScorerConfig.of(model_path=tiny_model_dir, calibrator_path=str(path))).calibrator == ok


def test_get_scorer_builds_once_per_process(tiny_model_dir):
    from scoring.engine import get_scorer, reset_scorer

    reset_scorer()
    try:
        a = get_scorer(ScorerConfig.of(model_path=tiny_model_dir))
        assert get_scorer() is a and a.verifier is not None
    finally:
        reset_scorer()


def test_a_claim_longer_than_the_model_limit_is_still_verified(scorer):
    long_claim = " ".join(["the plan costs a b c d"] * 150) + "."
    r = scorer.score(draft(long_claim, passages=(Passage("p", "The plan costs 12. " * 50),)))
    assert r.verification_status == "complete" and not r.errors
    assert r.claims[0].p_entail is not None


def test_a_per_call_calibrator_for_another_model_is_not_used(scorer):
    cal = Calibrator.fit([0.0, 0.2, 0.8, 1.0], [0, 0, 1, 1], method="platt", meta={"model": "old@1"})
    r = scorer.score(draft("It costs 12 dollars."), calibrator=cal)
    assert r.versions["calibrator"] == "uncalibrated" and "fitted for model old@1" in r.errors[0]


def test_an_insufficient_claim_flags_its_unsupported_words(fresh_scorer):
    s = fresh_scorer()
    s.verifier._forward = FixedNLI({"lifetime": (0.1, 0.8, 0.1)}, default=(0.95, 0.03, 0.02))
    text = "The X200 has a two-year warranty. It also has a lifetime guarantee on the motor."
    r = s.score(draft(text, passages=(Passage("kb", "The X200 has a two-year warranty."),)))
    bad = [c for c in r.claims if c.verdict == "insufficient"]
    assert len(bad) == 1 and [text[a:b] for a, b in bad[0].flags] == ["lifetime guarantee on the motor"]
    assert [text[a:b] for a, b in r.flagged_spans] == ["lifetime guarantee on the motor"]


def test_a_record_field_refutes_a_wrong_value_and_is_shown_as_the_evidence(fresh_scorer):
    import json

    s = fresh_scorer()
    s.verifier._forward = FixedNLI({}, default=(0.1, 0.8, 0.1))
    record = json.dumps({"name": "Luigi's", "hours": {"Monday": "11:0-20:0", "Tuesday": "11:0-20:0"}})
    text = "Luigi's is open on Monday from 11 AM to 9 PM."
    r = s.score(draft(text, passages=(Passage("rec", record),)))
    (claim,) = [c for c in r.claims if c.checkable]
    assert claim.verdict == "refuted" and claim.evidence_field == "hours.Monday"
    assert claim.best_passage_id == "rec"
    assert record[claim.best_sentence_start : claim.best_sentence_end] == "11:0-20:0"
    assert [text[a:b] for a, b in claim.flags] and all("9" in text[a:b] for a, b in claim.flags)
    good = s.score(draft("Luigi's is open on Monday from 11 AM to 8 PM.", passages=(Passage("rec", record),)))
    assert [c.verdict for c in good.claims if c.checkable] == ["supported"]


def test_a_records_reviews_refute_an_opinion_they_state_the_other_way(fresh_scorer):
    import json

    s = fresh_scorer()
    s.verifier._forward = FixedNLI({}, default=(0.9, 0.05, 0.05))
    reviews = [
        {"review_stars": 2, "review_text": "The green curry was fragrant. Service was painfully slow, though."},
        {"review_stars": 4, "review_text": "Lovely pad thai and the staff were friendly."},
    ]
    record = json.dumps({"name": "Bangkok Garden", "stars": 3.5, "review_info": reviews})
    r = s.score(draft("Customers praise the quick service.", passages=(Passage("rec", record),)))
    (claim,) = [c for c in r.claims if c.checkable]
    assert (claim.verdict, claim.evidence_reason) == ("refuted", "the reviews criticised the service")
    # The review page shows the review that says otherwise, in the record's own text.
    assert (claim.best_passage_id, claim.evidence_field) == ("rec", "review_info[0].review_text")
    assert "Service was painfully slow" in record[claim.best_sentence_start : claim.best_sentence_end]
    r = s.score(draft("Customers praise the friendly staff.", passages=(Passage("rec", record),)))
    assert [c.verdict for c in r.claims if c.checkable] == ["supported"]


def test_the_nli_alone_does_not_refute_a_claim_read_from_a_records_reviews(fresh_scorer):
    import json

    s = fresh_scorer()
    s.verifier._forward = FixedNLI({}, default=(0.05, 0.05, 0.9))
    review = "Tables are hard to get on weekends, and the host seemed to pick favourites among the regulars."
    # Only the review: the verifier reads it as the record's text, not among field statements.
    record = json.dumps({"review_info": [{"review_text": review}]})
    claim = "One reviewer said the host never played favourites."
    r = s.score(draft(claim, passages=(Passage("rec", record),)))
    assert [c.verdict for c in r.claims if c.checkable] == ["insufficient"]
    # Against prose the NLI's contradiction across a negation still refutes.
    r = s.score(draft(claim, passages=(Passage("kb", review),)))
    assert [c.verdict for c in r.claims if c.checkable] == ["refuted"]
    # Nor a claim that reports no opinion: a paraphrase of the review.
    r = s.score(draft("Tables are easy to get on weekends.", passages=(Passage("rec", record),)))
    assert [c.verdict for c in r.claims if c.checkable] == ["insufficient"]
    # The typed comparators read the review as they read prose: a negation reversed refutes.
    r = s.score(draft("Tables are never hard to get.", passages=(Passage("rec", record),)))
    assert [c.verdict for c in r.claims if c.checkable] == ["refuted"]


def test_the_nli_may_not_refute_a_claim_from_a_records_field_statements(fresh_scorer):
    import json

    s = fresh_scorer()
    s.verifier._forward = FixedNLI({}, default=(0.05, 0.05, 0.9))
    record = json.dumps({"name": "Luigi's", "cuisine": "Italian", "rating": 4.5})
    r = s.score(draft("Luigi's serves pasta made fresh every morning.", passages=(Passage("rec", record),)))
    (claim,) = [c for c in r.claims if c.checkable]
    assert claim.verdict == "insufficient" and claim.best_passage_id == "rec"
    assert r.features["contradict_max"] == 0.0


def test_a_records_support_stands_against_an_nli_refutation_read_from_its_own_fields(fresh_scorer):
    import json

    s = fresh_scorer()
    s.verifier._forward = FixedNLI({}, default=(0.05, 0.05, 0.9))
    hours = dict.fromkeys(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"), "9:0-18:0")
    record = json.dumps({"store": "Porto", "hours": hours})
    text = "The Porto store is open Monday to Friday from 9 AM to 6 PM."
    r = s.score(draft(text, passages=(Passage("rec", record),)))
    assert [c.verdict for c in r.claims if c.checkable] == ["supported"]


def one_claim(s, claim, passage):
    r = s.score(DraftInput(question="", draft=claim, passages=(Passage("kb", passage),)))
    (c,) = [c for c in r.claims if c.checkable]
    return r, c


def test_a_contradiction_without_a_typed_or_polarity_difference_does_not_refute(fresh_scorer):
    # A faithful paraphrase the model reads as contradicting its evidence: nothing typed differs,
    # nor does the polarity, so the claim is left insufficient and the draft is not held for it.
    s = fresh_scorer()
    s.verifier._forward = FixedNLI({}, default=(0.02, 0.08, 0.9))
    r, c = one_claim(
        s,
        "Some place names come from the people who inhabit or once inhabited the land.",
        "Some place names simply come from the people who inhabit the land.",
    )
    assert (c.verdict, c.best_passage_id, c.p_contradict) == ("insufficient", "kb", pytest.approx(0.9))
    assert not r.has_refuted_claim
    assert r.features["frac_refuted"] == 0.0 and r.features["contradict_max"] == pytest.approx(0.9)


def test_a_contradiction_across_a_polarity_difference_still_refutes(fresh_scorer):
    s = fresh_scorer()
    s.verifier._forward = FixedNLI({}, default=(0.1, 0.3, 0.6))
    r, c = one_claim(
        s,
        "You can export any report to PDF directly from the mobile app.",
        "The mobile app does not support exporting reports to PDF.",
    )
    assert (c.verdict, c.best_passage_id) == ("refuted", "kb")
    assert r.has_refuted_claim


@pytest.mark.parametrize("nli", [(0.05, 0.9, 0.05), (0.1, 0.35, 0.55)])
def test_a_typed_mismatch_refutes_whatever_the_nli_reads(fresh_scorer, nli):
    s = fresh_scorer()
    s.verifier._forward = FixedNLI({}, default=nli)
    r, c = one_claim(
        s, "The late payment fee is $40.", "A late payment fee of $25 is charged if the minimum payment is late."
    )
    assert (c.verdict, c.evidence_reason) == ("refuted", "the evidence states another figure")
    assert [c.text[a - c.start : b - c.start] for a, b in c.flags] == ["$40"]
    assert r.has_refuted_claim
