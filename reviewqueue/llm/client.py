"""An OpenAI-compatible Chat Completions client: the real `openai` package, our own retries.

The package's built-in retries are turned off (`max_retries=0`) so that one loop here owns the
policy: backoff with jitter on 5xx, timeouts and dropped connections, the endpoint's
`Retry-After` on 429, nothing past the caller's deadline, and one breaker verdict per logical
call. This module touches no database, so it is safe to call from several threads at once
(self-consistency samples); token accounting is the caller's (`reviewqueue/llm/calls.py`).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import random
import time
from dataclasses import dataclass, field
from typing import Any

import openai
from django.conf import settings

from reviewqueue.llm.breaker import CircuitBreaker
from reviewqueue.llm.config import LlmSettings
from reviewqueue.llm.errors import (
    LlmError,
    LlmJsonModeRejected,
    LlmNotConfigured,
    LlmRateLimited,
    LlmRefused,
    LlmTimeout,
    LlmUnavailable,
)

logger = logging.getLogger(__name__)

MAX_RETRY_AFTER_SECONDS = 30.0  # a longer Retry-After is treated as "not now": the call fails


@dataclass(frozen=True)
class ChatRequest:
    messages: tuple[dict[str, str], ...]
    model: str
    max_tokens: int
    temperature: float = 0.0
    logprobs: bool = False
    top_logprobs: int = 0
    json_output: bool = False

    def estimated_tokens(self) -> int:
        """Worst case for the budget reservation: ~3 characters a token for the prompt (errs
        high for English), plus every completion token allowed."""
        return sum(len(m["content"]) for m in self.messages) // 3 + 16 + self.max_tokens


@dataclass(frozen=True)
class Completion:
    text: str
    model: str
    tokens: tuple[str, ...] = ()
    logprobs: tuple[float, ...] = ()
    top_logprobs: tuple[tuple[dict[str, Any], ...], ...] = ()
    total_tokens: int | None = None
    elapsed_ms: float = 0.0
    finish_reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def logprobs_body(self) -> dict[str, Any] | None:
        """The draft's `logprobs` field as `POST /drafts` takes it (OpenAI style), or None."""
        if not self.tokens:
            return None
        body: dict[str, Any] = {"tokens": list(self.tokens), "logprobs": list(self.logprobs)}
        if any(self.top_logprobs):
            body["top_logprobs"] = [list(alts) for alts in self.top_logprobs]
        return body


def current() -> LlmSettings:
    cfg: LlmSettings = settings.REVIEWQUEUE_LLM
    if not cfg.enabled:
        raise LlmNotConfigured("No LLM endpoint is configured (REVIEWQUEUE_LLM_BASE_URL).")
    return cfg


@functools.cache
def _openai(base_url: str, api_key: str) -> openai.OpenAI:
    # One client (one connection pool) per endpoint and process; timeouts are set per call.
    return openai.OpenAI(base_url=base_url, api_key=api_key or "not-needed", max_retries=0)


def breaker_for(cfg: LlmSettings) -> CircuitBreaker:
    return CircuitBreaker(cfg.base_url, failures=cfg.breaker_failures, reset_seconds=cfg.breaker_reset_seconds)


def _retry_after(exc: openai.APIStatusError) -> float | None:
    headers = exc.response.headers
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            return max(0.0, float(raw) * scale)
        except ValueError:
            continue  # an HTTP-date: rare from LLM servers; fall back to our backoff
    return None


def _backoff(attempt: int) -> float:
    return min(8.0, 0.25 * 2.0**attempt) * random.uniform(0.5, 1.0)


def _parse(response: Any, elapsed_ms: float) -> Completion:
    try:
        choice = response.choices[0]
        text = choice.message.content or ""
        tokens: list[str] = []
        logprobs: list[float] = []
        tops: list[tuple[dict[str, Any], ...]] = []
        content = choice.logprobs.content if choice.logprobs is not None else None
        for item in content or ():
            tokens.append(item.token)
            logprobs.append(min(0.0, float(item.logprob)))  # some servers round -0.0 up
            tops.append(
                tuple({"token": t.token, "logprob": min(0.0, float(t.logprob))} for t in item.top_logprobs or ())
            )
        usage = response.usage
        return Completion(
            text=text,
            model=str(response.model or ""),
            tokens=tuple(tokens),
            logprobs=tuple(logprobs),
            top_logprobs=tuple(tops),
            total_tokens=None if usage is None else int(usage.total_tokens),
            elapsed_ms=elapsed_ms,
            finish_reason=str(choice.finish_reason or ""),
        )
    except (AttributeError, IndexError, TypeError, ValueError) as exc:
        raise LlmUnavailable(f"The LLM endpoint's reply could not be read: {type(exc).__name__}.") from exc


