"""Claim-level training pairs from the dev files' own labels, under the fold protocol.

Only records of the training folds (`scoring.folds.TRAIN_FOLDS`) are used, and never RAGTruth-dev
(`scoring.folds.HONEST_CHECK`): fold 3 fits the fusion and calibrator, fold 4 is reported. The
premise of each pair is chosen as the engine chooses it (`scoring.evidence.widen`: the best
sentence widened by up to two more), so the model is trained on the windows it will see.

- LFQA: an answer sentence against its documents; supported → entailment, otherwise neutral.
- WiCE: a Wikipedia claim against the cited article's sentences; supported → entailment against
  the annotated supporting sentences; otherwise neutral.
- BEGIN: a dialogue response against its knowledge snippet; attributable → entailment, else neutral.
- SummEdits: each sentence of a consistent summary → entailment; the edited sentence of an
  inconsistent one (the sentence absent from the seed summary) → contradiction for entity,
  antonym and negation edits, neutral for an inserted fact.
Reading `meta` here is labelling, not prediction: the scorer never sees it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scoring.evidence import widen
from scoring.folds import usable_for_training
from scoring.text import content_stems, split_sentences
from scoring.train import LABEL2ID
from scoring.train.data import Pair

_CONTRADICTING_EDITS = {"entity_modification", "antonym_swap", "negation_insertion_removal"}
_MAX_PREMISE_CHARS = 700


def _sentences(passages: list[dict[str, Any]]) -> list[str]:
    out: list[str] = []
    for p in passages:
        text = str(p.get("text", ""))
        out.extend(text[a:b] for a, b in split_sentences(text))
    return out


def _window(claim: str, sentences: list[str]) -> str:
    stems = [content_stems(s) for s in sentences]
    idx = widen(claim, stems, lengths=[len(s) for s in sentences], max_length=_MAX_PREMISE_CHARS)
    return " ".join(sentences[i].strip() for i in idx)[:_MAX_PREMISE_CHARS]


def _pair(premise: str, hypothesis: str, label: str, source: str, rec: dict[str, Any]) -> Pair | None:
    if not premise.strip() or not hypothesis.strip():
        return None
    return Pair(premise, hypothesis, LABEL2ID[label], f"dev:{source}", str(rec.get("id", "")))


def record_pairs(rec: dict[str, Any]) -> Iterator[Pair]:
    dataset = rec.get("dataset")
    response = str(rec.get("response", ""))
    passages = [p for p in rec.get("passages", []) if isinstance(p, dict)]
    meta = rec.get("meta") or {}
    good = int(rec["label"]) == 0
    sentences = _sentences(passages)
    if not sentences:
        return
    pair: Pair | None
    if dataset in {"lfqa_verification", "begin"}:
        pair = _pair(_window(response, sentences), response, "entailment" if good else "neutral", dataset, rec)
        if pair:
            yield pair
    elif dataset == "wice":
        premise = _window(response, sentences)
        support = meta.get("supporting_sentences") or []
        if good and support:
            by_id = {str(p.get("id")): str(p.get("text", "")) for p in passages}
            premise = " ".join(by_id[s] for s in support[0] if s in by_id) or premise
        pair = _pair(premise, response, "entailment" if good else "neutral", dataset, rec)
        if pair:
            yield pair
    elif dataset == "summedits":
        seed = {response_sentence.strip() for response_sentence in _split(str(meta.get("original_summary", "")))}
        edits = set(meta.get("edit_types") or [])
        for s in _split(response):
            if good:
                label = "entailment"
            elif s.strip() in seed:
                continue  # an unedited sentence of an inconsistent summary: not the edit
            else:
                label = "contradiction" if edits & _CONTRADICTING_EDITS else "neutral"
            pair = _pair(_window(s, sentences), s, label, dataset, rec)
            if pair:
                yield pair


def _split(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def dev_pairs(paths: list[Path]) -> list[Pair]:
    out: list[Pair] = []
    for path in paths:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                rec = json.loads(line)
                if usable_for_training(rec):
                    out.extend(record_pairs(rec))
    return out


def training_documents(paths: list[Path]) -> list[tuple[str, str]]:
    """(group, passage text) of the training folds' passages: the synthetic generator's seeds."""
    seen: set[str] = set()
    docs: list[tuple[str, str]] = []
    for path in paths:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                rec = json.loads(line)
                if not usable_for_training(rec):
                    continue
                for p in rec.get("passages", []):
                    text = str(p.get("text", "")) if isinstance(p, dict) else ""
                    if len(text) > 80 and text not in seen:
                        seen.add(text)
                        docs.append((f"{rec.get('dataset')}:{len(docs)}", text))
    return docs
