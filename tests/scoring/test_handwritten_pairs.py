"""The hand-written training pairs (`scoring/train/handwritten/`): well formed, each premise with
one hypothesis of each label, and no sentence shared with an evaluation set, so the blind pair sets
stay blind to the verifier trained on them."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from scoring.train.data import jsonl_pairs

ROOT = Path(__file__).resolve().parents[2]
HANDWRITTEN = sorted((ROOT / "scoring" / "train" / "handwritten").glob("*.jsonl"))
EVALUATION = sorted((ROOT / "tests" / "scoring" / "data").glob("*_pairs*.jsonl"))
KEYS = ["premise", "hypothesis", "label", "kind", "group"]


def _rows(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9$%]+", text.lower()))


# Support policies recur ("SSO is available only on the Enterprise plan"): a training premise that
# shares this share of its words with an evaluation premise is the same policy, and is left out.
NEAR_DUPLICATE = 0.6


def test_there_are_handwritten_and_evaluation_files() -> None:
    assert len(HANDWRITTEN) >= 4 and len(EVALUATION) >= 5


@pytest.mark.parametrize("path", HANDWRITTEN, ids=lambda p: p.name)
def test_each_premise_has_one_hypothesis_of_each_label(path: Path) -> None:
    rows = _rows(path)
    assert all(list(r) == KEYS for r in rows)
    by_group: dict[str, list[str]] = defaultdict(list)
    premises: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        by_group[r["group"]].append(r["label"])
        premises[r["group"]].add(r["premise"])
    assert len(by_group) >= 60
    assert all(sorted(labels) == ["contradiction", "entailment", "neutral"] for labels in by_group.values())
    assert all(len(p) == 1 for p in premises.values())
    assert len({r["hypothesis"] for r in rows}) == len(rows)
    # The trainer reads them as written: one pair per line, the labels as given.
    assert Counter(p.label for p in jsonl_pairs(path)) == {0: len(by_group), 1: len(by_group), 2: len(by_group)}


def test_no_sentence_of_an_evaluation_set_is_trained_on() -> None:
    trained_rows = [r for path in HANDWRITTEN for r in _rows(path)]
    evaluation_rows = [r for path in EVALUATION for r in _rows(path)]
    trained = {_norm(r[k]) for r in trained_rows for k in ("premise", "hypothesis")}
    evaluated = {_norm(r[k]) for r in evaluation_rows for k in ("premise", "hypothesis")}
    assert not trained & evaluated
    # Each distinct premise's words once: a premise has three lines.
    trained_premises = {r["premise"]: _words(r["premise"]) for r in trained_rows}
    evaluation_premises = list({r["premise"]: _words(r["premise"]) for r in evaluation_rows}.values())
    near = [
        premise
        for premise, t in trained_premises.items()
        for e in evaluation_premises
        if len(t & e) >= NEAR_DUPLICATE * len(t | e)
    ]
    assert not near


def test_the_shipped_card_names_them_the_projects_own_and_how_often_they_were_put_in() -> None:
    from scoring.engine import DEFAULT_MODEL_DIR
    from scoring.train.card import render

    metrics = json.loads((DEFAULT_MODEL_DIR / "training_metrics.json").read_text(encoding="utf-8"))
    card = render(metrics, None, None)
    assert "| jsonl:reviews.jsonl |" in card and "hand-written by the project" in card
    assert "user-supplied JSONL" not in card and "--extra-repeat 2" in card
