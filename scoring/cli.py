"""`python -m scoring score FILE.json`, `python -m scoring evaluate FILE.jsonl`, `python -m scoring pairs FILE.jsonl`
and the fitting commands."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _scorer(args: argparse.Namespace, *, budget_ms: float | None):
    from scoring.engine import Scorer, ScorerConfig, default_model_path

    kw: dict = {"model_path": args.model or default_model_path(), "time_budget_ms": budget_ms}
    if getattr(args, "calibrator", None):
        kw["calibrator_path"] = args.calibrator
    if getattr(args, "int8", None) is not None:
        kw["int8"] = args.int8
    if getattr(args, "top_k", None):
        kw["top_k_windows"] = args.top_k
    if getattr(args, "window_tokens", None):
        kw["window_tokens"] = args.window_tokens
    if getattr(args, "fusion", None):
        from scoring.fusion import FusionModel

        kw["fusion"] = FusionModel.load(args.fusion)
    return Scorer(ScorerConfig.of(**kw))


def cmd_score(args: argparse.Namespace) -> int:
    from scoring.errors import InvalidInput
    from scoring.guardrails import GuardrailRules
    from scoring.inputs import DraftInput
    from scoring.policy import RoutingPolicy

    payload = json.loads(Path(args.file).read_text(encoding="utf-8"))
    try:
        draft = DraftInput.from_request(payload)
    except InvalidInput as exc:
        print(json.dumps({"error": "invalid_input", **exc.to_dict()}), file=sys.stderr)
        return 2
    scorer = _scorer(args, budget_ms=args.budget_ms)
    rules = GuardrailRules.from_dict(json.loads(Path(args.rules).read_text())) if args.rules else None
    policy = (
        RoutingPolicy.from_dict(json.loads(Path(args.policy).read_text())) if args.policy else RoutingPolicy.default()
    )
    result = scorer.score(draft, rules=rules)
    decision = policy.decide(result, draft)
    print(json.dumps({"result": result.to_dict(), "decision": decision.to_dict()}, indent=2))
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from scoring.evaluate import metrics_json, report_text, run_evaluation

    scorer = None if args.baseline else _scorer(args, budget_ms=args.budget_ms)
    if scorer is not None and scorer.verifier is None:
        print(f"warning: verifier unavailable ({scorer.verifier_error})", file=sys.stderr)
    out = open(args.out, "w", encoding="utf-8") if args.out else None  # noqa: SIM115
    try:
        res = run_evaluation(
            args.file,
            scorer=scorer,
            threshold=args.threshold,
            limit=args.limit,
            sample=args.sample,
            out=out,
            baseline=args.baseline,
            folds=args.folds,
        )
    finally:
        if out is not None:
            out.close()
    if scorer is not None:
        versions = scorer.versions(scorer.calibrator)
        print(f"model: {versions['model']}  fusion: {versions['fusion']}  calibrator: {versions['calibrator']}")
    print(report_text(res))
    if args.json:
        Path(args.json).write_text(json.dumps(metrics_json(res), indent=2) + "\n", encoding="utf-8")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Fit a calibrator from an evaluate predictions file (raw_score, label), or from a label
    export of reviewqueue (`GET /api/v1/labels`), whose rows carry the same keys; `--weighted`
    weighs each row by its `weight` (1 / sampling probability of an audited draft)."""
    from scoring.calibration import FITTED_FOR, Calibrator

    raws: list[float] = []
    goods: list[int] = []
    weights: list[float] = []
    seen: dict[str, set[Any]] = {k: set() for k in FITTED_FOR}
    with open(args.predictions, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if args.limit is not None and len(raws) >= args.limit:
                break
            if row.get("raw_score") is None:
                continue  # an unscored draft in a label export: nothing to calibrate
            raws.append(row["raw_score"])
            goods.append(1 - int(row["label"]))  # calibrator predicts P(good)
            weights.append(float(row["weight"]) if args.weighted else 1.0)
            for key, values in seen.items():
                values.add(row.get(key))
    meta: dict[str, Any] = {"fitted_on": args.note or args.predictions}
    for key, values in seen.items():
        if len(values) == 1 and None not in values:
            meta[key] = values.pop()  # the scorer refuses this calibrator for any other model / fusion
    cal = Calibrator.fit(raws, goods, method=args.method, meta=meta, weights=weights if args.weighted else None)
    cal.save(args.out)
    print(f"{cal.version}: fitted on {cal.n_samples} records → {args.out}")
    return 0


def cmd_fit_fusion(args: argparse.Namespace) -> int:
    """Fit fusion weights from evaluate predictions (their `features`), save as JSON.

    With --by-file every predictions file weighs the same and is also held out in turn: the
    leave-one-file-out AUROC printed is the figure to choose --c by, never a test file's.
    """
    from scoring.fusion import FUSION_FILE, cross_validate_by_group, fit_fusion

    rows: list[dict[str, float]] = []
    good: list[int] = []
    groups: list[str] = []
    models: set[Any] = set()
    for path in args.predictions:
        group = Path(path).stem
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh):
                if args.limit is not None and n >= args.limit:
                    break
                row = json.loads(line)
                rows.append(row["features"])
                good.append(1 - int(row["label"]))
                groups.append(group)
                models.add(row.get("model"))
    meta: dict[str, Any] = {"fitted_on": dict(Counter(groups)), "c": args.c}
    if len(models) == 1 and None not in models:
        meta["model"] = models.pop()  # a model directory's fusion.json is used for this version only
    if args.by_file:
        cv = cross_validate_by_group(rows, good, groups, c=args.c)
        meta["leave_one_file_out_auroc"] = {k: round(v, 4) for k, v in cv.items()}
        for held, auc in cv.items():
            print(f"  held out {held:<28} AUROC={auc:.3f}")
        if cv:
            print(f"  mean leave-one-file-out AUROC={sum(cv.values()) / len(cv):.3f}  (c={args.c})")
    model = fit_fusion(rows, good, groups=groups if args.by_file else None, name=args.name, c=args.c, meta=meta)
    out = Path(args.out)
    if out.is_dir():
        out = out / FUSION_FILE
    model.save(out)
    print(f"{model.version}: fitted on {len(rows)} records -> {out}")
    for k, w in model.weights.items():
        print(f"  {k:<24} {w:+.3f}")
    return 0


