"""reviewqueue scoring: how far an LLM draft can be trusted. Plain Python; never imports Django."""

__version__ = "0.1.0"

# The per-draft verification budget, in milliseconds: the scorer's default and the product's
# (REVIEWQUEUE_SCORING_TIME_BUDGET_MS) — one number, so the library and the worker agree.
DEFAULT_TIME_BUDGET_MS = 3000.0
