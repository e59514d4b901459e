"""Measure detection quality on labelled records (the dev-file format, label 1 = hallucinated).

Only `question`, `passages` and `response` are fed to the scorer; `meta` is never read for
prediction (it carries the gold label in other forms). The score evaluated is
P(hallucinated) = 1 - confidence.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from scoring.inputs import DraftInput, Passage
from scoring.policy import RoutingPolicy
from scoring.text import content_stems, lexical_support


def read_records(
    path: str | Path, limit: int | None = None, sample: int | None = None, seed: int = 0
) -> Iterator[dict[str, Any]]:
    """Records in file order; `limit` keeps the first N, `sample` a seeded random N (file order).

    Files are grouped by source (the first records of a file can have a very different base
    rate from the rest), so a subset for quick figures should be a sample, not a prefix. The
    sample depends only on line positions, never on labels.
    """
    with open(path, encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip()]
    if sample is not None and sample < len(lines):
        import random

        keep = sorted(random.Random(seed).sample(range(len(lines)), sample))
        lines = [lines[i] for i in keep]
    if limit is not None:
        lines = lines[:limit]
    for line in lines:
        yield json.loads(line)


def record_to_draft(rec: dict[str, Any]) -> DraftInput:
    passages = tuple(
        Passage(id=str(p.get("id", i)), text=str(p.get("text", ""))) for i, p in enumerate(rec.get("passages", []))
    )
    return DraftInput(question=str(rec.get("question", "")), draft=str(rec.get("response", "")), passages=passages)


def lexical_baseline(rec: dict[str, Any]) -> float:
    """P(hallucinated) from word overlap alone: share of response content words absent from the passages."""
    stems: set[str] = set()
    for p in rec.get("passages", []):
        stems |= content_stems(str(p.get("text", "")))
    return 1.0 - lexical_support(str(rec.get("response", "")), stems)


# ---- metrics ---------------------------------------------------------------------------------
def auroc(y: np.ndarray, s: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, s)) if len(set(y.tolist())) == 2 else float("nan")


def auprc(y: np.ndarray, s: np.ndarray) -> float:
    from sklearn.metrics import average_precision_score

    return float(average_precision_score(y, s)) if y.sum() > 0 else float("nan")


def f1_at(y: np.ndarray, s: np.ndarray, t: float) -> float:
    pred = s >= t
    tp = float(np.sum(pred & (y == 1)))
    fp = float(np.sum(pred & (y == 0)))
    fn = float(np.sum(~pred & (y == 1)))
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def best_f1(y: np.ndarray, s: np.ndarray) -> tuple[float, float]:
    best = (0.0, 0.5)
    for t in np.unique(s):
        f = f1_at(y, s, float(t))
        if f > best[0]:
            best = (f, float(t))
    return best


def ece(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error of P(hallucinated), equal-width bins."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(p, edges[1:-1], right=True), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = idx == b
        if mask.any():
            total += mask.mean() * abs(float(p[mask].mean()) - float(y[mask].mean()))
    return total


@dataclass(frozen=True)
class Metrics:
    n: int
    base_rate: float
    auroc: float
    auprc: float
    f1_at_threshold: float
    threshold: float
    best_f1: float
    best_threshold: float
    ece: float

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def compute_metrics(labels: Iterable[int], scores: Iterable[float], threshold: float) -> Metrics:
    y = np.asarray(list(labels), dtype=int)
    s = np.asarray(list(scores), dtype=float)
    bf, bt = best_f1(y, s)
    return Metrics(
        n=int(y.size),
        base_rate=float(y.mean()) if y.size else float("nan"),
        auroc=auroc(y, s),
        auprc=auprc(y, s),
        f1_at_threshold=f1_at(y, s, threshold),
        threshold=threshold,
        best_f1=bf,
        best_threshold=bt,
        ece=ece(y, s),
    )


def format_metrics(name: str, m: Metrics) -> str:
    return (
        f"{name:<28} n={m.n:<5} base={m.base_rate:.3f} AUROC={m.auroc:.3f} AUPRC={m.auprc:.3f} "
        f"F1@{m.threshold:.2f}={m.f1_at_threshold:.3f} bestF1={m.best_f1:.3f}@{m.best_threshold:.3f} "
        f"ECE={m.ece:.3f}"
    )


# ---- run -------------------------------------------------------------------------------------
def run_evaluation(
    path: str | Path,
    *,
    scorer: Any | None,
    threshold: float = 0.5,
    limit: int | None = None,
    sample: int | None = None,
    out: TextIO | None = None,
    baseline: str | None = None,
    policy: RoutingPolicy | None = None,
    progress: TextIO | None = sys.stderr,
) -> dict[str, Any]:
    policy = policy or RoutingPolicy.default()
    labels: list[int] = []
    scores: list[float] = []
    tasks: list[str] = []
    t_start = time.perf_counter()
    c_start = time.process_time()
    statuses: dict[str, int] = {}
    for i, rec in enumerate(read_records(path, limit, sample)):
        label = int(rec["label"])
        task = str(rec.get("task", ""))
        t = time.perf_counter()
        if baseline == "lexical" or scorer is None:
            p_hall = lexical_baseline(rec)
            row: dict[str, Any] = {"id": rec.get("id"), "task": task, "label": label, "score": p_hall}
        else:
            draft = record_to_draft(rec)
            result = scorer.score(draft)
            decision = policy.decide(result, draft)
            p_hall = result.p_hallucinated
            statuses[result.verification_status] = statuses.get(result.verification_status, 0) + 1
            row = {
                "id": rec.get("id"),
                "dataset": rec.get("dataset"),
                "task": task,
                "label": label,
                "score": p_hall,
                "confidence": result.confidence,
                "model": result.versions.get("model"),
                "fusion": result.versions.get("fusion"),
                "raw_score": result.raw_score,
                "decision": decision.action,
                "reason_codes": list(decision.reason_codes),
                "verification_status": result.verification_status,
                "claims": [
                    {
                        "start": c.start,
                        "end": c.end,
                        "verdict": c.verdict,
                        "p_entail": c.p_entail,
                        "p_contradict": c.p_contradict,
                        "best_passage_id": c.best_passage_id,
                        "best_sentence": [c.best_sentence_start, c.best_sentence_end],
                    }
                    for c in result.claims
                ],
                # Predicted hallucinated spans: checkable claims not supported, plus guardrail hits.
                "spans": [[c.start, c.end] for c in result.claims if c.checkable and c.verdict != "supported"],
                "guardrail_hits": [h.to_dict() for h in result.guardrail_hits],
                "features": result.features,
            }
        row["time_ms"] = round((time.perf_counter() - t) * 1000, 2)
        labels.append(label)
        scores.append(p_hall)
        tasks.append(task)
        if out is not None:
            out.write(json.dumps(row) + "\n")
        if progress is not None and (i + 1) % 200 == 0:
            el = time.perf_counter() - t_start
            progress.write(f"  {i + 1} records, {el:.0f}s ({1000 * el / (i + 1):.0f} ms/record)\n")
            progress.flush()
    elapsed = time.perf_counter() - t_start
    cpu = time.process_time() - c_start
    overall = compute_metrics(labels, scores, threshold)
    per_task = {
        task: compute_metrics(
            [lab for lab, tk in zip(labels, tasks, strict=True) if tk == task],
            [s for s, tk in zip(scores, tasks, strict=True) if tk == task],
            threshold,
        )
        for task in sorted(set(tasks))
    }
    return {
        "file": str(path),
        "overall": overall,
        "per_task": per_task,
        "seconds": elapsed,
        "ms_per_record": 1000 * elapsed / max(1, len(labels)),
        "cpu_ms_per_record": 1000 * cpu / max(1, len(labels)),
        "statuses": statuses,
    }


def report_text(res: dict[str, Any]) -> str:
    lines = [
        f"file: {res['file']}  ({res['seconds']:.1f}s wall, {res['ms_per_record']:.0f} ms/record wall, "
        f"{res['cpu_ms_per_record']:.0f} ms/record CPU)"
    ]
    if res.get("statuses"):
        lines.append(f"verification_status: {res['statuses']}")
    lines.append(format_metrics("overall", res["overall"]))
    for task, m in res["per_task"].items():
        lines.append(format_metrics(f"task={task}", m))
    return "\n".join(lines)


def metrics_json(res: dict[str, Any]) -> dict[str, Any]:
    def clean(d: dict[str, Any]) -> dict[str, Any]:
        return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in d.items()}

    return {
        "file": res["file"],
        "seconds": res["seconds"],
        "ms_per_record": res["ms_per_record"],
        "cpu_ms_per_record": res["cpu_ms_per_record"],
        "statuses": res.get("statuses", {}),
        "overall": clean(res["overall"].to_dict()),
        "per_task": {k: clean(v.to_dict()) for k, v in res["per_task"].items()},
    }
