"""Domain errors, shared by every part of the domain. The API maps each `code` to one HTTP status
in a single exception handler."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class InvalidInput(DomainError):
    code = "invalid"
    status = 400


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class LeaseLost(DomainError):
    code = "lease_lost"
    status = 409


class InvalidState(DomainError):
    code = "invalid_state"
    status = 409


class AlreadyClaimed(DomainError):
    """Someone else holds a live lease on the item the reviewer asked for by id."""

    code = "already_claimed"
    status = 409


class SlaExpired(DomainError):
    code = "sla_expired"
    status = 409


class IdempotencyConflict(DomainError):
    code = "idempotency_conflict"
    status = 409


class TooFewLabels(DomainError):
    """A calibrator fit needs enough labels of both kinds; `details` says how many there are
    and how many are needed."""

    code = "too_few_labels"
    status = 409
