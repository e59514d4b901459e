"""The fresh-install prior: fusion with known directions, equal-file calibration, thresholds."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from scoring.errors import ConfigurationError
from scoring.fusion import fit_fusion
from scoring.prior import choose_thresholds, fit_prior, read_predictions


def rows(n: int, seed: int) -> tuple[list[dict[str, float]], list[int]]:
    rng = random.Random(seed)
    feats, good = [], []
    for _ in range(n):
        support = rng.random()
        feats.append({"support_min": support, "lexical_min": rng.random(), "contradict_max": 1 - support})
        good.append(int(support + rng.gauss(0, 0.15) > 0.5))
    return feats, good


def test_a_feature_fitted_against_its_direction_is_dropped() -> None:
    feats, good = rows(400, 1)
    # lexical_min made to predict the *wrong* way in this data: more overlap, worse draft.
    for f, g in zip(feats, good, strict=True):
        f["lexical_min"] = 0.2 if g else 0.8
    model = fit_fusion(feats, good)
    assert model.weights["lexical_min"] == 0.0
    assert model.weights["support_min"] > 0 > model.weights["contradict_max"]


def test_thresholds_keep_bad_drafts_out_of_auto_send() -> None:
    conf = [i / 100 for i in range(100)] * 2
    good = [int(c > 0.4) for c in conf[:100]] + [int(c > 0.6) for c in conf[100:]]
    groups = ["a"] * 100 + ["b"] * 100
    th = choose_thresholds(conf, good, groups, max_bad_auto_sent=0.05, max_good_blocked=0.05)
    assert th.bad_auto_sent <= 0.05
    assert th.good_blocked <= 0.05
    assert 1.0 >= th.auto_send >= th.auto_draft_human_send >= th.queue_for_review >= 0.0
    # The lowest such threshold: one step lower lets more than 5% of bad drafts through.
    lower = [c for c, g in zip(conf, good, strict=True) if c >= th.auto_send - 0.01 and not g]
    assert len(lower) > 0


def _write(path: Path, rows_: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows_))
    return path


def test_read_predictions_keeps_the_fit_fold_and_refuses_ragtruth(tmp_path: Path) -> None:
    feats, good = rows(50, 2)
    recs = [
        {"id": f"x:{i}", "dataset": "x", "label": 1 - g, "fold": i % 5, "features": f, "model": "m"}
        for i, (f, g) in enumerate(zip(feats, good, strict=True))
    ]
    got = read_predictions([_write(tmp_path / "x.jsonl", recs)])
    assert len(got) == 10 and set(got.groups) == {"x"}
    bad = [dict(recs[0], id="ragtruth:1", dataset="ragtruth")]
    with pytest.raises(ConfigurationError, match="never fitted"):
        read_predictions([_write(tmp_path / "r.jsonl", bad)])
    with pytest.raises(ConfigurationError, match="no fold"):
        read_predictions([_write(tmp_path / "n.jsonl", [{k: v for k, v in recs[0].items() if k != "fold"}])])


def test_fit_prior_gives_a_monotone_calibrator_for_its_fusion(tmp_path: Path) -> None:
    feats, good = rows(300, 3)
    recs = [
        {"id": f"x:{i}", "label": 1 - g, "fold": 3, "features": f}
        for i, (f, g) in enumerate(zip(feats, good, strict=True))
    ]
    fusion, cal, th = fit_prior(read_predictions([_write(tmp_path / "x.jsonl", recs)]), c=1.0, name="t", model="m")
    assert cal.meta is not None and cal.meta["fusion"] == fusion.version and cal.meta["model"] == "m"
    lo, hi = fusion.raw_score({"support_min": 0.1}), fusion.raw_score({"support_min": 0.9})
    assert cal.predict(hi) >= cal.predict(lo)
    assert th.bad_auto_sent <= 0.05
