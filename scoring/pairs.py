"""Three-way accuracy of the engine's claim verdicts on premise/hypothesis pairs.

Each pair is scored as a one-claim draft (the hypothesis) against one passage (the premise)
through the real `Scorer`, and the claim verdict is read as an NLI label: supported →
entailment, insufficient → neutral, refuted → contradiction. A claim the splitter marks not
checkable is read as neutral and counted. Should the splitter cut a hypothesis into several
claims, they are combined (any refuted → contradiction, all supported → entailment, else
neutral) and counted too.

The pairs file is JSONL: {"premise", "hypothesis", "label": entailment|neutral|contradiction,
"kind"}; `tests/scoring/data/support_pairs.jsonl` is the hand-written support-domain set.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from scoring.inputs import DraftInput, Passage
from scoring.results import ScoreResult

LABELS = ("entailment", "neutral", "contradiction")
VERDICT_TO_LABEL = {
    "supported": "entailment",
    "insufficient": "neutral",
    "refuted": "contradiction",
    "not_checkable": "neutral",
}


def read_pairs(path: str | Path) -> list[dict[str, Any]]:
    pairs: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            missing = {"premise", "hypothesis", "label"} - set(row)
            if missing:
                raise ValueError(f"{path}:{n}: missing {sorted(missing)}")
            if row["label"] not in LABELS:
                raise ValueError(f"{path}:{n}: label {row['label']!r} is not one of {LABELS}")
            pairs.append(row)
    return pairs


def pair_draft(premise: str, hypothesis: str) -> DraftInput:
    return DraftInput(question="", draft=hypothesis, passages=(Passage("p", premise),))


def label_of(result: ScoreResult) -> tuple[str, bool, int]:
    """(predicted label, whether no claim was checkable, number of claims) for a scored pair."""
    checkable = [c for c in result.claims if c.checkable]
    if not checkable:
        return "neutral", True, len(result.claims)
    verdicts = {c.verdict for c in checkable}
    if "refuted" in verdicts:
        label = "contradiction"
    elif verdicts == {"supported"}:
        label = "entailment"
    else:
        label = "neutral"
    return label, False, len(result.claims)


def pair_metrics(gold: Iterable[str], pred: Iterable[str], kinds: Iterable[str]) -> dict[str, Any]:
    """Accuracy overall and per kind, and the confusion matrix confusion[gold][pred]."""
    g, p, k = list(gold), list(pred), list(kinds)
    if not len(g) == len(p) == len(k):
        raise ValueError("gold, pred and kinds must have the same length")
    confusion = {a: dict.fromkeys(LABELS, 0) for a in LABELS}
    for a, b in zip(g, p, strict=True):
        confusion[a][b] += 1
    per_kind: dict[str, dict[str, Any]] = {}
    for kind in sorted(set(k)):
        idx = [i for i, x in enumerate(k) if x == kind]
        right = sum(g[i] == p[i] for i in idx)
        per_kind[kind] = {
            "n": len(idx),
            "correct": right,
            "accuracy": right / len(idx),
            "gold": dict(Counter(g[i] for i in idx)),
            "pred": dict(Counter(p[i] for i in idx)),
        }
    right = sum(a == b for a, b in zip(g, p, strict=True))
    per_label = {
        a: (confusion[a][a] / sum(confusion[a].values()) if sum(confusion[a].values()) else None) for a in LABELS
    }
    return {
        "n": len(g),
        "correct": right,
        "accuracy": right / len(g) if g else None,
        "recall_per_label": per_label,
        "per_kind": per_kind,
        "confusion": confusion,
    }


def run_pairs(pairs: list[dict[str, Any]], scorer: Any) -> dict[str, Any]:
    """Score every pair with `scorer` (a `scoring.engine.Scorer`) and measure the verdicts."""
    rows: list[dict[str, Any]] = []
    for pair in pairs:
        result = scorer.score(pair_draft(str(pair["premise"]), str(pair["hypothesis"])))
        pred, not_checkable, n_claims = label_of(result)
        claims = [c for c in result.claims if c.checkable]
        rows.append(
            {
                "kind": str(pair.get("kind", "")),
                "gold": pair["label"],
                "pred": pred,
                "not_checkable": not_checkable,
                "n_claims": n_claims,
                "p_entail": claims[0].p_entail if claims else None,
                "p_contradict": claims[0].p_contradict if claims else None,
                "hypothesis": pair["hypothesis"],
            }
        )
    res = pair_metrics([r["gold"] for r in rows], [r["pred"] for r in rows], [r["kind"] for r in rows])
    res["not_checkable"] = sum(r["not_checkable"] for r in rows)
    res["multi_claim"] = sum(r["n_claims"] > 1 for r in rows)
    res["rows"] = rows
    return res


def report_text(res: dict[str, Any]) -> str:
    def pct(x: float | None) -> str:
        return "n/a" if x is None else f"{100 * x:.1f}%"

    lines = [
        f"pairs: {res['n']}  accuracy {pct(res['accuracy'])} ({res['correct']}/{res['n']})  "
        f"not checkable (read as neutral): {res['not_checkable']}  split into several claims: {res['multi_claim']}",
        "recall per gold label: " + "  ".join(f"{a} {pct(v)}" for a, v in res["recall_per_label"].items()),
        "per kind:",
    ]
    for kind, m in res["per_kind"].items():
        gold = " ".join(f"{a[0].upper()}{m['gold'].get(a, 0)}" for a in LABELS)
        pred = " ".join(f"{a[0].upper()}{m['pred'].get(a, 0)}" for a in LABELS)
        lines.append(f"  {kind:<16} n={m['n']:<4} accuracy {pct(m['accuracy']):>6}  gold {gold}  predicted {pred}")
    lines.append("confusion (rows gold, columns predicted):")
    lines.append("  " + " " * 14 + "".join(f"{a:>15}" for a in LABELS))
    for a in LABELS:
        lines.append(f"  {a:<14}" + "".join(f"{res['confusion'][a][b]:>15}" for b in LABELS))
    return "\n".join(lines)
