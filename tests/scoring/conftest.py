"""Fixtures for the scoring library tests: no Django, no database.

The tiny model is random-weight: it exercises the real loading and inference code path, but
its probabilities mean nothing, so quality assertions use a stubbed forward pass instead.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from scoring.engine import Scorer, ScorerConfig
from scoring.tinymodel import build_tiny_nli_model

os.environ["HF_HUB_OFFLINE"] = "1"
torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(build_tiny_nli_model(tmp_path_factory.mktemp("tiny-nli")))


@pytest.fixture(scope="session")
def scorer(tiny_model_dir: str) -> Scorer:
    return Scorer(ScorerConfig.of(model_path=tiny_model_dir, time_budget_ms=None))


class FixedNLI:
    """Replaces NLIVerifier._forward: probabilities chosen per hypothesis by substring."""

    def __init__(self, table: dict[str, tuple[float, float, float]], default=(0.1, 0.8, 0.1)):
        self.table = table
        self.default = default
        self.calls: list[int] = []

    def __call__(self, premises: list[str], hypotheses: list[str]) -> np.ndarray:
        self.calls.append(len(premises))
        rows = []
        for h in hypotheses:
            row = self.default
            for key, probs in self.table.items():
                if key in h:
                    row = probs
            rows.append(row)
        return np.asarray(rows, dtype=np.float64)


@pytest.fixture
def fresh_scorer(tiny_model_dir: str):
    """A scorer of its own (its verifier can be stubbed without leaking into other tests)."""

    def make(**kw) -> Scorer:
        kw.setdefault("time_budget_ms", None)
        return Scorer(ScorerConfig.of(model_path=tiny_model_dir, **kw))

    return make