def cmd_fit_prior(args: argparse.Namespace) -> int:
    """Fusion, prior calibrator and thresholds from the fit fold of evaluate predictions."""
    from scoring.calibration import CALIBRATOR_FILE
    from scoring.fusion import FUSION_FILE
    from scoring.prior import choose_c, fit_prior, read_predictions

    rows = read_predictions(args.predictions)
    model = next(iter(rows.models)) if len(rows.models) == 1 else None
    c = args.c
    if c is None:
        c, means = choose_c(rows)
        for value, auc in means.items():
            print(f"  c={value:<6} mean leave-one-file-out AUROC {auc:.4f}")
        print(f"  chosen c={c}")
    fusion, calibrator, th = fit_prior(rows, c=c, name=args.name, model=model)
    out = Path(args.out)
    fusion.save(out / FUSION_FILE)
    calibrator.save(out / CALIBRATOR_FILE)
    print(f"fit rows: {len(rows)} ({dict(Counter(rows.groups))}), model {model}")
    print(f"fusion {fusion.version} -> {out / FUSION_FILE}")
    for k, w in fusion.weights.items():
        print(f"  {k:<24} {w:+.3f}")
    print(f"calibrator {calibrator.version} -> {out / CALIBRATOR_FILE}")
    print(
        f"thresholds: auto_send {th.auto_send}, auto_draft_human_send {th.auto_draft_human_send}, "
        f"queue_for_review {th.queue_for_review}  (fit rows, rules applied: bad auto-sent {th.bad_auto_sent:.1%}, "
        f"worst file {th.bad_auto_sent_worst_file:.1%}; bad auto-sent or drafted {th.bad_auto_or_drafted:.1%}; "
        f"good auto-sent or drafted {th.good_auto_or_drafted:.1%}, good blocked {th.good_blocked:.1%})"
    )
    return 0


