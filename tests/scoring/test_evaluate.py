"""The evaluate figures beyond AUROC: span overlap, claim verdicts, routing, guardrails, folds."""

from __future__ import annotations

import json
import math

import pytest

from scoring.evaluate import (
    decision_from_row,
    edit_ranges,
    extra_figures,
    format_extra,
    gold_ranges,
    guardrail_shares,
    merge_ranges,
    read_records,
    routing_view,
    span_figures,
    span_overlap_prf,
    verdict_shares,
)
from scoring.folds import fold_of
from scoring.policy import RoutingPolicy


def test_span_overlap_by_hand():
    # Record 0: flagged [0,10), gold [5,15) → 5 overlapping chars of 10 flagged, 10 gold.
    # Record 1: flagged [0,4), no gold → 4 flagged, nothing overlapping.
    p, r, f1 = span_overlap_prf([[(0, 10)], [(0, 4)]], [[(5, 15)], []])
    assert p == pytest.approx(5 / 14)
    assert r == pytest.approx(5 / 10)
    assert f1 == pytest.approx(2 * (5 / 14) * 0.5 / (5 / 14 + 0.5))


def test_span_overlap_merges_overlapping_ranges_so_nothing_counts_twice():
    # [0,10) and [5,12) cover 12 chars, not 17; gold [0,12) twice is 12 gold chars, not 24.
    p, r, f1 = span_overlap_prf([[(5, 12), (0, 10)]], [[(0, 12), (0, 12)]])
    assert (p, r, f1) == (1.0, 1.0, 1.0)
    # Touching ranges and empty ranges.
    assert merge_ranges([(3, 5), (0, 3), (7, 7), (8, 9)]) == [(0, 5), (8, 9)]


def test_span_overlap_several_ranges_per_record():
    # flagged [0,5) [10,20): 15 chars; gold [3,12) [18,30): 21 chars; overlap 2 + 2 + 2 = 6.
    p, r, _ = span_overlap_prf([[(10, 20), (0, 5)]], [[(18, 30), (3, 12)]])
    assert p == pytest.approx(6 / 15)
    assert r == pytest.approx(6 / 21)


def test_span_overlap_undefined_parts():
    p, r, f1 = span_overlap_prf([[], []], [[(0, 3)], []])
    assert math.isnan(p) and r == 0.0 and f1 == 0.0
    p, r, f1 = span_overlap_prf([[(0, 3)]], [[]])
    assert p == 0.0 and math.isnan(r) and f1 == 0.0
    with pytest.raises(ValueError):
        span_overlap_prf([[]], [])


def test_gold_ranges_are_clipped_to_the_response():
    rec = {"response": "abcdef", "spans": [{"start": 2, "end": 4, "label": "x"}, {"start": 5, "end": 99}]}
    assert gold_ranges(rec) == [(2, 4), (5, 6)]
    assert gold_ranges({"response": "abc"}) == []


def test_an_edited_summary_labelled_inconsistent_has_its_edit_as_gold():
    original = "Dividends rise to $0.13 per share, including a buyback and net debt below $25 billion."
    edited = "Dividends rise to $0.15 per share, excluding a buyback, and net debt below $25 billion."
    assert [edited[a:b] for a, b in edit_ranges(edited, original)] == ["0.15", "excluding"]
    rec = {"response": edited, "label": 1, "spans": [], "meta": {"original_summary": original}}
    assert gold_ranges(rec) == edit_ranges(edited, original)
    # A consistent edit (label 0), the original itself, or explicit spans: no derived range.
    assert gold_ranges({**rec, "label": 0}) == []
    assert gold_ranges({**rec, "response": original}) == []
    assert gold_ranges({**rec, "spans": [{"start": 0, "end": 9}]}) == [(0, 9)]
    # A deletion writes nothing into the response.
    assert edit_ranges("Dividends rise.", "Dividends rise sharply.") == []


def _row(label, decision, claims, spans=(), gold=(), chars=20, hits=()):
    return {
        "label": label,
        "decision": decision,
        "claims": [{"start": 0, "end": 5, "verdict": v} for v in claims],
        "spans": [list(s) for s in spans],
        "gold_spans": [list(s) for s in gold],
        "response_chars": chars,
        "guardrail_hits": list(hits),
    }


def test_span_figures_have_trivial_baselines_and_none_without_gold():
    rows = [_row(1, "block", [], spans=[(0, 5)], gold=[(0, 10)], chars=20), _row(0, "block", [], chars=30)]
    sp = span_figures(rows)
    assert sp is not None and sp["records_with_gold"] == 1 and sp["gold_chars"] == 10
    assert sp["scorer"]["precision"] == 1.0 and sp["scorer"]["recall"] == 0.5
    # Whole response: 10 of 50 flagged chars are gold.
    assert sp["whole_response"]["precision"] == pytest.approx(10 / 50) and sp["whole_response"]["recall"] == 1.0
    assert sp["nothing"]["recall"] == 0.0 and sp["nothing"]["f1"] == 0.0
    assert span_figures([_row(0, "block", [])]) is None


