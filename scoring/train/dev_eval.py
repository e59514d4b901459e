"""Detection quality of a verifier model on the dev files, next to the lexical baseline.

Writes ``dev_eval.json`` into the model directory; the model card renders it as a table.
Each file is scored by the engine with its default settings (and this model) and by the
lexical-overlap baseline on the same records; large files use a seeded sample.

    python -m scoring.train.dev_eval --model scoring/models/nli-minilm-l6-v2 [--dev DIR] [--sample 600]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

DEFAULT_DEV = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "dev"


def evaluate_dir(model: Path, dev: Path, sample: int) -> dict[str, Any]:
    from scoring.engine import Scorer, ScorerConfig
    from scoring.evaluate import metrics_json, read_records, run_evaluation

    scorer = Scorer(ScorerConfig.of(model_path=str(model), time_budget_ms=None))
    files: dict[str, Any] = {}
    for path in sorted(dev.glob("*.jsonl")):
        n = sum(1 for _ in read_records(path, None, None))
        take = sample if n > sample else None
        model_res = metrics_json(run_evaluation(path, scorer=scorer, sample=take, progress=None))
        base_res = metrics_json(run_evaluation(path, scorer=None, baseline="lexical", sample=take, progress=None))
        files[path.name] = {"records": n, "sampled": take, "model": model_res, "lexical": base_res}
        print(
            f"{path.name}: AUROC {model_res['overall']['auroc']:.3f} (lexical {base_res['overall']['auroc']:.3f}),"
            f" {model_res['ms_per_record']:.0f} ms/record",
            flush=True,
        )
    cfg = scorer.config.verifier
    return {
        "model_version": scorer.model_version,
        "settings": {
            "int8": cfg.int8,
            "top_k_windows": cfg.top_k_windows,
            "window_tokens": cfg.window_tokens,
            "calibrator": scorer.calibrator.version,
            "fusion": scorer.fusion.version,
        },
        "fusion_meta": scorer.fusion.meta,
        "files": files,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m scoring.train.dev_eval", description=__doc__.split("\n")[0])
    ap.add_argument("--model", type=Path, required=True)
    ap.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    ap.add_argument("--sample", type=int, default=600, help="seeded sample size for larger files")
    args = ap.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    result = evaluate_dir(args.model, args.dev, args.sample)
    (args.model / "dev_eval.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    from scoring.train import card

    card.write_card(args.model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