def cmd_rescore(args: argparse.Namespace) -> int:
    """Metrics from a predictions file, re-fused and/or re-calibrated offline (no model run)."""
    from scoring.calibration import UNCALIBRATED, Calibrator
    from scoring.evaluate import compute_metrics, decision_from_row, extra_figures, format_extra, format_metrics
    from scoring.fusion import FusionModel
    from scoring.policy import RoutingPolicy

    fusion = FusionModel.load(args.fusion) if args.fusion else None
    cal = Calibrator.load(args.calibrator) if args.calibrator else None
    by_task: dict[str, tuple[list[int], list[float]]] = {}
    labels: list[int] = []
    scores: list[float] = []
    rows: list[dict[str, Any]] = []
    policy = RoutingPolicy.default()
    # A re-fused score with no calibrator is used raw, i.e. uncalibrated (the policy's cap applies).
    cal_version = cal.version if cal else UNCALIBRATED
    routable = True  # every row lets the policy decision be recomputed (or was run as is)
    with open(args.predictions, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if args.folds is not None and row.get("fold") not in args.folds:
                continue
            if "raw_score" not in row:  # a baseline's predictions: nothing to re-fuse
                conf = 1.0 - float(row["score"])
                routable = False
            else:
                raw = fusion.raw_score(row["features"]) if fusion else row["raw_score"]
                conf = cal.predict(raw) if cal else (raw if fusion else row["confidence"])
            if (fusion or cal) and routable:
                action = decision_from_row(row, float(conf), cal_version, policy)
                if action is None:
                    routable = False
                else:
                    row = {**row, "decision": action}
            rows.append(row)
            p = 1.0 - float(conf)
            labels.append(int(row["label"]))
            scores.append(p)
            ys, ss = by_task.setdefault(row.get("task", ""), ([], []))
            ys.append(int(row["label"]))
            ss.append(p)
    print(
        f"{args.predictions}  fusion={fusion.version if fusion else 'as run'}  "
        f"calibrator={cal.version if cal else 'as run'}"
    )
    print(format_metrics("overall", compute_metrics(labels, scores, args.threshold)))
    for task, (ys, ss) in sorted(by_task.items()):
        print(format_metrics(f"task={task}", compute_metrics(ys, ss, args.threshold)))
    routable = routable and bool(rows) and all("decision" in row for row in rows)
    extra = extra_figures(rows, routing=routable)
    how = "as run" if not (fusion or cal) else f"recomputed offline at the new confidence, calibrator={cal_version}"
    for text in format_extra(extra, policy_name=f"policy {policy.version}, {how}"):
        print(text)
    if not routable:
        print(
            "routing: not shown: the predictions rows lack what the policy decision needs "
            "(decision, claims with verdicts, guardrail_hits, verification_status); rerun evaluate --out"
        )
    return 0


def cmd_pairs(args: argparse.Namespace) -> int:
    """Three-way accuracy of the claim verdicts on premise/hypothesis pairs (scoring.pairs)."""
    from scoring.pairs import read_pairs, report_text, run_pairs

    pairs = read_pairs(args.file)
    scorer = _scorer(args, budget_ms=None)
    if scorer.verifier is None:
        print(f"error: verifier unavailable ({scorer.verifier_error})", file=sys.stderr)
        return 1
    res = run_pairs(pairs, scorer)
    print(f"model: {scorer.versions(scorer.calibrator)['model']}  file: {args.file}")
    print(report_text(res))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(row) + "\n" for row in res["rows"])
    if args.json:
        body = {"file": args.file, **{k: v for k, v in res.items() if k != "rows"}}
        Path(args.json).write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    return 0


