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

import hashlib
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from scoring.evidence import widen
from scoring.folds import source_key, usable_for_training
from scoring.text import content_stems, split_sentences
from scoring.train import LABEL2ID
from scoring.train.data import Pair

_CONTRADICTING_EDITS = {"entity_modification", "antonym_swap", "negation_insertion_removal"}
_MAX_PREMISE_CHARS = 700
_MIN_DOC_CHARS = 80  # shorter passages neither seed synthetic pairs nor join documents


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


def _training_records(paths: list[Path]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in paths:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                rec = json.loads(line)
                if usable_for_training(rec):
                    out.append(rec)
    return out


def _texts(rec: dict[str, Any]) -> list[str]:
    return [str(p.get("text", "")) for p in rec.get("passages", []) if isinstance(p, dict)]


def document_groups(records: list[dict[str, Any]]) -> list[str]:
    """The source document of each record, as a group name (``doc:<hash>``), for a split by document.

    Records with the same evidence (`scoring.folds.source_key`) share a document, and so do records
    that share any passage longer than `_MIN_DOC_CHARS` (a WiCE article's sentences recur across
    claims; an LFQA document across answers): the documents are the connected components, so no
    passage that seeds synthetic pairs can sit on both sides of a split. Short boilerplate passages
    ("Skip to main content") do not join documents. Names depend only on the records' text.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        root = parent.setdefault(x, x)
        while root != parent[root]:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)  # the smallest key names the component

    keys = ["k\x00" + source_key(rec) for rec in records]
    for key, rec in zip(keys, records, strict=True):
        find(key)
        for text in _texts(rec):
            if len(text) > _MIN_DOC_CHARS:
                union(key, "p\x00" + text)
    return ["doc:" + hashlib.sha256(find(key).encode("utf-8")).hexdigest()[:16] for key in keys]


def dev_pairs(paths: list[Path]) -> list[Pair]:
    """Claim-level pairs of the training folds; `group` is the source document (`document_groups`)."""
    records = _training_records(paths)
    out: list[Pair] = []
    for rec, group in zip(records, document_groups(records), strict=True):
        out.extend(replace(p, group=group) for p in record_pairs(rec))
    return out


def training_documents(paths: list[Path]) -> list[tuple[str, str]]:
    """(group, passage text) of the training folds' passages: the synthetic generator's seeds.

    The group is the passage's source document (`document_groups`), the one its record's claims
    carry, so a split by group keeps a document's synthetic pairs with its claims.
    """
    records = _training_records(paths)
    seen: set[str] = set()
    docs: list[tuple[str, str]] = []
    for rec, group in zip(records, document_groups(records), strict=True):
        for text in _texts(rec):
            if len(text) > _MIN_DOC_CHARS and text not in seen:
                seen.add(text)
                docs.append((group, text))
    return docs
