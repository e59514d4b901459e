"""Tokenise pairs once, then serve length-bucketed, dynamically padded batches."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch
from transformers import PreTrainedTokenizerBase

from scoring.train.data import Pair


@dataclass(slots=True)
class Encoded:
    input_ids: list[list[int]]
    token_type_ids: list[list[int]]
    labels: list[int]

    def __len__(self) -> int:
        return len(self.labels)


def encode(pairs: Sequence[Pair], tokenizer: PreTrainedTokenizerBase, max_length: int) -> Encoded:
    """Premise first, hypothesis second; only the premise is truncated."""
    enc = tokenizer(
        [p.premise for p in pairs],
        [p.hypothesis for p in pairs],
        truncation="longest_first",
        max_length=max_length,
    )
    types = enc.get("token_type_ids") or [[0] * len(ids) for ids in enc["input_ids"]]
    return Encoded(list(enc["input_ids"]), list(types), [p.label for p in pairs])


def collate(enc: Encoded, idx: Sequence[int], pad_id: int) -> dict[str, torch.Tensor]:
    width = max(len(enc.input_ids[i]) for i in idx)
    ids = torch.full((len(idx), width), pad_id, dtype=torch.long)
    types = torch.zeros((len(idx), width), dtype=torch.long)
    mask = torch.zeros((len(idx), width), dtype=torch.long)
    for row, i in enumerate(idx):
        n = len(enc.input_ids[i])
        ids[row, :n] = torch.tensor(enc.input_ids[i])
        types[row, :n] = torch.tensor(enc.token_type_ids[i])
        mask[row, :n] = 1
    return {
        "input_ids": ids,
        "token_type_ids": types,
        "attention_mask": mask,
        "labels": torch.tensor([enc.labels[i] for i in idx], dtype=torch.long),
    }


def epoch_batches(enc: Encoded, batch_size: int, seed: int, epoch: int) -> list[list[int]]:
    """Shuffled batches of similar length (same order for the same seed and epoch, for resume)."""
    rng = random.Random(seed * 1000 + epoch)
    order = list(range(len(enc)))
    rng.shuffle(order)
    chunk = batch_size * 50
    batches: list[list[int]] = []
    for start in range(0, len(order), chunk):
        part = sorted(order[start : start + chunk], key=lambda i: len(enc.input_ids[i]))
        batches += [part[j : j + batch_size] for j in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


def eval_batches(enc: Encoded, batch_size: int) -> Iterator[list[int]]:
    order = sorted(range(len(enc)), key=lambda i: len(enc.input_ids[i]))
    for j in range(0, len(order), batch_size):
        yield order[j : j + batch_size]
