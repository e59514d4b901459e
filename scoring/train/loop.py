"""Fine-tuning loop: AdamW, linear warmup/decay, timed checkpoints, resume, progress on stderr."""

from __future__ import annotations

import json
import math
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    get_linear_schedule_with_warmup,
)

from scoring.train import LABEL2ID, LABELS
from scoring.train.batching import collate, encode, epoch_batches
from scoring.train.data import Pair
from scoring.train.evaluate import model_accuracy

STATE = "trainer_state.pt"
LAST = "checkpoint-last"
BEST = "checkpoint-best"


@dataclass(slots=True)
class TrainConfig:
    base: str
    run_dir: Path
    epochs: float = 2.0
    lr: float = 7e-5
    batch_size: int = 32
    max_length: int = 128
    warmup: float = 0.06
    weight_decay: float = 0.01
    seed: int = 13
    checkpoint_minutes: float = 10.0
    max_steps: int = 0
    log_every: int = 20
    resume: bool = False
    freeze_word_embeddings: bool = True
    teacher: str | None = None  # distillation replay (scoring.train.distill); off unless distill_weight > 0
    distill_weight: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def load_base(base: str) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForSequenceClassification.from_pretrained(
        base,
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id=dict(LABEL2ID),
        # A shipped model is stored fp16; continuing to train it must happen in fp32.
        dtype=torch.float32,
    )
    return model, tokenizer


def _save_dir(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, dest: Path, extra: dict[str, Any]) -> Path:
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    for name, obj in extra.items():
        if name.endswith(".pt"):
            torch.save(obj, tmp / name)
        else:
            (tmp / name).write_text(json.dumps(obj, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    return dest


def _fmt_eta(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def train(cfg: TrainConfig, train_pairs: list[Pair], val_pairs: list[Pair]) -> dict[str, Any]:
    """Fine-tune and return the training history; best model in ``run_dir/checkpoint-best``."""
    torch.manual_seed(cfg.seed)
    cfg.run_dir.mkdir(parents=True, exist_ok=True)
    last = cfg.run_dir / LAST
    resuming = cfg.resume and (last / STATE).is_file()
    model, tokenizer = load_base(str(last) if resuming else cfg.base)
    pad_id = tokenizer.pad_token_id or 0
    log(f"tokenising {len(train_pairs)} training pairs (max_length {cfg.max_length})")
    enc = encode(train_pairs, tokenizer, cfg.max_length)
    teacher_lp: torch.Tensor | None = None
    distill_info: dict[str, Any] | None = None
    if cfg.distill_weight > 0:
        if not cfg.teacher:
            raise ValueError("distill_weight > 0 needs a teacher")
        from scoring.train import distill

        teacher_lp, distill_info = distill.teacher_log_probs(cfg.teacher, train_pairs, cfg.max_length, cfg.run_dir, log)
        distill_info = {"teacher": cfg.teacher, "weight": cfg.distill_weight, **distill_info}
    per_epoch = math.ceil(len(enc) / cfg.batch_size)
    total = max(1, int(cfg.epochs * per_epoch))
    if cfg.max_steps:
        total = min(total, cfg.max_steps)
    if cfg.freeze_word_embeddings:
        # Half of MiniLM's parameters are the word-embedding table; freezing it makes each CPU
        # step ~10% faster and keeps rare-token embeddings from drifting on a small dataset.
        model.get_input_embeddings().weight.requires_grad_(False)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(cfg.warmup * total), total)
    step, best, history = 0, -1.0, []
    if resuming:
        state = torch.load(last / STATE, weights_only=False)
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        torch.set_rng_state(state["rng"])
        step, best, history = state["step"], state["best"], state["history"]
        if state["total"] != total:
            log(f"schedule length changed from {state['total']} to {total} steps")
        log(f"resumed from {last} at step {step}/{total}, best val accuracy {best:.4f}")
    elif cfg.resume:
        log(f"--resume given but no checkpoint in {last}; starting fresh")

    def checkpoint(final: bool = False) -> None:
        nonlocal best
        val = model_accuracy(model, tokenizer, val_pairs, cfg.max_length) if val_pairs else {}
        acc = val.get("accuracy", 0.0)
        entry = {
            "step": step,
            "epoch": step / per_epoch,
            "loss": ema,
            "val": val,
            "time": time.time(),
        }
        history.append(entry)
        if acc > best or not (cfg.run_dir / BEST).exists():
            best = acc
            _save_dir(model, tokenizer, cfg.run_dir / BEST, {"checkpoint.json": entry})
        state = {
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "rng": torch.get_rng_state(),
            "step": step,
            "total": total,
            "best": best,
            "history": history,
            "config": {k: str(v) for k, v in asdict(cfg).items()},
        }
        _save_dir(model, tokenizer, last, {STATE: state})
        log(f"checkpoint step {step}/{total}: val accuracy {acc:.4f} (best {best:.4f})" + (" [final]" if final else ""))

    model.train()
    ema = float("nan")
    started, started_step, last_ckpt = time.time(), step, time.time()
    while step < total:
        epoch, offset = divmod(step, per_epoch)
        batches = epoch_batches(enc, cfg.batch_size, cfg.seed, epoch)
        for idx in batches[offset:]:
            if step >= total:
                break
            batch = collate(enc, idx, pad_id)
            if teacher_lp is None:
                batch_loss = model(**batch).loss
            else:
                labels = batch.pop("labels")
                batch_loss = distill.loss(model(**batch).logits, labels, teacher_lp[idx], cfg.distill_weight)
            batch_loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            loss = batch_loss.detach().item()
            ema = loss if math.isnan(ema) else 0.98 * ema + 0.02 * loss
            if step % cfg.log_every == 0 or step == total:
                rate = (step - started_step) / max(time.time() - started, 1e-6)
                log(
                    f"step {step}/{total} epoch {step / per_epoch:.2f} loss {ema:.4f} "
                    f"lr {scheduler.get_last_lr()[0]:.2e} {rate * cfg.batch_size:.1f} pairs/s "
                    f"ETA {_fmt_eta((total - step) / max(rate, 1e-9))}"
                )
            if time.time() - last_ckpt >= cfg.checkpoint_minutes * 60 and step < total:
                checkpoint()
                last_ckpt = time.time()
    checkpoint(final=True)
    return {
        "steps": total,
        "steps_per_epoch": per_epoch,
        "best_val_accuracy": best,
        "history": history,
        "distill": distill_info,
    }
