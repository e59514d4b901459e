"""Write a compact model directory: fp16 safetensors weights, tokenizer, config with id2label."""

from __future__ import annotations

import shutil
from pathlib import Path

import torch
from safetensors.torch import save_file
from transformers import AutoModelForSequenceClassification, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

from scoring.train import LABEL2ID, LABELS


def export_fp16(checkpoint: Path, out: Path, version: str) -> Path:
    """Copy ``checkpoint`` to ``out`` with weights stored as fp16.

    ``config.json`` keeps ``dtype: float32`` so ``from_pretrained(out)`` upcasts on load and
    inference runs in fp32 on CPU; fp16 is only the storage format (half the size, no measurable
    accuracy change, see ``training_metrics.json``).
    """
    model = AutoModelForSequenceClassification.from_pretrained(checkpoint, dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    model.config.id2label = dict(enumerate(LABELS))
    model.config.label2id = dict(LABEL2ID)
    model.config.model_version = version
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    model.config.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    state = {k: v.detach().to(torch.float16).contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(tmp / "model.safetensors"), metadata={"format": "pt"})
    if out.exists():
        keep = {"MODEL_CARD.md", "training_metrics.json", "speed.json"}
        for name in keep:
            if (out / name).exists() and not (tmp / name).exists():
                shutil.copy2(out / name, tmp / name)
        shutil.rmtree(out)
    tmp.rename(out)
    return out


def load_for_inference(model_dir: Path) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """The exported model in fp32, eval mode, and its tokenizer."""
    model = AutoModelForSequenceClassification.from_pretrained(model_dir).float().eval()
    return model, AutoTokenizer.from_pretrained(model_dir)
