"""The LLM endpoint's settings, read from the environment with the project's strict helpers.

Read once by `reviewqueue/settings.py` into `settings.REVIEWQUEUE_LLM`, so a malformed value stops
the process at start-up naming the variable, like every other setting. No Django imports beyond
the helpers: this runs while the settings module is still loading.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from reviewqueue.env import env_bool, env_float, env_int, env_str


@dataclass(frozen=True)
class LlmSettings:
    base_url: str = ""  # empty: no endpoint, every LLM feature is off
    api_key: str = ""
    model: str = ""
    judge_model: str = ""
    timeout_seconds: float = 20.0
    max_retries: int = 2
    max_tokens: int = 512
    top_logprobs: int = 5
    daily_token_budget: int = 1_000_000  # per tenant per UTC day, prompt + completion tokens
    assist_wait_seconds: float = 5.0
    breaker_failures: int = 5
    breaker_reset_seconds: int = 30
    judge_high_risk: bool = True
    judge_max_claims: int = 8
    consistency_samples: int = 3  # 0 turns self-consistency off
    consistency_temperature: float = 0.7
    signal_budget_seconds: float = 10.0  # time the LLM signals (self-consistency, judge) may add to scoring one draft

    @property
    def enabled(self) -> bool:
        return bool(self.base_url)


def _base_url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ImproperlyConfigured(
            f"REVIEWQUEUE_LLM_BASE_URL={raw!r} is not an http(s) URL such as https://api.openai.com/v1."
        )
    return raw.rstrip("/")


def llm_settings_from_env() -> LlmSettings:
    base_url = (env_str("REVIEWQUEUE_LLM_BASE_URL", "") or "").strip()
    if not base_url:
        return LlmSettings()
    model = (env_str("REVIEWQUEUE_LLM_MODEL", "") or "").strip()
    if not model:
        raise ImproperlyConfigured("REVIEWQUEUE_LLM_MODEL is required when REVIEWQUEUE_LLM_BASE_URL is set.")
    return LlmSettings(
        base_url=_base_url(base_url),
        # Local servers (vLLM, Ollama, llama.cpp) take any key; the client still sends one.
        api_key=env_str("REVIEWQUEUE_LLM_API_KEY", "") or "",
        model=model,
        judge_model=(env_str("REVIEWQUEUE_LLM_JUDGE_MODEL", "") or "").strip() or model,
        timeout_seconds=env_float("REVIEWQUEUE_LLM_TIMEOUT_SECONDS", 20.0, low=0.1, high=600.0),
        max_retries=env_int("REVIEWQUEUE_LLM_MAX_RETRIES", 2, minimum=0),
        max_tokens=env_int("REVIEWQUEUE_LLM_MAX_TOKENS", 512, minimum=1),
        top_logprobs=int(env_float("REVIEWQUEUE_LLM_TOP_LOGPROBS", 5, low=0, high=20)),
        daily_token_budget=env_int("REVIEWQUEUE_LLM_DAILY_TOKEN_BUDGET", 1_000_000, minimum=1),
        assist_wait_seconds=env_float("REVIEWQUEUE_LLM_ASSIST_WAIT_SECONDS", 5.0, low=0.0, high=60.0),
        breaker_failures=env_int("REVIEWQUEUE_LLM_BREAKER_FAILURES", 5, minimum=1),
        breaker_reset_seconds=env_int("REVIEWQUEUE_LLM_BREAKER_RESET_SECONDS", 30, minimum=1),
        judge_high_risk=env_bool("REVIEWQUEUE_LLM_JUDGE_HIGH_RISK", default=True),
        judge_max_claims=env_int("REVIEWQUEUE_LLM_JUDGE_MAX_CLAIMS", 8, minimum=1),
        consistency_samples=env_int("REVIEWQUEUE_LLM_CONSISTENCY_SAMPLES", 3, minimum=0),
        consistency_temperature=env_float("REVIEWQUEUE_LLM_CONSISTENCY_TEMPERATURE", 0.7, low=0.0, high=2.0),
        signal_budget_seconds=env_float("REVIEWQUEUE_LLM_SIGNAL_BUDGET_SECONDS", 10.0, low=0.1, high=120.0),
    )
