from __future__ import annotations

import time

import numpy as np
import pytest

from scoring.errors import ConfigurationError
from scoring.inputs import Passage
from scoring.tinymodel import build_tiny_nli_model
from scoring.verifier import NLIVerifier, VerifierConfig, _resolve_labels
from tests.scoring.conftest import FixedNLI


@pytest.fixture
def verifier(tiny_model_dir):
    return NLIVerifier(VerifierConfig(tiny_model_dir, window_tokens=40, top_k_windows=2, batch_size=4))


def long_passage(n=30):
    return " ".join(f"Fact number {i} is that the plan {i} costs {i} dollars." for i in range(n))


def test_label_order_is_read_from_config_names():
    assert _resolve_labels({0: "entailment", 1: "neutral", 2: "contradiction"}, None) == {
        "entailment": 0,
        "neutral": 1,
        "contradiction": 2,
    }
    assert _resolve_labels({"0": "CONTRADICTION", "1": "ENTAILMENT", "2": "NEUTRAL"}, None) == {
        "contradiction": 0,
        "entailment": 1,
        "neutral": 2,
    }
    assert _resolve_labels({0: "entailment", 1: "not_entailment"}, None) == {"entailment": 0, "neutral": 1}
    with pytest.raises(ConfigurationError):
        _resolve_labels({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, None)
    assert (
        _resolve_labels({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, ("neutral", "contradiction", "entailment"))[
            "entailment"
        ]
        == 2
    )


def test_model_with_permuted_labels_maps_probabilities_by_name(tmp_path, tiny_model_dir):
    import json

    path = build_tiny_nli_model(tmp_path / "perm")
    cfg = json.loads((path / "config.json").read_text())
    cfg["id2label"] = {"0": "contradiction", "1": "entailment", "2": "neutral"}
    cfg["label2id"] = {"contradiction": 0, "entailment": 1, "neutral": 2}
    (path / "config.json").write_text(json.dumps(cfg))
    v = NLIVerifier(VerifierConfig(str(path)))
    base = NLIVerifier(VerifierConfig(tiny_model_dir))
    assert v.labels == {"contradiction": 0, "entailment": 1, "neutral": 2}
    p_perm = v.predict_pairs(["The plan costs 5."], ["It costs 5."])[0]
    p_base = base.predict_pairs(["The plan costs 5."], ["It costs 5."])[0]
    # Same weights (same seed): the raw outputs are equal, so the mapped columns are permuted.
    assert p_perm[0] == pytest.approx(p_base[1])  # entailment = output 1
    assert p_perm[2] == pytest.approx(p_base[0])  # contradiction = output 0
    assert v.model_version != base.model_version


def test_missing_model_dir_is_a_configuration_error(tmp_path):
    with pytest.raises(ConfigurationError):
        NLIVerifier(VerifierConfig(str(tmp_path / "nope")))


def test_long_passages_are_windowed_not_truncated(verifier):
    text = long_passage()
    windows = verifier.windows([Passage("p", text)])
    assert len(windows) > 3
    covered = set()
    for w in windows:
        for pid, a, b in w.sentences:
            assert pid == "p"
            covered.add((a, b))
        for (_pid, a, b), (wa, wb) in zip(w.sentences, w.local, strict=True):
            assert w.text[wa:wb] == text[a:b]
    # Every sentence of the passage lands in some window.
    from scoring.text import split_sentences

    assert set(split_sentences(text)) <= covered
    # Consecutive windows overlap by one sentence.
    assert windows[0].sentences[-1] == windows[1].sentences[0]
    # Each window fits the token budget.
    for w in windows:
        assert len(verifier.tokenizer(w.text, add_special_tokens=False)["input_ids"]) <= 40 + 2


def test_a_single_sentence_longer_than_the_window_is_cut(verifier):
    text = "word " * 400
    windows = verifier.windows([Passage("p", text.strip())])
    assert len(windows) >= 5
    assert "".join(w.text for w in windows).replace(" ", "") == text.replace(" ", "")


def test_short_passages_are_packed_together_long_ones_are_not(verifier):
    short = [Passage(f"s{i}", f"Sentence {i}.") for i in range(4)]
    w = verifier.windows(short)
    assert len(w) == 1 and w[0].passage_ids == ("s0", "s1", "s2", "s3")
    mixed = [Passage("a", long_passage(10)), Passage("b", "Tiny.")]
    assert all(len(x.passage_ids) == 1 for x in verifier.windows(mixed))


def test_verdicts_follow_configurable_thresholds(tiny_model_dir):
    def run(**cfg):
        v = NLIVerifier(VerifierConfig(tiny_model_dir, **cfg))
        v._forward = FixedNLI({"sup": (0.7, 0.2, 0.1), "ref": (0.1, 0.3, 0.6), "unk": (0.3, 0.5, 0.2)})
        res, done = v.verify(["sup claim", "ref claim", "unk claim"], [Passage("p", "Some evidence here.")])
        assert done
        return [r.verdict for r in res]

    assert run() == ["supported", "refuted", "insufficient"]
    assert run(entail_threshold=0.8) == ["insufficient", "refuted", "insufficient"]
    assert run(contradict_threshold=0.7) == ["supported", "insufficient", "insufficient"]
    assert run(entail_threshold=0.25) == ["supported", "refuted", "supported"]


def test_best_passage_and_sentence(tiny_model_dir):
    v = NLIVerifier(VerifierConfig(tiny_model_dir, top_k_windows=3))
    stub = FixedNLI({})

    def forward(premises, hypotheses):
        stub.calls.append(len(premises))
        return __import__("numpy").array([(0.9, 0.05, 0.05) if "Refunds" in p else (0.1, 0.8, 0.1) for p in premises])

    v._forward = forward
    passages = [
        Passage("kb-1", "Our office is in Leeds. It opens at nine."),
        Passage("kb-2", "Shipping is free. Refunds are paid within 14 days of return. Returns need a receipt."),
    ]
    res, _ = v.verify(["Refunds are paid within 14 days."], passages)
    r = res[0]
    assert r.verdict == "supported" and r.best_passage_id == "kb-2"
    text = passages[1].text
    assert text[r.best_sentence_start : r.best_sentence_end] == "Refunds are paid within 14 days of return."


def test_pairs_are_batched_across_claims_and_cached(tiny_model_dir):
    v = NLIVerifier(VerifierConfig(tiny_model_dir, batch_size=8, top_k_windows=2))
    stub = FixedNLI({})
    v._forward = stub
    passages = [Passage("a", "Alpha is one."), Passage("b", long_passage(20))]
    claims = [f"Claim {i} about the plan." for i in range(5)]
    res, _ = v.verify(claims, passages)
    assert all(r.n_windows == 2 for r in res)
    assert stub.calls == [5, 5]  # one batch per round: every claim's best window, then its second
    v.verify(claims, passages)
    assert stub.calls == [5, 5]  # all served from the cache
    assert v.cache_hits == 10


def test_a_strongly_entailed_claim_needs_no_more_windows(tiny_model_dir):
    v = NLIVerifier(VerifierConfig(tiny_model_dir, batch_size=8, top_k_windows=3, window_tokens=30))
    stub = FixedNLI({"sure": (0.95, 0.03, 0.02), "maybe": (0.6, 0.3, 0.1)})
    v._forward = stub
    res, done = v.verify(["A sure fact number 1.", "A maybe fact number 2."], [Passage("p", long_passage(12))])
    assert done and stub.calls == [2, 1, 1]
    assert [r.n_windows for r in res] == [1, 3]
    assert [r.verdict for r in res] == ["supported", "supported"]


def test_cache_is_keyed_by_model_version(tiny_model_dir):
    v = NLIVerifier(VerifierConfig(tiny_model_dir))
    stub = FixedNLI({})
    v._forward = stub
    v.verify(["A claim about plans."], [Passage("a", "Evidence.")])
    v.model_version = "other@1"
    v.verify(["A claim about plans."], [Passage("a", "Evidence.")])
    assert len(stub.calls) == 2


def test_deadline_stops_between_batches_and_best_windows_go_first(tiny_model_dir, monkeypatch):
    import scoring.verifier as verifier_module

    v = NLIVerifier(VerifierConfig(tiny_model_dir, batch_size=2, top_k_windows=3, window_tokens=30))
    clock = [100.0]  # a fake clock that only moves when the model runs: no flakiness under load
    monkeypatch.setattr(verifier_module.time, "perf_counter", lambda: clock[0])
    calls = []

    def slow(premises, hypotheses):
        calls.append(len(premises))
        clock[0] += 0.05
        return __import__("numpy").tile([0.2, 0.6, 0.2], (len(premises), 1))

    v._forward = slow
    claims = ["Fact number 1 plan costs.", "Fact number 2 plan costs."]
    res, done = v.verify(claims, [Passage("p", long_passage(12))], deadline=100.01)
    assert not done
    assert calls == [2]  # one batch, and it holds each claim's best window
    assert all(r.verified and r.n_windows == 1 for r in res)


def test_deadline_already_passed_leaves_claims_unverified(tiny_model_dir):
    v = NLIVerifier(VerifierConfig(tiny_model_dir, cache_size=0))
    res, done = v.verify(["Something new."], [Passage("p", "Evidence.")], deadline=time.perf_counter() - 1)
    assert not done and not res[0].verified and res[0].verdict == "insufficient"


def test_real_forward_pass_returns_probabilities(verifier):
    p = verifier.predict_pairs(["Paris is the capital of France."] * 3, ["Paris is in France.", "x", ""])
    assert p.shape == (3, 3)
    assert p.sum(axis=1) == pytest.approx([1, 1, 1])


def test_int8_flag_loads_a_quantized_model(tiny_model_dir):
    v = NLIVerifier(VerifierConfig(tiny_model_dir, int8=True))
    assert v.predict_pairs(["a b c"], ["a b"]).shape == (1, 3)


@pytest.mark.parametrize("int8", [False, True])
def test_the_traced_model_gives_the_eager_probabilities(tiny_model_dir, int8):
    traced = NLIVerifier(VerifierConfig(tiny_model_dir, int8=int8, jit=True))
    eager = NLIVerifier(VerifierConfig(tiny_model_dir, int8=int8, jit=False))
    assert traced._runner is not None and eager._runner is None
    # Different batch sizes and lengths, padded and unpadded: the trace must not be fixed to
    # the example's shape or skip the attention mask.
    premises = ["Short.", "A much longer premise about the warranty, " * 6, "The plan costs 10 dollars a month."]
    claims = ["A claim.", "The warranty is two years.", "It costs 12 dollars."]
    for n in (1, 2, 3):
        assert traced.predict_pairs(premises[:n], claims[:n]) == pytest.approx(
            eager.predict_pairs(premises[:n], claims[:n]), abs=1e-5
        )


def test_a_model_that_will_not_trace_runs_eagerly(tiny_model_dir, monkeypatch, caplog):
    import torch

    def refuse(*args, **kwargs):
        raise RuntimeError("cannot trace this")

    monkeypatch.setattr(torch.jit, "trace", refuse)
    v = NLIVerifier(VerifierConfig(tiny_model_dir, jit=True))
    assert v._runner is None and "TorchScript trace not used" in caplog.text
    assert v.predict_pairs(["A premise."], ["A claim."]).shape == (1, 3)


def test_a_claim_written_from_two_sentences_is_checked_against_both(tiny_model_dir):
    v = NLIVerifier(VerifierConfig(tiny_model_dir, window_tokens=24, top_k_windows=1, widen_min_gain=0.1))
    seen: list[str] = []

    def forward(premises, hypotheses):
        seen.extend(premises)
        return np.asarray([(0.9, 0.05, 0.05) if "free" in p and "two days" in p else (0.1, 0.8, 0.1) for p in premises])

    v._forward = forward
    passage = Passage(
        "kb",
        "The X200 ships within two days of your order. Returns are accepted for a month. "
        "Our warehouse is in Denver. Shipping is free on every X200 order.",
    )
    (res,) = v.verify(["The X200 ships free within two days."], [passage])[0]
    assert res.verdict == "supported"
    assert any("two days" in p and "free" in p for p in seen)
    # A claim its best window already entails is not checked again against a widened one.
    seen.clear()
    v._forward = lambda p, h: (seen.extend(p), np.asarray([(0.9, 0.05, 0.05)] * len(p)))[1]
    v.verify(["The X200 ships within two days."], [passage])
    assert len(seen) == 1


def test_a_claim_drawn_from_a_cut_sentence_is_checked_against_the_whole_sentence(tiny_model_dir):
    # Cut at a 16-token budget, the sentence's first piece holds most of the claim's words but
    # not "impossible": widening by gain alone would not add the second piece.
    v = NLIVerifier(VerifierConfig(tiny_model_dir, window_tokens=16, top_k_windows=1, widen_min_gain=0.9))
    seen: list[str] = []

    def forward(premises, hypotheses):
        seen.extend(premises)
        whole = [("patches" in p and "impossible" in p) for p in premises]
        return np.asarray([(0.9, 0.05, 0.05) if w else (0.1, 0.8, 0.1) for w in whole])

    v._forward = forward
    passage = Passage(
        "web",
        "Although Microsoft has released two patches, with a third coming in September, the security researchers "
        "who first discovered the leak believe it will be nearly impossible to mitigate the problem entirely. "
        "The key was leaked in July.",
    )
    windows = v.windows([passage])
    assert not any("patches" in w.text and "impossible" in w.text for w in windows)
    claim = "Microsoft released two patches, with a third coming in September, but fixing it is nearly impossible."
    (res,) = v.verify([claim], [passage])[0]
    assert res.verdict == "supported"
    assert any("patches" in p and "impossible" in p and "July" not in p for p in seen)
    # The whole sentence takes the piece's place: the piece alone is never scored.
    assert all("impossible" in p for p in seen if "patches" in p)


def test_a_compound_claim_is_supported_when_each_part_is_and_parts_never_cost_completeness(tiny_model_dir, monkeypatch):
    import numpy as np

    import scoring.verifier as verifier_module

    v = NLIVerifier(VerifierConfig(tiny_model_dir, cache_size=0))
    passages = [Passage("a", "The patio welcomes dogs and kids."), Passage("b", "Kayla at the bar is great.")]
    claim = "The patio out back welcomes dogs and kids, and bartender Kayla earned praise for her samples."

    def entail_parts_only(premises, hypotheses):
        # The whole claim is neutral against every window; each part alone is entailed.
        return np.asarray([[0.1, 0.8, 0.1] if h == claim else [0.9, 0.05, 0.05] for h in hypotheses])

    v._forward = entail_parts_only
    (res,), done = v.verify([claim], passages)
    assert done and res.verdict == "supported" and res.max_entail == pytest.approx(0.9)
    (whole,), _ = v.with_config(VerifierConfig(tiny_model_dir, cache_size=0, by_parts=False)).verify([claim], passages)
    assert whole.verdict == "insufficient"
    # The deadline passing while the parts are checked leaves the whole verdict and completeness.
    clock = [100.0]
    monkeypatch.setattr(verifier_module.time, "perf_counter", lambda: clock[0])

    def slow(premises, hypotheses):
        clock[0] += 1.0
        return entail_parts_only(premises, hypotheses)

    v._forward = slow
    (res,), done = v.verify([claim], passages, deadline=100.5)
    assert done and res.verdict == "insufficient"
