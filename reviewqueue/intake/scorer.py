"""The process's scorer: the `scoring` library's singleton, configured from Django settings.

Its own module so that what scores outside the worker's task (the golden-set evaluation, the
LLM signals) can have the same scorer without importing the worker and the routing it drives.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from scoring import engine
from scoring.engine import Scorer, ScorerConfig


def get_scorer() -> Scorer:
    """The process's scorer, configured from Django settings on first use."""
    overrides: dict[str, Any] = {
        "time_budget_ms": float(settings.REVIEWQUEUE_SCORING_TIME_BUDGET_MS),
        "int8": settings.REVIEWQUEUE_SCORING_INT8,
    }
    if settings.REVIEWQUEUE_SCORING_MODEL:
        overrides["model_path"] = settings.REVIEWQUEUE_SCORING_MODEL
    return engine.get_scorer(ScorerConfig.of(**overrides))
