"""Distillation replay: keep the student close to a teacher model's predictions while it learns.

Without VitaminC replay (no BIG-bench), continuing a verifier on new data alone can make it forget
what it knew. With ``--teacher MODEL_DIR --distill-weight W`` every training batch's loss is

    (1 - W) · cross-entropy(student, labels) + W · KL(teacher ‖ student)

where the KL term compares the student's distribution with the teacher's soft targets on the same
pair (``torch.nn.functional.kl_div(student log-probs, teacher log-probs, log_target=True,
reduction="batchmean")``, the usual distillation direction; temperature 1).

The teacher's log-probabilities are computed once per training pair before training (inference
only, length-sorted batches) and cached in ``RUN_DIR/teacher_log_probs.pt`` under a fingerprint of
the teacher, the max length and the pairs, so ``--resume`` loads them instead of recomputing.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from scoring.train import LABELS
from scoring.train.batching import collate, encode, eval_batches
from scoring.train.data import Pair

CACHE = "teacher_log_probs.pt"


def fingerprint(teacher: str, pairs: Sequence[Pair], max_length: int) -> str:
    h = hashlib.sha256(f"{Path(teacher).resolve()}\x00{max_length}\x00{len(pairs)}".encode())
    for p in pairs:
        h.update(f"\x00{p.premise}\x01{p.hypothesis}".encode())
    return h.hexdigest()


def _columns(id2label: dict[Any, str]) -> list[int]:
    """Teacher output column of each of our LABELS (a teacher may order its labels differently)."""
    by_name = {str(name).lower(): int(i) for i, name in id2label.items()}
    missing = [name for name in LABELS if name not in by_name]
    if missing:
        raise ValueError(f"teacher labels {sorted(by_name)} lack {missing}; it must be a 3-way NLI model")
    return [by_name[name] for name in LABELS]


@torch.inference_mode()
def compute(teacher: str, pairs: Sequence[Pair], max_length: int, batch_size: int = 64) -> torch.Tensor:
    """Teacher log-probabilities, shape (len(pairs), 3), columns in LABELS order."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = AutoModelForSequenceClassification.from_pretrained(teacher, dtype=torch.float32).eval()
    tokenizer = AutoTokenizer.from_pretrained(teacher)
    cols = _columns(model.config.id2label)
    enc = encode(pairs, tokenizer, max_length)
    pad_id = tokenizer.pad_token_id or 0
    out = torch.zeros((len(enc), len(LABELS)), dtype=torch.float32)
    for idx in eval_batches(enc, batch_size):
        batch = collate(enc, idx, pad_id)
        batch.pop("labels")
        logits = model(**batch).logits.float()
        out[idx] = F.log_softmax(logits[:, cols], dim=-1)
    return out


def teacher_log_probs(
    teacher: str, pairs: Sequence[Pair], max_length: int, run_dir: Path, log: Any = print
) -> tuple[torch.Tensor, dict[str, Any]]:
    """The cached log-probabilities for these pairs, computing (and caching) them if needed."""
    key = fingerprint(teacher, pairs, max_length)
    cache = run_dir / CACHE
    if cache.is_file():
        saved = torch.load(cache, weights_only=False)
        if saved.get("fingerprint") == key:
            log(f"teacher log-probabilities for {len(pairs)} pairs loaded from {cache}")
            return saved["log_probs"], {"cached": True, "seconds": saved.get("seconds")}
        log(f"{cache} is for other pairs or another teacher; recomputing")
    log(f"teacher {teacher}: computing log-probabilities for {len(pairs)} training pairs")
    started = time.time()
    lp = compute(teacher, pairs, max_length)
    seconds = time.time() - started
    run_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_name(cache.name + ".tmp")
    torch.save({"fingerprint": key, "teacher": teacher, "log_probs": lp, "seconds": seconds}, tmp)
    tmp.replace(cache)
    log(f"teacher log-probabilities done in {seconds:.1f} s ({len(pairs) / max(seconds, 1e-9):.1f} pairs/s)")
    return lp, {"cached": False, "seconds": seconds}


def loss(logits: torch.Tensor, labels: torch.Tensor, teacher_lp: torch.Tensor, weight: float) -> torch.Tensor:
    """(1 - weight) · CE(logits, labels) + weight · KL(teacher ‖ student), averaged over the batch."""
    ce = F.cross_entropy(logits, labels)
    kl = F.kl_div(F.log_softmax(logits, dim=-1), teacher_lp, reduction="batchmean", log_target=True)
    return (1.0 - weight) * ce + weight * kl
