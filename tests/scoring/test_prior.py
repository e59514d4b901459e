"""The fresh-install prior: fusion with known directions, equal-file calibration, thresholds."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from scoring.errors import ConfigurationError
from scoring.fusion import fit_fusion
from scoring.prior import balanced_weights, choose_thresholds, fit_calibrator, fit_prior, read_predictions


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


def test_a_draft_the_rules_hold_back_does_not_count_against_the_auto_send_budget() -> None:
    # 20 bad drafts at confidence 0.9 (each with a refuted claim: the rules keep them in review)
    # and 80 at 0.1; 100 good drafts at 0.5.
    conf = [0.9] * 20 + [0.1] * 80 + [0.5] * 100
    good = [0] * 100 + [1] * 100
    groups = ["a"] * 200
    blind = choose_thresholds(conf, good, groups)
    assert blind.auto_send == 1.0  # 20% of bad drafts at or above any lower threshold
    floors = ["queue_for_review"] * 20 + ["auto_send"] * 180
    aware = choose_thresholds(conf, good, groups, floors)
    assert aware.auto_send == 0.5 and aware.bad_auto_sent == 0.0
    assert aware.good_auto_or_drafted == 1.0


def test_the_auto_send_budget_holds_in_every_file_not_on_their_mean() -> None:
    # File a: 10 of 100 bad drafts at 0.8; file b: none. Their mean (5%) meets a 5% budget, file
    # a alone (10%) does not, so auto_send stays above 0.8.
    conf = [0.8] * 10 + [0.1] * 90 + [0.1] * 100 + [0.9] * 20
    good = [0] * 200 + [1] * 20
    groups = ["a"] * 100 + ["b"] * 100 + ["a"] * 10 + ["b"] * 10
    th = choose_thresholds(conf, good, groups)
    assert th.auto_send == 0.9 and th.bad_auto_sent_worst_file == 0.0


def test_a_draft_the_rules_hold_at_drafted_counts_against_the_drafted_budget() -> None:
    # 20 bad drafts at 0.9 the rules draft for a person at best (unverifiable), 80 at 0.1.
    conf = [0.9] * 20 + [0.1] * 80 + [0.5] * 100
    good = [0] * 100 + [1] * 100
    floors = ["auto_draft_human_send"] * 20 + ["auto_send"] * 180
    th = choose_thresholds(conf, good, ["a"] * 200, floors, max_bad_drafted=0.15)
    assert th.auto_send == 0.5 and th.bad_auto_sent == 0.0
    # Those 20% are drafted whatever the thresholds: auto_draft_human_send falls back to
    # auto_send, and the choice says the drafted budget is exceeded.
    assert th.auto_draft_human_send == 0.5 and th.bad_auto_or_drafted == 0.2


def test_the_prior_calibrator_does_not_learn_the_files_base_rates() -> None:
    rng = random.Random(4)
    raw = [rng.random() for _ in range(400)]
    good = [int(r + rng.gauss(0, 0.3) > 0.5) for r in raw]
    groups = ["a"] * 400
    cal = fit_calibrator(raw, good, groups, {})
    # Each bad draft three times over: the file's base rate changes, the calibrator does not.
    bad = [i for i, g in enumerate(good) if not g]
    more_raw = raw + [raw[i] for i in bad] * 2
    more_good = good + [0] * (2 * len(bad))
    again = fit_calibrator(more_raw, more_good, ["a"] * len(more_raw), {})
    assert cal.method == "platt" and cal.version.startswith("prior-platt-")
    assert again.params == pytest.approx(cal.params, rel=1e-3)
    weights = balanced_weights(["a", "a", "a", "b"], [1, 0, 0, 1])
    assert weights.tolist() == pytest.approx([500.0, 250.0, 250.0, 500.0])


def test_read_predictions_gives_the_rules_floor_of_each_row(tmp_path: Path) -> None:
    claim = {"start": 0, "end": 2, "checkable": True, "verdict": "refuted"}
    base = {"label": 0, "fold": 3, "features": {}, "guardrail_hits": [], "verification_status": "complete"}
    recs = [
        dict(base, id="x:0", claims=[claim]),
        # No verifier: drafted for a person at best (the default policy's unverifiable_action).
        dict(base, id="x:1", claims=[], verification_status="unavailable"),
        dict(base, id="x:2", claims=[dict(claim, verdict="supported")]),
        dict(base, id="x:3"),  # an older row without claims: no rule known
    ]
    got = read_predictions([_write(tmp_path / "x.jsonl", recs)])
    assert got.floors == ["queue_for_review", "auto_draft_human_send", "auto_send", "auto_send"]
