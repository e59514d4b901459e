"""Fitting the fusion weights, and the fusion a model directory ships with."""

from __future__ import annotations

import json
import random
import shutil

import pytest

from scoring.calibration import Calibrator
from scoring.cli import main
from scoring.engine import Scorer, ScorerConfig
from scoring.errors import ConfigurationError
from scoring.fusion import (
    DEFAULT_WEIGHTS,
    FITTED_FEATURES,
    FusionModel,
    cross_validate_by_group,
    fit_fusion,
    model_fusion,
)
from scoring.inputs import DraftInput, Passage, TokenLogprobs


def labelled_rows(n: int, seed: int, *, shift: float = 0.0) -> tuple[list[dict[str, float]], list[int]]:
    """Drafts whose goodness follows support_min (noisily); `shift` moves a group's features."""
    rng = random.Random(seed)
    rows, good = [], []
    for _ in range(n):
        support = rng.random()
        rows.append(
            {
                "support_min": support + shift,
                "support_hmean": 0.5 * support + 0.5 * rng.random(),
                "lexical_min": rng.random(),
                "guardrail_unsupported": float(rng.random() < 0.1),
                "guardrail_blocked": 0.0,
            }
        )
        good.append(int(support + rng.gauss(0, 0.2) > 0.5))
    return rows, good


def test_fitted_weights_follow_the_signal_that_predicts_the_label():
    rows, good = labelled_rows(400, 1)
    model = fit_fusion(rows, good)
    assert model.weights["support_min"] > 0.5 > abs(model.weights["lexical_min"])
    assert model.raw_score({"support_min": 0.9, "support_hmean": 0.9}) > model.raw_score(
        {"support_min": 0.1, "support_hmean": 0.1}
    )


def test_by_group_every_group_weighs_the_same_however_many_rows_it_has():
    a_rows, a_good = labelled_rows(100, 2)
    b_rows, b_good = labelled_rows(100, 3, shift=0.3)
    once = fit_fusion(a_rows + b_rows, a_good + b_good, groups=["a"] * 100 + ["b"] * 100)
    # Group a repeated ten times: equal group weights make that the same data again.
    tenfold = fit_fusion(a_rows * 10 + b_rows, a_good * 10 + b_good, groups=["a"] * 1000 + ["b"] * 100)
    unweighted = fit_fusion(a_rows * 10 + b_rows, a_good * 10 + b_good)
    probe = {"support_min": 0.7, "support_hmean": 0.6, "lexical_min": 0.5}
    assert tenfold.raw_score(probe) == pytest.approx(once.raw_score(probe), abs=1e-4)
    assert unweighted.raw_score(probe) != pytest.approx(once.raw_score(probe), abs=1e-3)


def test_signals_the_data_lacks_keep_their_hand_set_weight_centred_on_the_data():
    rows, good = labelled_rows(300, 4)
    model = fit_fusion(rows, good)
    # No row has log-probs, and no row ever hit a blocked pattern: nothing to fit, the rule stays.
    assert model.weights["seq_logprob"] == DEFAULT_WEIGHTS["seq_logprob"]
    assert model.weights["guardrail_blocked"] == DEFAULT_WEIGHTS["guardrail_blocked"]
    plain = {"support_min": 0.8, "support_hmean": 0.8}
    assert model.raw_score(plain) == model.raw_score({**plain, "seq_logprob": -0.5})  # the neutral value
    assert model.raw_score({**plain, "seq_logprob": -2.0}) < model.raw_score(plain)
    assert model.raw_score({**plain, "guardrail_blocked": 1.0}) < model.raw_score(plain) - 0.1


def test_fit_refuses_one_label_or_mismatched_groups():
    rows, _ = labelled_rows(10, 5)
    with pytest.raises(ConfigurationError):
        fit_fusion(rows, [1] * 10)
    with pytest.raises(ConfigurationError):
        fit_fusion(rows, [0, 1] * 5, groups=["a"] * 9)


def test_leave_one_group_out_scores_each_group_with_weights_fitted_without_it():
    rows, good, groups = [], [], []
    for name, seed in (("a", 6), ("b", 7), ("d", 8)):
        r, g = labelled_rows(150, seed)
        rows += r
        good += g
        groups += [name] * 150
    c_rows, c_good = labelled_rows(150, 9)
    rows += c_rows
    good += [1 - g for g in c_good]  # a group whose labels run against the signal
    groups += ["c"] * 150
    cv = cross_validate_by_group(rows, good, groups)
    assert set(cv) == {"a", "b", "c", "d"}
    assert min(cv["a"], cv["b"], cv["d"]) > 0.8 and cv["c"] < 0.2


def _fusion_file(model_dir, *, model: str | None) -> FusionModel:
    rows, good = labelled_rows(200, 8)
    fusion = fit_fusion(rows, good, name="shipped", meta={"model": model} if model else None)
    fusion.save(f"{model_dir}/fusion.json")
    return fusion


