"""The fold protocol for the dev files: split by source document, never by record.

A record's fold is a stable hash of its evidence (the passages' text), so every response,
sentence or summary written from one source document lands in the same fold: LFQA sentences of
one answer, SummEdits edits of one document, RAGTruth responses of six generators to one source.
Folds 0-2 train the verifier, fold 3 fits the fusion, the calibrator and the thresholds, and
fold 4 is reported. RAGTruth-dev is never used for training or fitting (`HONEST_CHECK`).
"""

from __future__ import annotations

import hashlib
from typing import Any

N_FOLDS = 5
TRAIN_FOLDS = frozenset({0, 1, 2})
FIT_FOLDS = frozenset({3})
REPORT_FOLDS = frozenset({4})
HONEST_CHECK = "ragtruth"  # the dataset nothing is trained or fitted on
_SALT = b"reviewqueue-folds-1\x00"


def source_key(rec: dict[str, Any]) -> str:
    """What identifies the record's source document: its passages' text."""
    parts = [str(p.get("text", "")) for p in rec.get("passages", []) if isinstance(p, dict)]
    return "\x00".join(parts)


def fold_of(rec: dict[str, Any]) -> int:
    digest = hashlib.sha256(_SALT + source_key(rec).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % N_FOLDS


def usable_for_training(rec: dict[str, Any]) -> bool:
    return rec.get("dataset") != HONEST_CHECK and fold_of(rec) in TRAIN_FOLDS


def usable_for_fitting(rec: dict[str, Any]) -> bool:
    return rec.get("dataset") != HONEST_CHECK and fold_of(rec) in FIT_FOLDS
