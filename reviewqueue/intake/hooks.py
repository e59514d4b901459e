"""Where an add-on joins scoring and routing: a registry the scoring task calls at three points.

Intake does not know its add-ons; an add-on registers a `ScoringHooks` from its `AppConfig.ready`
(the LLM app: `reviewqueue.llm.hooks`). With none registered each point returns what it was given.

- `enrich_score`: after the scorer, before the score is stored;
- `adjust_decision`: after the routing policy, with the action and reason codes it chose;
- `after_route`: once the routing is committed (schedule follow-up work; never wait for it);
- `signals_used` / `signals_missing`: which of its signals a score has, and which it lacks and why.

Apart from those, `after_scored_route` tells listeners (registered with `listen_scored_route`)
of each scored draft once its routing is committed, with the score and the input it came from
(the calibration app records its shadow candidate's decision beside the live one). A listener
must not raise: the draft is already routed.
"""

from __future__ import annotations

from typing import Protocol

from reviewqueue.review.models import Draft, Queue
from scoring.calibration import Calibrator
from scoring.engine import Scorer
from scoring.inputs import DraftInput
from scoring.policy import RoutingPolicy
from scoring.results import ScoreResult


class ScoringHooks(Protocol):
    def enrich_score(
        self, draft: Draft, result: ScoreResult, *, scorer: Scorer, calibrator: Calibrator | None
    ) -> ScoreResult: ...

    def adjust_decision(
        self, draft: Draft, result: ScoreResult, policy: RoutingPolicy, action: str, reasons: list[str]
    ) -> tuple[str, list[str]]: ...

    def after_route(self, *, draft_id: int, action: str) -> None: ...

    def signals_used(self, result: ScoreResult) -> list[str]: ...

    def signals_missing(self, result: ScoreResult) -> list[tuple[str, str]]: ...


_registered: list[ScoringHooks] = []


def register(hooks: ScoringHooks) -> None:
    """Add `hooks` (once: an app's ready() may run twice in tests)."""
    if hooks not in _registered:
        _registered.append(hooks)


def enrich_score(draft: Draft, result: ScoreResult, *, scorer: Scorer, calibrator: Calibrator | None) -> ScoreResult:
    for hooks in _registered:
        result = hooks.enrich_score(draft, result, scorer=scorer, calibrator=calibrator)
    return result


def adjust_decision(
    draft: Draft, result: ScoreResult, policy: RoutingPolicy, action: str, reasons: list[str]
) -> tuple[str, list[str]]:
    for hooks in _registered:
        action, reasons = hooks.adjust_decision(draft, result, policy, action, reasons)
    return action, reasons


def after_route(*, draft_id: int, action: str) -> None:
    for hooks in _registered:
        hooks.after_route(draft_id=draft_id, action=action)


def signals_used(result: ScoreResult) -> list[str]:
    """The add-ons' signals that joined this score (for the routed event's signals record)."""
    return [name for hooks in _registered for name in hooks.signals_used(result)]


def signals_missing(result: ScoreResult) -> list[tuple[str, str]]:
    """(signal, why) for each add-on signal that was due and could not be had."""
    return [pair for hooks in _registered for pair in hooks.signals_missing(result)]


class ScoredRouteListener(Protocol):
    def __call__(
        self, *, draft: Draft, queue: Queue | None, result: ScoreResult, inputs: DraftInput, action: str
    ) -> None: ...


_listeners: list[ScoredRouteListener] = []


def listen_scored_route(listener: ScoredRouteListener) -> None:
    """Add `listener` (once: an app's ready() may run twice in tests)."""
    if listener not in _listeners:
        _listeners.append(listener)


def after_scored_route(
    *, draft: Draft, queue: Queue | None, result: ScoreResult, inputs: DraftInput, action: str
) -> None:
    """A scored draft's routing is committed: tell the listeners, with the score and its input."""
    for listener in _listeners:
        listener(draft=draft, queue=queue, result=result, inputs=inputs, action=action)
