"""REVIEWQUEUE_LLM_* settings: strict, and off unless a base URL is set."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from reviewqueue.llm.config import llm_settings_from_env


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("REVIEWQUEUE_LLM_"):
            monkeypatch.delenv(name)


def test_off_by_default() -> None:
    assert not llm_settings_from_env().enabled


def test_reads_every_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "BASE_URL": "http://127.0.0.1:8001/v1/",
        "MODEL": "qwen2.5-7b-instruct",
        "TIMEOUT_SECONDS": "7.5",
        "MAX_RETRIES": "4",
        "DAILY_TOKEN_BUDGET": "5000",
        "ASSIST_WAIT_SECONDS": "2",
        "CONSISTENCY_SAMPLES": "5",
        "BREAKER_FAILURES": "2",
    }.items():
        monkeypatch.setenv(f"REVIEWQUEUE_LLM_{name}", value)
    cfg = llm_settings_from_env()
    assert cfg.enabled and cfg.base_url == "http://127.0.0.1:8001/v1"
    assert cfg.judge_model == "qwen2.5-7b-instruct"  # defaults to the generation model
    assert (cfg.timeout_seconds, cfg.max_retries, cfg.daily_token_budget) == (7.5, 4, 5000)
    assert (cfg.assist_wait_seconds, cfg.consistency_samples) == (2.0, 5)
    assert cfg.breaker_failures == 2 and cfg.api_key == ""


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"BASE_URL": "127.0.0.1:8001", "MODEL": "m"}, "REVIEWQUEUE_LLM_BASE_URL"),
        ({"BASE_URL": "http://127.0.0.1:8001/v1"}, "REVIEWQUEUE_LLM_MODEL"),
        ({"BASE_URL": "http://h/v1", "MODEL": "m", "TIMEOUT_SECONDS": "soon"}, "REVIEWQUEUE_LLM_TIMEOUT_SECONDS"),
        ({"BASE_URL": "http://h/v1", "MODEL": "m", "DAILY_TOKEN_BUDGET": "0"}, "REVIEWQUEUE_LLM_DAILY_TOKEN_BUDGET"),
        ({"BASE_URL": "http://h/v1", "MODEL": "m", "JUDGE_HIGH_RISK": "maybe"}, "REVIEWQUEUE_LLM_JUDGE_HIGH_RISK"),
    ],
)
def test_a_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], names: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(f"REVIEWQUEUE_LLM_{name}", value)
    with pytest.raises(ImproperlyConfigured, match=names):
        llm_settings_from_env()