def test_verdict_shares_split_by_label():
    rows = [
        _row(0, "auto_send", ["supported", "supported", "refuted", "not_checkable"]),
        _row(0, "auto_send", ["insufficient"]),
        _row(1, "block", ["refuted", "insufficient", "not_checkable", "not_checkable"]),
    ]
    vd = verdict_shares(rows)
    assert vd is not None
    assert vd["good"]["checkable_claims"] == 4
    assert (vd["good"]["supported"], vd["good"]["refuted"], vd["good"]["insufficient"]) == (0.5, 0.25, 0.25)
    assert (vd["bad"]["supported"], vd["bad"]["refuted"], vd["bad"]["insufficient"]) == (0.0, 0.5, 0.5)
    assert vd["claims"] == 9 and vd["not_checkable"] == pytest.approx(3 / 9)


def test_routing_view_shares_and_goal():
    labels = [0, 0, 0, 0, 1, 1]
    actions = ["auto_send", "auto_draft_human_send", "queue_for_review", "block", "auto_send", "block"]
    rv = routing_view(labels, actions)
    assert rv["n_good"] == 4 and rv["n_bad"] == 2
    assert rv["bad_auto_send"] == 0.5
    assert [rv[f"good_{a}"] for a in ("auto_send", "auto_draft_human_send", "queue_for_review", "block")] == [
        0.25,
        0.25,
        0.25,
        0.25,
    ]
    assert rv["good_sent_or_drafted"] == 0.5
    assert rv["goal_met"] is False  # half the bad drafts were auto-sent
    ok = routing_view([0, 0, 0, 1], ["auto_draft_human_send", "queue_for_review", "block", "queue_for_review"])
    assert ok["good_sent_or_drafted"] == pytest.approx(1 / 3) and ok["bad_auto_send"] == 0.0 and ok["goal_met"]


def test_guardrail_shares():
    assert guardrail_shares([0, 0, 0, 0, 1, 1], [True, False, False, False, True, True]) == {"good": 0.25, "bad": 1.0}


def test_extra_figures_and_report_lines():
    hit = {"kind": "unsupported_number", "text": "99", "start": 0, "end": 2, "rule": "r", "action": "review"}
    rows = [
        _row(0, "auto_draft_human_send", ["supported"], chars=10),
        _row(1, "queue_for_review", ["refuted"], spans=[(0, 5)], gold=[(0, 5)], hits=[hit]),
    ]
    extra = extra_figures(rows)
    assert extra["routing"]["good_sent_or_drafted"] == 1.0 and extra["guardrails"] == {"good": 0.0, "bad": 1.0}
    text = "\n".join(format_extra(extra))
    assert "F1=100.0" in text and "bad auto-sent 0.0%" in text and "good auto-sent or drafted 100.0%" in text
    assert "not checkable 0.0% of 2 claims" in text and "guardrail hits: good 0.0% | bad 100.0%" in text
    # A lexical-baseline row has no decision or claims: only the span baselines remain.
    bare = [{k: v for k, v in r.items() if k in {"label", "gold_spans", "response_chars"}} for r in rows]
    extra = extra_figures(bare)
    assert extra["routing"] is None and extra["verdicts"] is None and "scorer" not in extra["spans"]


def test_read_records_keeps_only_the_listed_folds(tmp_path):
    recs = [{"id": i, "passages": [{"id": "p", "text": f"source document {i}"}]} for i in range(40)]
    data = tmp_path / "dev.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in recs))
    want = {r["id"] for r in recs if fold_of(r) in {1, 4}}
    assert 0 < len(want) < 40
    assert {r["id"] for r in read_records(data, folds=[4, 1])} == want
    assert [r["id"] for r in read_records(data, folds=[4, 1], limit=2)] == sorted(want)[:2]


def test_decision_from_row_matches_the_policy():
    policy = RoutingPolicy.default()
    row = {
        "claims": [{"start": 0, "end": 5, "checkable": True, "verdict": "supported"}],
        "guardrail_hits": [],
        "verification_status": "complete",
        "raw_score": 0.9,
    }
    assert decision_from_row(row, 0.95, "isotonic-x", policy) == "auto_send"
    assert decision_from_row(row, 0.1, "isotonic-x", policy) == "block"
    assert decision_from_row(row, 0.1, "uncalibrated", policy) == "queue_for_review"  # the uncalibrated cap
    refuted = {**row, "claims": [{"start": 0, "end": 5, "checkable": True, "verdict": "refuted"}]}
    assert decision_from_row(refuted, 0.95, "isotonic-x", policy) == "queue_for_review"
    assert decision_from_row({"claims": []}, 0.95, "isotonic-x", policy) is None