def _fold_list(text: str) -> list[int]:
    from scoring.folds import N_FOLDS

    try:
        folds = sorted({int(x) for x in text.split(",") if x.strip()})
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"folds must be a comma list of integers, not {text!r}") from exc
    if not folds or any(not 0 <= f < N_FOLDS for f in folds):
        raise argparse.ArgumentTypeError(f"folds must lie in 0-{N_FOLDS - 1}: {text!r}")
    return folds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scoring")
    sub = parser.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("score", help="score one draft given in the REST request shape")
    p.add_argument("file")
    p.add_argument("--model")
    p.add_argument("--calibrator")
    p.add_argument("--rules", help="guardrail rules JSON")
    p.add_argument("--policy", help="routing policy JSON")
    p.add_argument("--budget-ms", type=float, default=2000.0)
    p.add_argument("--int8", action=argparse.BooleanOptionalAction, help="int8 verifier (default: on)")
    p.add_argument("--fusion", help="fusion weights JSON (from fit-fusion)")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("evaluate", help="detection quality on a labelled JSONL file")
    p.add_argument("file")
    p.add_argument("--out", help="write per-record predictions (JSONL)")
    p.add_argument("--threshold", type=float, default=0.5, help="on P(hallucinated)")
    p.add_argument("--model")
    p.add_argument("--calibrator")
    p.add_argument("--limit", type=int, help="first N records")
    p.add_argument("--sample", type=int, help="a seeded random N records (kept in file order)")
    p.add_argument("--budget-ms", type=float, default=None, help="per-draft budget (default: none)")
    p.add_argument("--baseline", choices=["lexical"], help="score with a baseline instead")
    p.add_argument("--json", help="also write the metrics as JSON")
    p.add_argument("--int8", action=argparse.BooleanOptionalAction, help="int8 verifier (default: on)")
    p.add_argument("--fusion", help="fusion weights JSON (from fit-fusion)")
    p.add_argument("--top-k", type=int, help="evidence windows per claim (default: ScorerConfig)")
    p.add_argument("--window-tokens", type=int, help="premise tokens per evidence window (default: ScorerConfig)")
    p.add_argument(
        "--folds",
        type=_fold_list,
        help="comma list: keep only records whose scoring.folds.fold_of is listed (e.g. 4, the report fold)",
    )
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("pairs", help="three-way NLI accuracy of the claim verdicts on premise/hypothesis pairs")
    p.add_argument("file", help="JSONL of {premise, hypothesis, label, kind}")
    p.add_argument("--model")
    p.add_argument("--json", help="also write the figures as JSON")
    p.add_argument("--out", help="write per-pair predictions (JSONL)")
    p.add_argument("--int8", action=argparse.BooleanOptionalAction, help="int8 verifier (default: on)")
    p.set_defaults(func=cmd_pairs)

    p = sub.add_parser("calibrate", help="fit a calibrator from evaluate predictions")
    p.add_argument("predictions")
    p.add_argument("--out", required=True)
    p.add_argument("--method", choices=["isotonic", "platt"], default="isotonic")
    p.add_argument("--note")
    p.add_argument("--limit", type=int, help="fit on the first N rows only")
    p.add_argument("--weighted", action="store_true", help="weigh rows by their `weight` (a reviewqueue label export)")
    p.set_defaults(func=cmd_calibrate)

    p = sub.add_parser("fit-fusion", help="fit fusion weights from evaluate predictions")
    p.add_argument("predictions", nargs="+")
    p.add_argument("--out", required=True, help="JSON file, or a model directory (writes its fusion.json)")
    p.add_argument("--name", default="fitted")
    p.add_argument("--limit", type=int, help="first N rows of each file")
    p.add_argument("--by-file", action="store_true", help="weigh files equally; report leave-one-file-out AUROC")
    p.add_argument("--c", type=float, default=1.0, help="inverse L2 strength of the logistic fit")
    p.set_defaults(func=cmd_fit_fusion)

    p = sub.add_parser("fit-prior", help="fusion, prior calibrator and thresholds from the fit fold")
    p.add_argument("predictions", nargs="+", help="evaluate --out files of the dev files (never RAGTruth)")
    p.add_argument("--out", required=True, help="the model directory (writes fusion.json and calibrator.json)")
    p.add_argument("--name", default="fitted")
    p.add_argument(
        "--c", type=float, default=None, help="inverse L2 strength (default: chosen by leave-one-file-out AUROC)"
    )
    p.set_defaults(func=cmd_fit_prior)

    p = sub.add_parser("rescore", help="metrics from predictions with another fusion/calibrator")
    p.add_argument("predictions")
    p.add_argument("--fusion")
    p.add_argument("--calibrator")
    p.add_argument("--threshold", type=float, default=0.5)
    p.add_argument("--folds", type=_fold_list, help="comma list: keep only rows of these folds (rows carry their fold)")
    p.set_defaults(func=cmd_rescore)

    args = parser.parse_args(argv)
    return int(args.func(args))
