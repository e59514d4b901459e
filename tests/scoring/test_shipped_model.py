"""The NLI model shipped in scoring/models/ loads offline and gets clear pairs right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

MODEL_DIR = Path(__file__).resolve().parents[2] / "scoring" / "models" / "nli-minilm-l6-v2"

# (premise, hypothesis, expected label)
CLEAR_PAIRS = [
    (
        "The Eiffel Tower is located in Paris and was completed in 1889.",
        "The Eiffel Tower is in Paris.",
        "entailment",
    ),
    (
        "Refunds are processed within 14 days of receiving the returned item.",
        "Refunds are processed within 14 days.",
        "entailment",
    ),
    (
        "The recommended adult dose is 50 mg once a day.",
        "The recommended adult dose is 100 mg once a day.",
        "contradiction",
    ),
    (
        "The company was founded in 1998 in Berlin.",
        "The company was founded in 2005 in Berlin.",
        "contradiction",
    ),
    (
        "The Basic plan costs $10 per month.",
        "The Basic plan costs $25 per month.",
        "contradiction",
    ),
    ("Paris is the capital of France.", "Berlin is the capital of France.", "contradiction"),
    (
        "The Eiffel Tower is located in Paris and was completed in 1889.",
        "The premium plan includes phone support.",
        "neutral",
    ),
]


# Clear pairs that nli-minilm-l6-v2 gets WRONG (measured); kept visible so a retrained model that
# fixes them shows up as XPASS. The number/date guardrails in `scoring` must catch these.
KNOWN_MISSES = [
    ("The dose is 50 mg.", "The dose is 100 mg.", "contradiction"),  # says entailment (0.57)
    ("Refunds are processed within 14 days.", "Refunds are processed within 30 days.", "contradiction"),
    ("The museum is closed on Mondays.", "The museum is open every day of the week.", "contradiction"),
    ("The battery lasts up to 10 hours.", "The device weighs 2 kg.", "neutral"),
]


@pytest.fixture(scope="module")
def verifier():
    torch = pytest.importorskip("torch")
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.set_num_threads(1)
    model = AutoModelForSequenceClassification.from_pretrained(MODEL_DIR).float().eval()
    return model, AutoTokenizer.from_pretrained(MODEL_DIR)


def test_model_directory_is_complete_and_compact() -> None:
    names = {p.name for p in MODEL_DIR.iterdir()}
    assert {"model.safetensors", "config.json", "tokenizer.json", "MODEL_CARD.md"} <= names
    assert (MODEL_DIR / "model.safetensors").stat().st_size <= 50 * 1024 * 1024
    config = json.loads((MODEL_DIR / "config.json").read_text())
    assert config["id2label"] == {"0": "entailment", "1": "neutral", "2": "contradiction"}


@pytest.mark.parametrize(("premise", "hypothesis", "expected"), CLEAR_PAIRS)
def test_clear_pairs(verifier, premise: str, hypothesis: str, expected: str) -> None:
    import torch

    model, tokenizer = verifier
    with torch.inference_mode():
        logits = model(**tokenizer(premise, hypothesis, return_tensors="pt")).logits[0]
    probs = logits.softmax(-1).tolist()
    got = model.config.id2label[int(logits.argmax())]
    assert got == expected, dict(zip(model.config.id2label.values(), probs, strict=True))


@pytest.mark.parametrize(("premise", "hypothesis", "expected"), KNOWN_MISSES)
@pytest.mark.xfail(reason="known miss of nli-minilm-l6-v2 (see MODEL_CARD.md limits)", strict=False)
def test_known_misses(verifier, premise: str, hypothesis: str, expected: str) -> None:
    test_clear_pairs(verifier, premise, hypothesis, expected)


def test_the_shipped_fusion_was_fitted_for_the_shipped_model_and_is_used() -> None:
    pytest.importorskip("torch")
    from scoring.engine import Scorer, ScorerConfig
    from scoring.fusion import FusionModel

    shipped = FusionModel.load(MODEL_DIR / "fusion.json")
    # Retraining the model without refitting its fusion would fail here (and the scorer would
    # fall back to the hand-set weights): refit with `python -m scoring fit-fusion --by-file`.
    scorer = Scorer(ScorerConfig.of(model_path=str(MODEL_DIR)))
    assert shipped.meta["model"] == scorer.model_version
    assert scorer.fusion == shipped and scorer.fusion != FusionModel()
    assert "ragtruth_dev" not in shipped.meta["fitted_on"]  # the file its AUROC is reported on


def test_the_demo_drafts_take_every_route_with_the_shipped_model() -> None:
    """seed_demo's drafts, scored as a fresh install scores them, show each routing outcome."""
    pytest.importorskip("torch")
    from scoring.engine import Scorer, ScorerConfig
    from scoring.inputs import DraftInput
    from scoring.policy import RoutingPolicy

    drafts = json.loads((MODEL_DIR.parents[2] / "reviewqueue" / "demo" / "drafts.json").read_text())
    scorer, policy = Scorer(ScorerConfig.of(model_path=str(MODEL_DIR))), RoutingPolicy.default()
    actions = set()
    for body in drafts:
        draft = DraftInput.from_request(body)
        actions.add(policy.decide(scorer.score(draft), draft).action)
    assert actions == {"auto_send", "auto_draft_human_send", "queue_for_review", "block"}