def test_a_scorer_uses_the_fusion_its_model_directory_ships(tmp_path, tiny_model_dir):
    model_dir = shutil.copytree(tiny_model_dir, tmp_path / "model")
    plain = Scorer(ScorerConfig.of(model_path=str(model_dir)))
    assert plain.fusion == FusionModel()  # no fusion.json: the hand-set weights
    shipped = _fusion_file(model_dir, model=plain.model_version)
    s = Scorer(ScorerConfig.of(model_path=str(model_dir)))
    assert s.fusion == shipped
    evidence = (Passage("p", "It costs 12 dollars."),)
    r = s.score(DraftInput(question="", draft="The plan costs 12 dollars.", passages=evidence))
    assert r.versions["fusion"] == shipped.version
    assert r.raw_score == pytest.approx(shipped.raw_score(r.features))
    # A fusion given in the configuration wins over the directory's.
    assert Scorer(ScorerConfig.of(model_path=str(model_dir), fusion=FusionModel())).fusion == FusionModel()
    assert s.with_config(early_accept=None).fusion == shipped


def test_a_fusion_fitted_for_another_model_version_is_not_used(tmp_path, tiny_model_dir, caplog):
    model_dir = shutil.copytree(tiny_model_dir, tmp_path / "model")
    _fusion_file(model_dir, model="tiny@000000000000")
    assert Scorer(ScorerConfig.of(model_path=str(model_dir))).fusion == FusionModel()
    assert "fusion fitted for another model version" in caplog.text
    assert model_fusion(None, "unavailable") == FusionModel()


def test_an_unreadable_fusion_file_is_a_configuration_error(tmp_path):
    bad = tmp_path / "fusion.json"
    bad.write_text("[1, 2]")
    with pytest.raises(ConfigurationError):
        FusionModel.load(bad)
    bad.write_text('{"weights": {"support_min": "high"}, "bias": 0}')
    with pytest.raises(ConfigurationError):
        FusionModel.load(bad)
    with pytest.raises(ConfigurationError):
        model_fusion(str(tmp_path), "x")


def test_a_calibrator_fitted_for_another_fusion_is_not_used(tmp_path, tiny_model_dir):
    s = Scorer(ScorerConfig.of(model_path=tiny_model_dir))
    other = Calibrator.fit(
        [0.0, 0.2, 0.8, 1.0], [0, 0, 1, 1], method="platt", meta={"model": s.model_version, "fusion": "fitted-00000000"}
    )
    d = DraftInput(question="", draft="It costs 12 dollars.", passages=(Passage("p", "It costs 12 dollars."),))
    r = s.score(d, calibrator=other)
    assert r.versions["calibrator"] == "uncalibrated" and "fusion fitted-00000000" in r.errors[0]
    same = Calibrator.fit(
        [0.0, 0.2, 0.8, 1.0], [0, 0, 1, 1], method="platt", meta={"model": s.model_version, "fusion": s.fusion.version}
    )
    assert s.score(d, calibrator=same).versions["calibrator"] == same.version


def _predictions(tmp_path, name: str, rows, good, model: str = "m@1") -> str:
    path = tmp_path / f"{name}.jsonl"
    path.write_text(
        "".join(
            json.dumps({"label": 1 - g, "features": r, "raw_score": 0.5, "model": model, "fusion": "hand-v1-x"}) + "\n"
            for r, g in zip(rows, good, strict=True)
        )
    )
    return str(path)


def test_fit_fusion_by_file_reports_held_out_files_and_writes_into_a_model_directory(tmp_path, capsys):
    files = [_predictions(tmp_path, f"set{i}", *labelled_rows(120, 10 + i)) for i in range(3)]
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    assert main(["fit-fusion", *files, "--by-file", "--c", "0.1", "--out", str(model_dir)]) == 0
    out = capsys.readouterr().out
    assert "held out set0" in out and "mean leave-one-file-out AUROC=" in out
    body = json.loads((model_dir / "fusion.json").read_text())
    assert body["meta"]["model"] == "m@1" and body["meta"]["c"] == 0.1
    assert body["meta"]["fitted_on"] == {"set0": 120, "set1": 120, "set2": 120}
    assert set(body["meta"]["leave_one_file_out_auroc"]) == {"set0", "set1", "set2"}
    assert set(FITTED_FEATURES) <= set(body["weights"])


def test_calibrate_records_the_model_and_fusion_it_was_fitted_for(tmp_path, capsys):
    pred = _predictions(tmp_path, "pred", *labelled_rows(50, 20))
    assert main(["calibrate", pred, "--out", str(tmp_path / "cal.json")]) == 0
    meta = Calibrator.load(tmp_path / "cal.json").meta
    assert meta["model"] == "m@1" and meta["fusion"] == "hand-v1-x"


def test_a_draft_with_logprobs_still_moves_under_the_shipped_fusion(tmp_path, tiny_model_dir):
    model_dir = shutil.copytree(tiny_model_dir, tmp_path / "model")
    _fusion_file(model_dir, model=Scorer(ScorerConfig.of(model_path=str(model_dir))).model_version)
    s = Scorer(ScorerConfig.of(model_path=str(model_dir)))
    text = "The plan costs 12 dollars."
    tokens = ["The", " plan", " costs", " 12", " dollars", "."]

    def score(lp: float) -> float:
        d = DraftInput(
            question="",
            draft=text,
            passages=(Passage("p", "It costs 12 dollars."),),
            logprobs=TokenLogprobs(tokens=tuple(tokens), logprobs=tuple([lp] * len(tokens))),
        )
        return s.score(d).raw_score

    assert score(-0.01) > score(-3.0)
