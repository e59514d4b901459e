"""Reading a draft's stored score (`Draft.score`, written from `ScoreResult.to_dict()`).

Scores are written by another process, possibly by older or newer code, so they are read
leniently, here and only here: the router, the review page, claim labels and the label exports
all see the same claims, numbered the same way.
"""

from __future__ import annotations

from typing import Any

from scoring.results import ScoreResult


def stored_score(value: Any) -> ScoreResult | None:
    """The stored score as the scorer returned it, or None when there is none or it does not
    load (a missing or mistyped key): the router then treats the draft as unscored."""
    if not isinstance(value, dict):
        return None
    try:
        return ScoreResult.from_dict(value)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
