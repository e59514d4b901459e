"""Measure detection quality on labelled records (the dev-file format, label 1 = hallucinated).

Only `question`, `passages` and `response` are fed to the scorer; `meta` is never read for
prediction (it carries the gold label in other forms). The score evaluated is
P(hallucinated) = 1 - confidence.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from scoring.folds import N_FOLDS, fold_of
from scoring.inputs import DraftInput, Passage
from scoring.policy import ACTIONS, RoutingPolicy
from scoring.results import ClaimResult, ScoreResult
from scoring.text import content_stems, lexical_support


def read_records(
    path: str | Path,
    limit: int | None = None,
    sample: int | None = None,
    seed: int = 0,
    folds: Iterable[int] | None = None,
) -> Iterator[dict[str, Any]]:
    """Records in file order; `folds` keeps those whose `scoring.folds.fold_of` is listed, then
    `limit` keeps the first N, `sample` a seeded random N (file order).

    Files are grouped by source (the first records of a file can have a very different base
    rate from the rest), so a subset for quick figures should be a sample, not a prefix. The
    sample depends only on line positions (among the kept folds), never on labels.
    """
    with open(path, encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip()]
    if folds is not None:
        wanted = set(folds)
        lines = [line for line in lines if fold_of(json.loads(line)) in wanted]
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


# ---- span, verdict, routing and guardrail figures --------------------------------------------
Ranges = list[tuple[int, int]]


def merge_ranges(ranges: Iterable[tuple[int, int]]) -> Ranges:
    """Sorted, non-overlapping, non-empty ranges covering the same characters."""
    merged: Ranges = []
    for a, b in sorted((int(a), int(b)) for a, b in ranges if int(b) > int(a)):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _covered(ranges: Ranges) -> int:
    return sum(b - a for a, b in ranges)


def _overlap(x: Ranges, y: Ranges) -> int:
    """Characters in both merged range lists."""
    total, i, j = 0, 0, 0
    while i < len(x) and j < len(y):
        lo, hi = max(x[i][0], y[j][0]), min(x[i][1], y[j][1])
        if hi > lo:
            total += hi - lo
        if x[i][1] <= y[j][1]:
            i += 1
        else:
            j += 1
    return total


def span_overlap_prf(
    pred: list[list[tuple[int, int]]], gold: list[list[tuple[int, int]]]
) -> tuple[float, float, float]:
    """Character-overlap precision, recall and F1 (fractions, not x100), micro over records.

    `pred[i]` and `gold[i]` are the flagged and the gold ranges of record i, [start, end) in the
    response. Each list is merged first, so a character flagged twice counts once. precision =
    overlapping chars / flagged chars (nan when nothing is flagged), recall = overlapping chars /
    gold chars (nan when there is no gold char), F1 = 0 when either is 0 or undefined.
    """
    if len(pred) != len(gold):
        raise ValueError(f"pred has {len(pred)} records, gold {len(gold)}")
    flagged = gold_chars = both = 0
    for p_ranges, g_ranges in zip(pred, gold, strict=True):
        pm, gm = merge_ranges(p_ranges), merge_ranges(g_ranges)
        flagged += _covered(pm)
        gold_chars += _covered(gm)
        both += _overlap(pm, gm)
    p = both / flagged if flagged else float("nan")
    r = both / gold_chars if gold_chars else float("nan")
    f1 = 2 * p * r / (p + r) if flagged and gold_chars and both else 0.0
    return p, r, f1


# Edit tokens: words (numbers with their decimal point or thousands comma kept whole) or one
# punctuation mark.
_EDIT_TOKEN = re.compile(r"\w+(?:['’.,]\w+)*|[^\w\s]")


def edit_ranges(response: str, original: str) -> Ranges:
    """The ranges of `response` an edit of `original` wrote: tokens replaced or inserted (a word
    diff), neighbours merged. A deletion writes nothing, so it has no range; nor does punctuation
    alone (a comma added is not what made the summary wrong)."""
    new = list(_EDIT_TOKEN.finditer(response))
    old = [m.group().lower() for m in _EDIT_TOKEN.finditer(original)]
    matcher = difflib.SequenceMatcher(None, old, [m.group().lower() for m in new], autojunk=False)
    out = [
        (new[j1].start(), new[j2 - 1].end())
        for op, _i1, _i2, j1, j2 in matcher.get_opcodes()
        if op in ("replace", "insert") and any(m.group()[0].isalnum() or m.group()[0] == "_" for m in new[j1:j2])
    ]
    return merge_ranges(out)


def gold_ranges(rec: dict[str, Any]) -> Ranges:
    """The record's gold hallucinated ranges, clipped to the response: RAGTruth's `spans`; for a
    SummEdits summary labelled inconsistent (label 1) the words its edit changed, read from
    `meta.original_summary` (measurement only, like every gold range: the edit made the summary
    inconsistent, so what it wrote is what a reviewer should find)."""
    response = str(rec.get("response", ""))
    n = len(response)
    out: Ranges = []
    for sp in rec.get("spans") or []:
        if isinstance(sp, dict) and "start" in sp and "end" in sp:
            a, b = max(0, int(sp["start"])), min(n, int(sp["end"]))
            if b > a:
                out.append((a, b))
    meta = rec.get("meta")
    if not out and str(rec.get("label")) == "1" and isinstance(meta, dict):
        original = meta.get("original_summary")
        if isinstance(original, str) and original and original != response:
            out = edit_ranges(response, original)
    return out


def span_figures(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Span P/R/F1 of the scorer's flagged ranges and of two trivial baselines (flag every whole
    response; flag nothing), or None when no row has a gold span (the file has no span labels).
    Rows need `gold_spans` and `response_chars`; the scorer's figure also needs `spans`."""
    if not any(row.get("gold_spans") for row in rows):
        return None
    gold = [[(a, b) for a, b in row.get("gold_spans") or []] for row in rows]
    out: dict[str, Any] = {
        "records": len(rows),
        "records_with_gold": sum(1 for g in gold if g),
        "gold_chars": sum(_covered(merge_ranges(g)) for g in gold),
    }
    systems: dict[str, list[Ranges]] = {
        "whole_response": [[(0, int(row.get("response_chars", 0)))] for row in rows],
        "nothing": [[] for _ in rows],
    }
    if all("spans" in row for row in rows):
        systems = {"scorer": [[(a, b) for a, b in row["spans"]] for row in rows], **systems}
    for name, pred in systems.items():
        p, r, f1 = span_overlap_prf(pred, gold)
        out[name] = {
            "precision": p,
            "recall": r,
            "f1": f1,
            "flagged_chars": sum(_covered(merge_ranges(x)) for x in pred),
        }
    return out