def complete(request: ChatRequest, *, deadline: float | None = None) -> Completion:
    """One logical call: breaker check, then up to 1 + max_retries attempts, each within the
    configured timeout and the caller's `deadline` (a `time.monotonic()` value)."""
    cfg = current()
    breaker = breaker_for(cfg)
    breaker.check()
    try:
        completion = _json_mode_fallback(cfg, request, deadline)
    except LlmError as exc:
        if exc.endpoint_fault:
            breaker.record_failure()
        raise
    breaker.record_success()
    return completion


# (base URL, model) pairs that refused JSON mode in this process: their later calls go without
# `response_format` at once instead of paying for a refused request each time.
_NO_JSON_MODE: set[tuple[str, str]] = set()


def _json_mode_fallback(cfg: LlmSettings, request: ChatRequest, deadline: float | None) -> Completion:
    """Some OpenAI-compatible servers (older vLLM and llama.cpp builds, some hosted models) answer
    400 to `response_format`. Then the same request goes again without it; the caller validates
    the answer against its schema either way (the judge's `parse_verdict`), so JSON mode only
    ever made a valid answer likelier, never trusted."""
    if request.json_output and (cfg.base_url, request.model) in _NO_JSON_MODE:
        request = dataclasses.replace(request, json_output=False)
    try:
        return _attempts(cfg, request, deadline)
    except LlmJsonModeRejected:
        _NO_JSON_MODE.add((cfg.base_url, request.model))
        logger.info(
            "the LLM endpoint refused JSON mode; asking without it",
            extra={"action": "llm.call.json_mode_refused", "model": request.model},
        )
        return _attempts(cfg, dataclasses.replace(request, json_output=False), deadline)


def _attempts(cfg: LlmSettings, request: ChatRequest, deadline: float | None) -> Completion:
    client = _openai(cfg.base_url, cfg.api_key)
    kwargs: dict[str, Any] = {
        "model": request.model,
        "messages": list(request.messages),
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
        "stream": False,
    }
    if request.logprobs:
        kwargs["logprobs"] = True
        if request.top_logprobs:
            kwargs["top_logprobs"] = request.top_logprobs
    if request.json_output:
        kwargs["response_format"] = {"type": "json_object"}
    last: LlmError = LlmUnavailable("The LLM endpoint did not answer.")
    for attempt in range(cfg.max_retries + 1):
        remaining = cfg.timeout_seconds if deadline is None else deadline - time.monotonic()
        if remaining <= 0.05:
            raise LlmTimeout("The LLM endpoint did not answer in time.")
        timeout = min(cfg.timeout_seconds, remaining)
        delay: float | None = None
        t0 = time.perf_counter()
        try:
            response = client.with_options(timeout=timeout).chat.completions.create(**kwargs)
            return _parse(response, (time.perf_counter() - t0) * 1000)
        except openai.RateLimitError as exc:
            last = LlmRateLimited("The LLM endpoint is rate-limiting these calls.")
            delay = _retry_after(exc)
            if delay is not None and delay > MAX_RETRY_AFTER_SECONDS:
                raise last from exc
        except openai.APITimeoutError as exc:
            last = LlmTimeout("The LLM endpoint did not answer in time.")
            last.__cause__ = exc
        except openai.APIConnectionError as exc:
            last = LlmUnavailable("The LLM endpoint could not be reached.")
            last.__cause__ = exc
        except openai.APIStatusError as exc:
            if exc.status_code == 400 and request.json_output and "response_format" in f"{exc.message} {exc.body}":
                raise LlmJsonModeRejected(
                    "The LLM endpoint does not take response_format.", details={"status": 400}
                ) from exc
            if exc.status_code < 500 and exc.status_code not in (408, 409):
                # 400/401/404: retrying cannot help (a bad model name, a bad key).
                raise LlmRefused(
                    f"The LLM endpoint refused the call (HTTP {exc.status_code}).",
                    details={"status": exc.status_code},
                ) from exc
            last = LlmUnavailable(f"The LLM endpoint failed (HTTP {exc.status_code}).")
        except openai.OpenAIError as exc:  # e.g. a body that is not a chat completion
            raise LlmUnavailable(f"The LLM endpoint's reply could not be read: {type(exc).__name__}.") from exc
        if attempt == cfg.max_retries:
            break
        wait = _backoff(attempt) if delay is None else delay
        if deadline is not None and time.monotonic() + wait >= deadline:
            break
        logger.info(
            "LLM call failed; retrying",
            extra={"action": "llm.call.retry", "attempt": attempt + 1, "wait_s": round(wait, 3), "error": last.code},
        )
        time.sleep(wait)
    raise last
