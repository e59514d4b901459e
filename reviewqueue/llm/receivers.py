"""The LLM app's receivers of what other packages announce (connected in `LlmConfig.ready`)."""

from __future__ import annotations

from typing import Any

from reviewqueue.llm import hooks


def judge_the_audit_sample(*, draft_id: int, **_: Any) -> None:
    """A sent draft drawn into the blind audit sample (review.signals.draft_audit_sampled) is
    judged too, so the judge-vs-reviewer agreement is measured on the same unbiased sample."""
    hooks.judge_audit_sampled(draft_id=draft_id)
