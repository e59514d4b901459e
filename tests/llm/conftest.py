from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from reviewqueue.llm import client as llm_client
from reviewqueue.llm.config import LlmSettings
from scoring import engine
from tests.llm.fake_llm import FakeLLM


@pytest.fixture
def fake_llm() -> Iterator[FakeLLM]:
    server = FakeLLM().start()
    yield server
    server.stop()


@pytest.fixture
def llm_on(settings, fake_llm: FakeLLM) -> Callable[..., LlmSettings]:  # type: ignore[no-untyped-def]
    """Point the app at the fake server; keyword arguments override the test defaults."""

    def configure(**overrides: Any) -> LlmSettings:
        values: dict[str, Any] = {
            "base_url": fake_llm.base_url,
            "api_key": "test-key",
            "model": "fake-model",
            "judge_model": "fake-judge",
            "timeout_seconds": 2.0,
            "max_retries": 2,
            "assist_wait_seconds": 0.0,
            "breaker_failures": 3,
            "breaker_reset_seconds": 30,
            "consistency_samples": 3,
        }
        values.update(overrides)
        cfg = LlmSettings(**values)
        settings.REVIEWQUEUE_LLM = cfg
        llm_client._NO_JSON_MODE.clear()  # what an earlier test's server refused is not this one's
        return cfg

    configure()
    return configure


@pytest.fixture
def tiny_scorer(tmp_path: Path, settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    from scoring.tinymodel import build_tiny_nli_model

    settings.REVIEWQUEUE_SCORING_MODEL = str(build_tiny_nli_model(tmp_path / "tiny"))
    engine.reset_scorer()
    yield
    engine.reset_scorer()


@pytest.fixture
def eager_celery() -> Iterator[None]:
    from reviewqueue.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
