"""What every timer shares: the result it reports, moving rows one at a time, and its log line.

The sweeps themselves live with what they move (`review.sweeps`, `intake.sweeps`,
`audit.outbox`); their schedule is in `reviewqueue.celery`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    examined: int
    moved: int

    def __str__(self) -> str:
        return f"examined {self.examined}, moved {self.moved}"


def move_each(ids: list[int], move: Callable[[int], bool]) -> int:
    """Move each row; one row that fails is logged and skipped, never the rest of the run."""
    moved = 0
    for pk in ids:
        try:
            moved += bool(move(pk))
        except Exception:
            logger.exception("sweep could not move row %s", pk, extra={"action": "sweep.row_failed", "row_id": pk})
    return moved


def log_sweep(action: str, ids: list[int], moved: int) -> None:
    if ids:
        logger.info(
            "%s: examined %d, moved %d",
            action,
            len(ids),
            moved,
            extra={"action": action, "examined": len(ids), "moved": moved},
        )
