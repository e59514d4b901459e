"""Verifier speed and accuracy on one CPU thread: torch fp32 vs dynamic int8 (Linear layers).

    python bench/bench_verifier_quant.py --bigbench /path/to/bigbench-1.0.0[.tar.gz] \\
        [--model scoring/models/nli-minilm-l6-v6] [--json scoring/models/.../speed.json]
    python bench/bench_verifier_quant.py --dev-file ../shared/data/dev/wice_dev.jsonl ... \\
        [--synthetic N] [--extra-jsonl FILE ...] [--model ...] [--json ...]

Accuracy is on the training command's test set: the held-out VitaminC pages with ``--bigbench``
(the same page split as training); without it (the BIG-bench 1.0.0 sdist is no longer on the
package registry), the held-out source documents of the ``--dev-file`` files (with the
``--synthetic`` and ``--extra-jsonl`` pairs), split as ``python -m scoring.train`` splits them
with the same options, so a model trained without BIG-bench is measured on its own test set.
Speed is measured on a fixed random sample of those pairs in batches of ``--batch-size`` (dynamic padding), after a
warm-up, with ``torch.set_num_threads(1)``. The int8 path is recommended only if it loses at most
``--max-drop`` accuracy points.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scoring.train.batching import collate, encode
from scoring.train.data import TEST_SOURCES, build
from scoring.train.evaluate import predict, report
from scoring.train.export import load_for_inference


def quantize_int8(model: torch.nn.Module) -> torch.nn.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


@torch.inference_mode()
def pairs_per_second(model: torch.nn.Module, enc, pad_id: int, batch_size: int) -> float:
    idx = list(range(len(enc)))
    batches = [idx[i : i + batch_size] for i in range(0, len(idx), batch_size)]
    for b in batches[:2]:  # warm-up
        model(**{k: v for k, v in collate(enc, b, pad_id).items() if k != "labels"})
    start = time.perf_counter()
    for b in batches:
        model(**{k: v for k, v in collate(enc, b, pad_id).items() if k != "labels"})
    return len(idx) / (time.perf_counter() - start)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bigbench", type=Path, default=None, help="BIG-bench 1.0.0 sdist: held-out VitaminC pages")
    ap.add_argument("--dev-file", type=Path, action="append", default=[], help="without --bigbench; repeatable")
    ap.add_argument("--synthetic", type=int, default=0, help="as given to python -m scoring.train")
    ap.add_argument("--extra-jsonl", type=Path, action="append", default=[], help="as given to python -m scoring.train")
    ap.add_argument("--val-frac", type=float, default=0.03, help="as given to python -m scoring.train")
    ap.add_argument("--test-frac", type=float, default=0.10, help="as given to python -m scoring.train")
    ap.add_argument("--seed", type=int, default=13, help="as given to python -m scoring.train")
    ap.add_argument("--model", type=Path, default=Path("scoring/models/nli-minilm-l6-v6"))
    ap.add_argument("--speed-pairs", type=int, default=512)
    ap.add_argument("--accuracy-pairs", type=int, default=0, help="0: all held-out pairs")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--max-drop", type=float, default=1.0, help="accuracy points")
    ap.add_argument("--json", type=Path, default=None, help="write the results here")
    args = ap.parse_args()
    if args.bigbench is None and not args.dev_file:
        ap.error("give --bigbench (held-out VitaminC pages) or --dev-file (held-out dev documents)")

    torch.set_num_threads(1)
    model, tokenizer = load_for_inference(args.model)
    pad_id = tokenizer.pad_token_id or 0
    splits = build(
        args.bigbench,
        args.extra_jsonl,
        val_frac=args.val_frac,
        test_frac=args.test_frac,
        seed=args.seed,
        dev_files=args.dev_file,
        synthetic=args.synthetic,
    )
    test = splits.test
    rng = random.Random(0)
    acc_pairs = rng.sample(test, args.accuracy_pairs) if args.accuracy_pairs else test
    speed_pairs = rng.sample(test, min(args.speed_pairs, len(test)))
    acc_enc = encode(acc_pairs, tokenizer, args.max_length)
    speed_enc = encode(speed_pairs, tokenizer, args.max_length)

    results: dict[str, dict[str, float]] = {}
    for name, m in (("fp32", model), ("int8", quantize_int8(model))):
        preds = predict(m, acc_enc, pad_id, args.batch_size)
        metrics = report(np.asarray(preds), acc_enc.labels)
        metrics["pairs_per_s"] = pairs_per_second(m, speed_enc, pad_id, args.batch_size)
        results[name] = metrics

    ratio = results["int8"]["pairs_per_s"] / results["fp32"]["pairs_per_s"]
    drop = 100 * (results["fp32"]["accuracy"] - results["int8"]["accuracy"])
    ok = drop <= args.max_drop
    decision = f"int8 loses {drop:.2f} accuracy points (limit {args.max_drop}): " + (
        "int8 is acceptable to enable." if ok else "keep fp32 as the default."
    )
    print(f"model {args.model}  threads 1  batch {args.batch_size}")
    print(f"accuracy on {len(acc_pairs)} pairs ({TEST_SOURCES[splits.test_source]}); speed on {len(speed_pairs)}")
    print(f"{'path':<12}{'pairs/s':>10}{'accuracy':>10}")
    for name, r in results.items():
        print(f"{name:<12}{r['pairs_per_s']:>10.1f}{100 * r['accuracy']:>9.2f}%")
    print(f"int8/fp32 speed ratio {ratio:.2f}x; {decision}")
    if args.json:
        payload = {
            **results,
            "ratio": ratio,
            "accuracy_drop_points": drop,
            "int8_ok": ok,
            "decision": decision,
            "n_pairs": len(speed_pairs),
            "n_accuracy_pairs": len(acc_pairs),
            "test_source": splits.test_source,
            "batch_size": args.batch_size,
            "torch": torch.__version__,
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
