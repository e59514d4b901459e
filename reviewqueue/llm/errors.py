"""Why an LLM call did not happen or did not answer. Each is a DomainError, so the API's one
exception handler turns it into the stable error body; `reason` is the short code the decision
and the review page use when a signal is missing (`llm_signal_missing:<signal>:<reason>`)."""

from __future__ import annotations

from reviewqueue.errors import DomainError


class LlmError(DomainError):
    code = "llm_unavailable"
    status = 503
    reason = "error"
    # Whether this says the endpoint is unhealthy (counts towards opening the breaker). A request
    # the server refuses (400: a parameter it does not support) says nothing about its health.
    endpoint_fault = True


class LlmNotConfigured(LlmError):
    code = "llm_not_configured"
    reason = "not_configured"


class LlmUnavailable(LlmError):
    """Down, 5xx after the retries, a connection error or a reply we cannot read."""

    reason = "unavailable"


class LlmTimeout(LlmError):
    code = "llm_timeout"
    status = 504
    reason = "timeout"


class LlmBreakerOpen(LlmError):
    code = "llm_circuit_open"
    reason = "breaker_open"
    endpoint_fault = False


class LlmRateLimited(LlmError):
    """The endpoint kept answering 429 after the retries."""

    code = "llm_rate_limited"
    status = 429
    reason = "rate_limited"


class LlmBudgetExceeded(LlmError):
    """The tenant's daily token budget would be overrun: refused before any call is made."""

    code = "llm_budget_exceeded"
    status = 429
    reason = "over_budget"
    endpoint_fault = False


class LlmRefused(LlmUnavailable):
    """A 4xx other than 408/409/429: retrying cannot help, and the endpoint is not unhealthy."""

    code = "llm_refused"
    reason = "refused"
    endpoint_fault = False


class LlmJsonModeRejected(LlmRefused):
    """A 400 naming `response_format`: the server has no JSON mode. The client asks again
    without it (`client._json_mode_fallback`); only that second answer's fate reaches callers."""

    code = "llm_json_mode_rejected"


class LlmJudgeNoVerdict(LlmError):
    """The judge answered, but no answer passed its schema: nothing the fusion can use. Not
    the endpoint's ill health (a model that writes poor JSON is up)."""

    code = "llm_judge_no_verdict"
    status = 502
    reason = "invalid_answers"
    endpoint_fault = False


class AssistInProgress(DomainError):
    """A request with this Idempotency-Key is still waiting for the LLM."""

    code = "assist_in_progress"
    status = 409
