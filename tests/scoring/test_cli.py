from __future__ import annotations

import json

import pytest

from scoring.cli import main
from scoring.evaluate import compute_metrics, ece


def test_score_command_prints_result_and_decision(tmp_path, tiny_model_dir, capsys):
    req = {
        "question": "Refund time?",
        "draft": "Refunds take 14 days.",
        "passages": [{"id": "kb", "text": "Refunds take 14 days."}],
        "logprobs": {"tokens": ["Refunds", " take", " 14", " days", "."], "logprobs": [-0.1, -0.1, -0.5, -0.1, 0.0]},
        "metadata": {"intent": "refund"},
    }
    f = tmp_path / "req.json"
    f.write_text(json.dumps(req))
    assert main(["score", str(f), "--model", tiny_model_dir]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["result"]["verification_status"] == "complete"
    assert out["decision"]["action"] in {"auto_send", "auto_draft_human_send", "queue_for_review", "block"}
    assert out["result"]["logprob_signals"]["seq_logprob"] < 0


def test_score_command_rejects_bad_logprobs(tmp_path, tiny_model_dir, capsys):
    f = tmp_path / "req.json"
    f.write_text(
        json.dumps({"draft": "x", "logprobs": {"tokens": ["x"], "logprobs": [float("nan")]}}).replace("NaN", "NaN")
    )
    assert main(["score", str(f), "--model", tiny_model_dir]) == 2
    assert "logprobs.logprobs[0]" in capsys.readouterr().err


def records():
    base = {
        "dataset": "t",
        "question": "",
        "passages": [{"id": "p", "text": "The plan costs 12 dollars per month."}],
        "spans": [],
        "meta": {"label": "LEAK"},
    }
    rows = []
    for i, (task, resp, label) in enumerate(
        [
            ("qa", "The plan costs 12 dollars per month.", 0),
            ("qa", "The plan costs 99 dollars and includes a free phone.", 1),
            ("summary", "It costs 12 dollars per month.", 0),
            ("summary", "The plan was launched by NASA in 1969.", 1),
        ]
    ):
        rows.append({"id": f"t:{i}", "task": task, "response": resp, "label": label, **base})
    return rows


def _dev_file(tmp_path):
    data = tmp_path / "dev.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in records()))
    return data


def _predictions(tmp_path, model_dir):
    """The toy dev file and `evaluate --out` predictions for it."""
    data, pred = _dev_file(tmp_path), tmp_path / "pred.jsonl"
    main(["evaluate", str(data), "--model", model_dir, "--out", str(pred)])
    return data, pred


def test_evaluate_command_prints_metrics_and_writes_predictions(tmp_path, tiny_model_dir, capsys):
    data = _dev_file(tmp_path)
    out = tmp_path / "pred.jsonl"
    js = tmp_path / "m.json"
    assert (
        main(
            [
                "evaluate",
                str(data),
                "--model",
                tiny_model_dir,
                "--out",
                str(out),
                "--json",
                str(js),
                "--threshold",
                "0.4",
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    for key in ("AUROC=", "AUPRC=", "F1@0.40=", "bestF1=", "ECE=", "task=qa", "task=summary"):
        assert key in text
    preds = [json.loads(x) for x in out.read_text().splitlines()]
    assert [p["id"] for p in preds] == ["t:0", "t:1", "t:2", "t:3"]
    assert {"score", "decision", "claims", "spans", "guardrail_hits"} <= set(preds[1])
    assert preds[1]["guardrail_hits"]  # "99" is in no passage
    metrics = json.loads(js.read_text())
    assert metrics["overall"]["n"] == 4 and set(metrics["per_task"]) == {"qa", "summary"}


def test_evaluate_never_reads_meta(tmp_path, tiny_model_dir, capsys, monkeypatch):
    from scoring import evaluate

    seen = []
    real = evaluate.record_to_draft

    def spy(rec):
        d = real(rec)
        seen.append(json.dumps(d.to_dict()))
        return d

    monkeypatch.setattr(evaluate, "record_to_draft", spy)
    data = _dev_file(tmp_path)
    main(["evaluate", str(data), "--model", tiny_model_dir, "--limit", "2"])
    assert len(seen) == 2 and not any("LEAK" in s for s in seen)


def test_lexical_baseline_and_calibrate(tmp_path, tiny_model_dir, capsys):
    data = _dev_file(tmp_path)
    assert main(["evaluate", str(data), "--baseline", "lexical"]) == 0
    assert "AUROC=1.000" in capsys.readouterr().out  # the toy set is lexically separable
    pred = tmp_path / "pred.jsonl"
    main(["evaluate", str(data), "--model", tiny_model_dir, "--out", str(pred)])
    cal = tmp_path / "cal.json"
    assert main(["calibrate", str(pred), "--out", str(cal), "--method", "platt"]) == 0
    assert json.loads(cal.read_text())["method"] == "platt"


def test_metrics_by_hand():
    m = compute_metrics([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9], threshold=0.5)
    assert m.auroc == 0.75
    # At 0.5: predicted positive {0.6, 0.9}: tp=1 fp=1 fn=1 → F1 = 0.5.
    assert m.f1_at_threshold == 0.5
    # Best: threshold 0.4 → tp=2 fp=1 → F1 = 0.8.
    assert (m.best_f1, m.best_threshold) == (0.8, 0.4)
    import numpy as np

    # Bins: 0.1→[0,.1] y0, 0.4→(.3,.4] y1, 0.6→(.5,.6] y0, 0.9→(.8,.9] y1 → mean |p-y| = (0.1+0.6+0.6+0.1)/4
    assert ece(np.array([0, 1, 0, 1]), np.array([0.1, 0.4, 0.6, 0.9])) == 0.35


def test_fit_fusion_then_evaluate_with_it(tmp_path, tiny_model_dir, capsys):
    data, pred = _predictions(tmp_path, tiny_model_dir)
    fusion = tmp_path / "fusion.json"
    assert main(["fit-fusion", str(pred), "--out", str(fusion)]) == 0
    body = json.loads(fusion.read_text())
    assert set(body["weights"]) >= {"support_min", "lexical_min"} and body["scale"]
    assert main(["evaluate", str(data), "--model", tiny_model_dir, "--fusion", str(fusion)]) == 0
    assert "AUROC=" in capsys.readouterr().out


def test_fusion_model_round_trips_and_is_monotone_in_support():
    from scoring.fusion import FusionModel

    m = FusionModel()
    assert FusionModel.from_dict(m.to_dict()) == m
    low = m.raw_score({"support_min": 0.1, "support_hmean": 0.1})
    high = m.raw_score({"support_min": 0.9, "support_hmean": 0.9})
    assert 0 < low < high < 1


def test_sample_is_seeded_and_keeps_file_order(tmp_path):
    from scoring.evaluate import read_records

    data = tmp_path / "dev.jsonl"
    data.write_text("".join(json.dumps({"id": i}) + "\n" for i in range(50)))
    a = [r["id"] for r in read_records(data, sample=10)]
    assert a == sorted(a) and len(a) == 10
    assert a == [r["id"] for r in read_records(data, sample=10)]
    assert [r["id"] for r in read_records(data, limit=3)] == [0, 1, 2]


def test_rescore_with_a_fitted_calibrator(tmp_path, tiny_model_dir, capsys):
    _, pred = _predictions(tmp_path, tiny_model_dir)
    cal = tmp_path / "cal.json"
    main(["calibrate", str(pred), "--out", str(cal)])
    fusion = tmp_path / "fusion.json"
    main(["fit-fusion", str(pred), "--out", str(fusion)])
    capsys.readouterr()
    assert main(["rescore", str(pred), "--calibrator", str(cal), "--fusion", str(fusion)]) == 0
    out = capsys.readouterr().out
    assert "calibrator=isotonic-" in out and "AUROC=" in out and "task=qa" in out


def _dev_file_with_spans(tmp_path):
    rows = records()
    bad = rows[1]["response"]
    start = bad.index("99")
    rows[1] = {**rows[1], "spans": [{"start": start, "end": start + 10, "label": "Evident Conflict"}]}
    data = tmp_path / "dev_spans.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return data, rows


def test_evaluate_reports_spans_verdicts_routing_guardrails_and_folds(tmp_path, tiny_model_dir, capsys):
    from scoring.folds import fold_of

    data, rows = _dev_file_with_spans(tmp_path)
    fold = fold_of(rows[0])  # the toy records share one passage, hence one fold
    out, js = tmp_path / "pred.jsonl", tmp_path / "m.json"
    argv = ["evaluate", str(data), "--model", tiny_model_dir, "--out", str(out), "--json", str(js)]
    assert main([*argv, "--folds", str(fold)]) == 0
    text = capsys.readouterr().out
    assert f"folds: {fold} (of 0-4)" in text
    for key in (
        "span char-overlap",
        "whole_response: P=",
        "nothing: P=n/a R=0.0 F1=0.0",
        "claim verdicts: good",
        "routing (policy default-9): bad auto-sent",
        "good auto-sent or drafted",
        "guardrail hits: good",
    ):
        assert key in text, key  # fmt: skip
    preds = [json.loads(x) for x in out.read_text().splitlines()]
    assert preds[1]["gold_spans"] == [[rows[1]["spans"][0]["start"], rows[1]["spans"][0]["end"]]]
    assert all(isinstance(p["spans"], list) and "checkable" in p["claims"][0] for p in preds)
    m = json.loads(js.read_text())
    assert m["folds"] == [fold] and m["spans"]["records_with_gold"] == 1
    assert m["spans"]["whole_response"]["recall"] == 1.0 and m["spans"]["nothing"]["precision"] is None
    assert m["routing"]["n_good"] == 2 and m["routing"]["n_bad"] == 2 and m["guardrails"]["bad"] > 0
    with pytest.raises(SystemExit):
        main([*argv, "--folds", "7"])


def test_rescore_prints_the_routing_view_and_span_figures(tmp_path, tiny_model_dir, capsys):
    data, _ = _dev_file_with_spans(tmp_path)
    pred = tmp_path / "pred.jsonl"
    main(["evaluate", str(data), "--model", tiny_model_dir, "--out", str(pred)])
    capsys.readouterr()
    assert main(["rescore", str(pred)]) == 0
    out = capsys.readouterr().out
    assert "routing (policy default-9, as run)" in out and "span char-overlap" in out and "claim verdicts" in out
    cal = tmp_path / "cal.json"
    main(["calibrate", str(pred), "--out", str(cal), "--method", "platt"])
    capsys.readouterr()
    assert main(["rescore", str(pred), "--calibrator", str(cal)]) == 0
    assert "recomputed offline at the new confidence, calibrator=platt-" in capsys.readouterr().out
    # An older predictions file without what the policy reads: the routing view is not guessed.
    old = tmp_path / "old.jsonl"
    old.write_text(
        "".join(
            json.dumps({k: v for k, v in json.loads(x).items() if k != "verification_status"}) + "\n"
            for x in pred.read_text().splitlines()
        )
    )
    assert main(["rescore", str(old), "--calibrator", str(cal)]) == 0
    out = capsys.readouterr().out
    assert "routing: not shown" in out and "bad auto-sent" not in out and "span char-overlap" in out
