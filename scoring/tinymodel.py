"""Build a tiny random-weight NLI model directory, for tests and plumbing checks only.

The directory has the same layout as a shipped model (config.json with named labels,
model.safetensors, a WordPiece tokenizer), so it is loaded through exactly the same
`NLIVerifier` code path. Its predictions are meaningless.
"""

from __future__ import annotations

import string
import warnings
from pathlib import Path

_BASE_VOCAB = [
    "[PAD]",
    "[UNK]",
    "[CLS]",
    "[SEP]",
    "[MASK]",
    *list(string.ascii_lowercase),
    *list(string.digits),
    *list(string.punctuation),
    *[f"##{c}" for c in string.ascii_lowercase + string.digits],
    "the",
    "a",
    "is",
    "was",
    "of",
    "and",
    "to",
    "in",
    "it",
    "on",
    "for",
    "price",
    "plan",
    "costs",
    "refund",
    "days",
    "months",
    "year",
    "years",
    "paris",
    "capital",
    "france",
    "customer",
    "account",
    "support",
]


def build_tiny_nli_model(path: str | Path, *, seed: int = 0) -> Path:
    import torch
    from transformers import (  # type: ignore[attr-defined]
        BertConfig,
        BertForSequenceClassification,
        BertTokenizerFast,
    )

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    vocab_file = path / "vocab.txt"
    vocab_file.write_text("\n".join(_BASE_VOCAB) + "\n", encoding="utf-8")
    torch.manual_seed(seed)
    config = BertConfig(  # type: ignore[call-arg]
        vocab_size=len(_BASE_VOCAB),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
        num_labels=3,
        id2label={0: "entailment", 1: "neutral", 2: "contradiction"},
        label2id={"entailment": 0, "neutral": 1, "contradiction": 2},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = BertForSequenceClassification(config).eval()
        model.save_pretrained(str(path))
        tok = BertTokenizerFast(vocab_file=str(vocab_file), do_lower_case=True, model_max_length=512)
        tok.save_pretrained(str(path))
    return path