def verdict_shares(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Among checkable claims of good (label 0) and of bad (label 1) records, the share judged
    supported / refuted / insufficient; and the not-checkable share of all claims. Rows need
    `label` and `claims` (each with `verdict`; not checkable ⇔ verdict == "not_checkable")."""
    if not any("claims" in row for row in rows):
        return None
    counts = {0: Counter[str](), 1: Counter[str]()}
    for row in rows:
        counts[int(row["label"])].update(str(c["verdict"]) for c in row.get("claims", []))
    out: dict[str, Any] = {}
    for label, name in ((0, "good"), (1, "bad")):
        c = counts[label]
        n = c["supported"] + c["refuted"] + c["insufficient"]
        out[name] = {"checkable_claims": n} | {
            v: (c[v] / n if n else float("nan")) for v in ("supported", "refuted", "insufficient")
        }
    total = sum(counts[0].values()) + sum(counts[1].values())
    not_checkable = counts[0]["not_checkable"] + counts[1]["not_checkable"]
    out["claims"] = total
    out["not_checkable"] = not_checkable / total if total else float("nan")
    return out


GOAL_GOOD_SENT_OR_DRAFTED = 0.30  # the goal: at least this share of good drafts...
GOAL_BAD_AUTO_SENT = 0.05  # ...while at most this share of bad drafts is auto-sent


def routing_view(labels: list[int], actions: list[str]) -> dict[str, Any]:
    """Where the policy sends good (label 0) and bad (label 1) drafts."""
    good = Counter(a for lab, a in zip(labels, actions, strict=True) if lab == 0)
    bad = Counter(a for lab, a in zip(labels, actions, strict=True) if lab == 1)
    n_good, n_bad = sum(good.values()), sum(bad.values())

    def share(c: Counter[str], n: int, *acts: str) -> float:
        return sum(c[a] for a in acts) / n if n else float("nan")

    out: dict[str, Any] = {"n_good": n_good, "n_bad": n_bad, "bad_auto_send": share(bad, n_bad, "auto_send")}
    for a in ACTIONS:
        out[f"good_{a}"] = share(good, n_good, a)
    out["good_sent_or_drafted"] = share(good, n_good, "auto_send", "auto_draft_human_send")
    out["goal_met"] = bool(
        n_good
        and n_bad
        and out["good_sent_or_drafted"] >= GOAL_GOOD_SENT_OR_DRAFTED
        and out["bad_auto_send"] <= GOAL_BAD_AUTO_SENT
    )
    return out


def guardrail_shares(labels: list[int], hit: list[bool]) -> dict[str, float]:
    """Share of good and of bad records with any guardrail hit."""
    good = [h for lab, h in zip(labels, hit, strict=True) if lab == 0]
    bad = [h for lab, h in zip(labels, hit, strict=True) if lab == 1]
    return {
        "good": sum(good) / len(good) if good else float("nan"),
        "bad": sum(bad) / len(bad) if bad else float("nan"),
    }


def extra_figures(rows: list[dict[str, Any]], *, routing: bool = True) -> dict[str, Any]:
    """Span, claim-verdict, routing and guardrail figures from per-record rows (the `--out`
    rows of `run_evaluation`); a part is None when the rows lack what it needs."""
    labels = [int(row["label"]) for row in rows]
    scored = bool(rows) and all("decision" in row for row in rows)
    return {
        "spans": span_figures(rows),
        "verdicts": verdict_shares(rows) if scored else None,
        "routing": routing_view(labels, [str(row["decision"]) for row in rows]) if scored and routing else None,
        "guardrails": guardrail_shares(labels, [bool(row.get("guardrail_hits")) for row in rows]) if scored else None,
    }


def _pct(x: float) -> str:
    return "n/a" if isinstance(x, float) and math.isnan(x) else f"{100 * x:.1f}%"


def _x100(x: float) -> str:
    return "n/a" if isinstance(x, float) and math.isnan(x) else f"{100 * x:.1f}"


def format_extra(extra: dict[str, Any], *, policy_name: str = "default policy") -> list[str]:
    lines: list[str] = []
    sp = extra.get("spans")
    if sp:
        parts = []
        for name in ("scorer", "whole_response", "nothing"):
            if name in sp:
                m = sp[name]
                parts.append(f"{name}: P={_x100(m['precision'])} R={_x100(m['recall'])} F1={_x100(m['f1'])}")
        lines.append(
            f"span char-overlap (x100, {sp['records_with_gold']} of {sp['records']} records with gold spans, "
            f"{sp['gold_chars']} gold chars): " + " | ".join(parts)
        )
    vd = extra.get("verdicts")
    if vd:
        parts = []
        for name in ("good", "bad"):
            m = vd[name]
            parts.append(
                f"{name} (label {0 if name == 'good' else 1}, {m['checkable_claims']} checkable claims): "
                f"supported {_pct(m['supported'])} refuted {_pct(m['refuted'])} "
                f"insufficient {_pct(m['insufficient'])}"
            )
        lines.append(
            "claim verdicts: " + " | ".join(parts) + f" | not checkable {_pct(vd['not_checkable'])} "
            f"of {vd['claims']} claims"
        )
    rv = extra.get("routing")
    if rv:
        goods = " ".join(f"{a} {_pct(rv[f'good_{a}'])}" for a in ACTIONS)
        lines.append(
            f"routing ({policy_name}): bad auto-sent {_pct(rv['bad_auto_send'])} (n={rv['n_bad']}) | "
            f"good (n={rv['n_good']}): {goods} | good auto-sent or drafted {_pct(rv['good_sent_or_drafted'])} "
            f"(goal >= {GOAL_GOOD_SENT_OR_DRAFTED:.0%} with bad auto-sent <= {GOAL_BAD_AUTO_SENT:.0%}: "
            f"{'met' if rv['goal_met'] else 'not met'})"
        )
    gr = extra.get("guardrails")
    if gr:
        lines.append(f"guardrail hits: good {_pct(gr['good'])} | bad {_pct(gr['bad'])} of records with any hit")
    return lines


def _clean(x: Any) -> Any:
    if isinstance(x, float) and math.isnan(x):
        return None
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_clean(v) for v in x]
    return x


def decision_from_row(row: dict[str, Any], confidence: float, calibrator: str, policy: RoutingPolicy) -> str | None:
    """The policy's action for a predictions row at another confidence, recomputed offline, or
    None when the row lacks what `RoutingPolicy.decide` reads (older predictions files).

    The evaluate drafts carry no intent, amount or tier, so what the policy reads is the
    confidence, the calibrator version, the claim verdicts, the guardrail hits and the
    verification status, all of which the row stores."""
    needed = ("claims", "guardrail_hits", "verification_status")
    if any(k not in row for k in needed) or any("verdict" not in c for c in row["claims"]):
        return None
    claims = tuple(
        ClaimResult(
            "", int(c["start"]), int(c["end"]), c.get("checkable", c["verdict"] != "not_checkable"), str(c["verdict"])
        )
        for c in row["claims"]
    )
    from scoring.guardrails import GuardrailHit

    result = ScoreResult(
        logprob_signals=None,
        claims=claims,
        guardrail_hits=tuple(GuardrailHit.from_dict(h) for h in row["guardrail_hits"]),
        features=dict(row.get("features", {})),
        raw_score=float(row.get("raw_score", confidence)),
        confidence=float(confidence),
        risk=float(row.get("risk", 0.0)),
        verification_status=str(row["verification_status"]),
        versions={"calibrator": calibrator},
    )
    return policy.decide(result, DraftInput(question="", draft="", passages=())).action


_EXTRA_KEYS = ("label", "decision", "claims", "guardrail_hits", "spans", "gold_spans", "response_chars")


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
    folds: Iterable[int] | None = None,
) -> dict[str, Any]:
    policy = policy or RoutingPolicy.default()
    fold_list = None if folds is None else sorted(set(folds))
    kept: list[dict[str, Any]] = []  # the rows' fields the extra figures read
    labels: list[int] = []
    scores: list[float] = []
    tasks: list[str] = []
    t_start = time.perf_counter()
    c_start = time.process_time()
    statuses: dict[str, int] = {}
    for i, rec in enumerate(read_records(path, limit, sample, folds=fold_list)):
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
                "calibrator": result.versions.get("calibrator"),
                "raw_score": result.raw_score,
                "risk": result.risk,
                "decision": decision.action,
                "reason_codes": list(decision.reason_codes),
                "verification_status": result.verification_status,
                "claims": [
                    {
                        "start": c.start,
                        "end": c.end,
                        "checkable": c.checkable,
                        "verdict": c.verdict,
                        "p_entail": c.p_entail,
                        "p_contradict": c.p_contradict,
                        "evidence_reason": c.evidence_reason,
                        "evidence_field": c.evidence_field,
                        "best_passage_id": c.best_passage_id,
                        "best_sentence": [c.best_sentence_start, c.best_sentence_end],
                    }
                    for c in result.claims
                ],
                # Flagged ranges (merged): claims judged refuted or insufficient, and guardrail hits.
                "spans": [list(r) for r in result.flagged_spans],
                "guardrail_hits": [h.to_dict() for h in result.guardrail_hits],
                "features": result.features,
            }
        # Gold spans are measurement only (never fed to the scorer).
        row["fold"] = fold_of(rec)
        row["gold_spans"] = [list(r) for r in gold_ranges(rec)]
        row["response_chars"] = len(str(rec.get("response", "")))
        row["time_ms"] = round((time.perf_counter() - t) * 1000, 2)
        kept.append({k: row[k] for k in _EXTRA_KEYS if k in row})
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
        "folds": fold_list,
        "policy": policy.version,
        "extra": extra_figures(kept),
    }


def report_text(res: dict[str, Any]) -> str:
    folds = res.get("folds")
    used = "all" if folds is None else ",".join(str(f) for f in folds)
    lines = [
        f"file: {res['file']}  folds: {used} (of 0-{N_FOLDS - 1})  ({res['seconds']:.1f}s wall, "
        f"{res['ms_per_record']:.0f} ms/record wall, "
        f"{res['cpu_ms_per_record']:.0f} ms/record CPU)"
    ]
    if res.get("statuses"):
        lines.append(f"verification_status: {res['statuses']}")
    lines.append(format_metrics("overall", res["overall"]))
    for task, m in res["per_task"].items():
        lines.append(format_metrics(f"task={task}", m))
    lines += format_extra(res.get("extra") or {}, policy_name=f"policy {res.get('policy', 'default')}")
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
        "folds": res.get("folds"),
        "policy": res.get("policy"),
        **_clean(res.get("extra") or {}),
    }
