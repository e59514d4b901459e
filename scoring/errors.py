"""Errors raised by the scoring library.

Only input validation raises to callers (at enqueue time, so the API can answer 400). The
scorer itself never raises on odd text: failures inside it become visible states in the result.
"""

from __future__ import annotations


class ScoringError(Exception):
    """Base class for every error the scoring library raises on purpose."""


class InvalidInput(ScoringError, ValueError):
    """A request field is malformed; `field` is a dotted path such as `logprobs.logprobs[3]`."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class ConfigurationError(ScoringError):
    """The scorer, verifier, calibrator or policy was configured with unusable values."""
