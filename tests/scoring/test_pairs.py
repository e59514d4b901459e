"""`python -m scoring pairs`: plumbing with the tiny random model, and the accuracy arithmetic."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from scoring.cli import main
from scoring.pairs import LABELS, label_of, pair_metrics, read_pairs
from scoring.results import ClaimResult, ScoreResult

DATA = Path(__file__).parent / "data" / "support_pairs.jsonl"
# Written by someone who had not seen the engine's rules nor the set above: the honest figure.
HOLDOUT = Path(__file__).parent / "data" / "support_pairs_holdout.jsonl"
BLIND2 = Path(__file__).parent / "data" / "support_pairs_blind2.jsonl"
# Written by a helper session that saw neither the engine's rules, the other sets nor the
# hand-written training pairs (`scoring/train/handwritten/`), in other services' wording.
BLIND5 = Path(__file__).parent / "data" / "support_pairs_blind5.jsonl"
# Written the same way in a later session, its paraphrases half entailed, half neutral (a detail
# the premise does not give), and first run after that session's model decision.
BLIND6 = Path(__file__).parent / "data" / "support_pairs_blind6.jsonl"
# Written the same way in session 29, run once after that session's engine was settled; two of its
# "unrelated" replies answer the premise's other sentence (one entailed, one contradicted).
BLIND7 = Path(__file__).parent / "data" / "support_pairs_blind7.jsonl"
# Overviews written from customer reviews, by helpers that saw no other set.
REVIEW_BLIND = [Path(__file__).parent / "data" / f"review_pairs_blind{n}.jsonl" for n in ("", "2")]


def test_pair_metrics_by_hand():
    gold = ["entailment", "neutral", "contradiction", "contradiction"]
    pred = ["entailment", "contradiction", "contradiction", "neutral"]
    kinds = ["a", "a", "b", "b"]
    m = pair_metrics(gold, pred, kinds)
    assert (m["n"], m["correct"], m["accuracy"]) == (4, 2, 0.5)
    assert m["per_kind"]["a"]["accuracy"] == 0.5 and m["per_kind"]["b"]["correct"] == 1
    assert m["confusion"]["neutral"]["contradiction"] == 1 and m["confusion"]["contradiction"]["neutral"] == 1
    assert sum(sum(row.values()) for row in m["confusion"].values()) == 4
    assert m["recall_per_label"] == {"entailment": 1.0, "neutral": 0.0, "contradiction": 0.5}
    with pytest.raises(ValueError):
        pair_metrics(gold, pred[:3], kinds)


def _result(*verdicts: str) -> ScoreResult:
    claims = tuple(ClaimResult("c", 0, 1, v != "not_checkable", v) for v in verdicts)
    return ScoreResult(None, claims, (), {}, 0.5, 0.5, 0.0, "complete", {})


def test_verdicts_read_as_labels():
    assert label_of(_result("supported")) == ("entailment", False, 1)
    assert label_of(_result("insufficient")) == ("neutral", False, 1)
    assert label_of(_result("refuted")) == ("contradiction", False, 1)
    assert label_of(_result("not_checkable")) == ("neutral", True, 1)
    assert label_of(_result("supported", "refuted"))[0] == "contradiction"
    assert label_of(_result("supported", "insufficient"))[0] == "neutral"


def test_pairs_command_with_the_tiny_model(tmp_path, tiny_model_dir, capsys):
    pairs = [
        ("Gift cards are not refundable.", "Gift cards can be refunded.", "contradiction", "negation"),
        ("Support is open Monday to Friday.", "Support is open on weekdays.", "entailment", "weekday"),
        ("The Pro plan has 1 TB of storage.", "The Pro plan costs 12 dollars.", "neutral", "tier"),
    ]
    pairs = [dict(zip(("premise", "hypothesis", "label", "kind"), p, strict=True)) for p in pairs]
    f = tmp_path / "pairs.jsonl"
    f.write_text("".join(json.dumps(p) + "\n" for p in pairs))
    js, rows = tmp_path / "m.json", tmp_path / "rows.jsonl"
    assert main(["pairs", str(f), "--model", tiny_model_dir, "--json", str(js), "--out", str(rows)]) == 0
    text = capsys.readouterr().out
    assert "pairs: 3" in text and "per kind:" in text and "confusion" in text
    m = json.loads(js.read_text())
    preds = [json.loads(x) for x in rows.read_text().splitlines()]
    assert [p["gold"] for p in preds] == [p["label"] for p in pairs]
    assert all(p["pred"] in LABELS for p in preds)
    right = sum(p["gold"] == p["pred"] for p in preds)
    assert m["n"] == 3 and m["correct"] == right and m["accuracy"] == pytest.approx(right / 3)
    assert set(m["per_kind"]) == {"negation", "weekday", "tier"}
    assert sum(sum(r.values()) for r in m["confusion"].values()) == 3


def test_read_pairs_rejects_unknown_labels(tmp_path):
    f = tmp_path / "bad.jsonl"
    f.write_text(json.dumps({"premise": "a", "hypothesis": "b", "label": "yes"}) + "\n")
    with pytest.raises(ValueError, match="label"):
        read_pairs(f)


@pytest.mark.parametrize("path", [DATA, HOLDOUT], ids=["support_pairs", "holdout"])
def test_the_support_pairs_sets_are_well_formed(path):
    pairs = read_pairs(path)
    assert len(pairs) >= 150
    kinds = Counter(p["kind"] for p in pairs)
    contrastive = ["negation", "scope", "weekday", "tier", "number", "refundability", "warranty_part"]
    assert set(kinds) == {*contrastive, "paraphrase", "unrelated"}
    assert all(n >= 20 for n in kinds.values())
    for kind in contrastive:
        labels = Counter(p["label"] for p in pairs if p["kind"] == kind)
        assert all(labels[lab] >= kinds[kind] // 4 for lab in LABELS), (kind, labels)
    assert {p["label"] for p in pairs if p["kind"] == "paraphrase"} == {"entailment"}
    assert {p["label"] for p in pairs if p["kind"] == "unrelated"} == {"neutral"}
    assert len({(p["premise"], p["hypothesis"]) for p in pairs}) == len(pairs)
    assert all(p["premise"].strip() != p["hypothesis"].strip() for p in pairs)


ALL = {"entailment", "neutral", "contradiction"}


@pytest.mark.parametrize(
    ("path", "per_label", "paraphrase", "unrelated"),
    [
        (BLIND2, 4, {"entailment"}, {"neutral"}),
        (BLIND5, 6, {"entailment"}, {"neutral"}),
        (BLIND6, 6, {"entailment", "neutral"}, {"neutral"}),
        (BLIND7, 6, ALL, ALL),
    ],
    ids=["blind2", "blind5", "blind6", "blind7"],
)
def test_the_balanced_blind_sets_are_well_formed(path, per_label, paraphrase, unrelated):
    """Written before any error analysis of what they measure; balanced within each kind."""
    pairs = read_pairs(path)
    assert len(pairs) >= 80
    kinds = Counter(p["kind"] for p in pairs)
    contrastive = ["negation", "scope", "weekday", "tier", "number", "refundability", "warranty_part"]
    assert set(kinds) == {*contrastive, "paraphrase", "unrelated"}
    for kind in contrastive:
        assert Counter(p["label"] for p in pairs if p["kind"] == kind) == dict.fromkeys(LABELS, per_label), kind
    assert {p["label"] for p in pairs if p["kind"] == "paraphrase"} == paraphrase
    assert {p["label"] for p in pairs if p["kind"] == "unrelated"} == unrelated
    assert len({(p["premise"], p["hypothesis"]) for p in pairs}) == len(pairs)


@pytest.mark.parametrize("path", REVIEW_BLIND, ids=lambda p: p.stem)
def test_the_review_blind_sets_are_balanced_by_kind_and_label(path):
    pairs = read_pairs(path)
    kinds = Counter(p["kind"] for p in pairs)
    assert set(kinds) == {"sentiment", "aspect", "number", "name", "negation"}
    for kind in kinds:
        assert Counter(p["label"] for p in pairs if p["kind"] == kind) == dict.fromkeys(LABELS, 6), kind
    assert len({(p["premise"], p["hypothesis"]) for p in pairs}) == len(pairs)
