"""Accuracy of a model, and of a lexical-overlap baseline, on labelled pairs."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import torch
from transformers import PreTrainedTokenizerBase

from scoring.train import LABELS
from scoring.train.batching import Encoded, collate, encode, eval_batches
from scoring.train.data import Pair


@torch.inference_mode()
def predict(model: torch.nn.Module, enc: Encoded, pad_id: int, batch_size: int = 64) -> np.ndarray:
    """Predicted label ids, in the order of ``enc``."""
    was_training = model.training
    model.eval()
    preds = np.zeros(len(enc), dtype=np.int64)
    for idx in eval_batches(enc, batch_size):
        batch = collate(enc, idx, pad_id)
        batch.pop("labels")
        logits = model(**batch).logits
        preds[idx] = logits.argmax(-1).numpy()
    model.train(was_training)
    return preds


def report(preds: np.ndarray, labels: Sequence[int]) -> dict[str, float]:
    gold = np.asarray(labels)
    out = {"accuracy": float((preds == gold).mean()), "n": float(len(gold))}
    for i, name in enumerate(LABELS):
        sel = gold == i
        if sel.any():
            out[f"recall_{name}"] = float((preds[sel] == i).mean())
    return out


def model_accuracy(
    model: torch.nn.Module,
    tokenizer: PreTrainedTokenizerBase,
    pairs: Sequence[Pair],
    max_length: int,
) -> dict[str, float]:
    enc = encode(pairs, tokenizer, max_length)
    pad_id = tokenizer.pad_token_id or 0
    return report(predict(model, enc, pad_id), enc.labels)


_TOKEN = re.compile(r"\w+")
_NUM = re.compile(r"\d[\d,.]*")
_NEG = re.compile(r"\b(not|no|never|n't|none|nobody|nothing|neither|nor|without)\b", re.I)


def lexical_features(p: Pair) -> list[float]:
    prem = {t.lower() for t in _TOKEN.findall(p.premise)}
    hyp = [t.lower() for t in _TOKEN.findall(p.hypothesis)]
    overlap = sum(t in prem for t in hyp) / max(len(hyp), 1)
    nums = _NUM.findall(p.hypothesis)
    missing_nums = sum(n.strip(",.") not in p.premise for n in nums)
    neg = float(bool(_NEG.search(p.hypothesis))) - float(bool(_NEG.search(p.premise)))
    return [overlap, float(missing_nums), float(len(nums)), neg, len(hyp) / 20.0]


def lexical_baseline(train: Sequence[Pair], test: Sequence[Pair]) -> dict[str, float]:
    """Multinomial logistic regression on token overlap, unmatched numbers and negation."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(max_iter=1000)
    clf.fit([lexical_features(p) for p in train], [p.label for p in train])
    preds = clf.predict([lexical_features(p) for p in test])
    return report(np.asarray(preds), [p.label for p in test])


def majority_baseline(train: Sequence[Pair], test: Sequence[Pair]) -> dict[str, float]:
    counts = np.bincount([p.label for p in train], minlength=len(LABELS))
    preds = np.full(len(test), int(counts.argmax()))
    return report(preds, [p.label for p in test])
