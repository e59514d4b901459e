"""The three places the scoring task calls into this app (registered with `intake.hooks` from
`LlmConfig.ready` as `SCORING_HOOKS`), each a no-op when no endpoint is configured:

- `enrich_score`: after the scorer, before the score is stored. For a high-risk intent (the
  active policy's `high_risk_intents`), within one time budget per draft
  (REVIEWQUEUE_LLM_SIGNAL_BUDGET_SECONDS): self-consistency, if on for its queue, then the judge,
  if on, with whatever time is left. Each signal joins the features and is fused by the scorer's
  own fusion (`Scorer.with_signals`, `scoring.fusion.EXTERNAL_WEIGHTS`). A signal the LLM could
  not give (down, slow, over budget, out of time) is left out and recorded as missing.
- `adjust_decision`: after the policy. A missing signal becomes a reason code, and a high-risk
  intent fails closed (at least the policy's `unverifiable_high_risk_action`), exactly as an
  unverifiable high-risk draft does in `scoring/policy.py`.
- `after_route`: schedules the judge as its own task, routing never waiting for it: on a
  high-risk draft whose judge missed routing (for the reviewer).
- `judge_audit_sampled`: the audit's trigger, called for each sent draft drawn into the blind
  audit sample (`review.signals.draft_audit_sampled`, connected in `receivers.py`).

Per-queue switches live in the queue's `scoring_rules` (admin): `{"llm": {"judge": false,
"self_consistency": false}}` turns either off for that queue; both default to on.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from reviewqueue.llm import judge, selectors, services
from reviewqueue.llm.config import LlmSettings
from reviewqueue.llm.consistency import self_consistency
from reviewqueue.llm.errors import LlmError, LlmJudgeNoVerdict
from reviewqueue.llm.models import JudgeRun, JudgeRunStatus
from reviewqueue.llm.tasks import judge_draft
from reviewqueue.policy.selectors import active_policy
from reviewqueue.review.models import Draft, Queue
from reviewqueue.review.selectors import routing_queue
from scoring.calibration import Calibrator
from scoring.engine import Scorer
from scoring.fusion import judge_features
from scoring.policy import RoutingPolicy, stricter
from scoring.results import ScoreResult

logger = logging.getLogger(__name__)

SELF_CONSISTENCY = "self_consistency"
JUDGE = "judge"
MISSING_PREFIX = "llm_signal_missing:"
# The features each LLM signal adds when it ran (`signals_used`).
SIGNAL_FEATURES = {SELF_CONSISTENCY: ("self_consistency",), JUDGE: ("judge_support", "judge_contradicted")}
NO_TIME = "no_time"  # the draft's LLM time budget was spent before the signal could start
MIN_SECONDS_LEFT = 0.1
# Why the judge looked at a draft (JudgeRun.reason).
HIGH_RISK_INTENT = "high_risk_intent"
AUDIT_SAMPLE = "audit_sample"


def _cfg() -> LlmSettings:
    cfg: LlmSettings = settings.REVIEWQUEUE_LLM
    return cfg


def queue_switch(queue: Queue | None, name: str) -> bool:
    rules = (queue.scoring_rules if queue is not None else {}) or {}
    llm = rules.get("llm") if isinstance(rules, dict) else None
    return bool(llm.get(name, True)) if isinstance(llm, dict) else True


def _queue(draft: Draft) -> Queue | None:
    return routing_queue(draft)


def is_high_risk(draft: Draft, policy: RoutingPolicy | None = None) -> bool:
    policy = policy or active_policy(tenant_id=draft.tenant_id)
    return bool(draft.intent) and draft.intent in policy.high_risk_intents


# --- before routing -------------------------------------------------------------------------


def enrich_score(draft: Draft, result: ScoreResult, *, scorer: Scorer, calibrator: Calibrator | None) -> ScoreResult:
    cfg = _cfg()
    if not cfg.enabled or not is_high_risk(draft):
        return result
    queue = _queue(draft)
    runs: list[tuple[str, Callable[[float], dict[str, float]]]] = []
    if cfg.consistency_samples and queue_switch(queue, SELF_CONSISTENCY):
        runs.append((SELF_CONSISTENCY, lambda deadline: _self_consistency(draft, result, scorer, deadline)))
    if cfg.judge_high_risk and queue_switch(queue, JUDGE):
        runs.append((JUDGE, lambda deadline: _judge(draft, result, deadline)))
    # One budget for the draft: the judge gets what self-consistency left of it.
    deadline = time.monotonic() + cfg.signal_budget_seconds
    signals: dict[str, float] = {}
    timings: dict[str, float] = {}
    missing: list[str] = []
    for name, run in runs:
        t0 = time.monotonic()
        if deadline - t0 < MIN_SECONDS_LEFT:
            missing.append(_missing(draft, name, NO_TIME))
            continue
        try:
            signals.update(run(deadline))
        except LlmError as exc:
            missing.append(_missing(draft, name, exc.reason))
        except DatabaseError:
            raise  # a blip, not a verdict on the signal: the scoring task retries the draft
        except Exception:  # a bug here must cost the signal, never the draft
            logger.exception("LLM signal failed", extra={"action": "llm.signal.failed", "draft_id": draft.pk})
            missing.append(_missing(draft, name, "error"))
        timings[name] = round((time.monotonic() - t0) * 1000, 1)
    if signals:
        result = scorer.with_signals(result, signals, calibrator=calibrator, timings_ms=timings)
    if missing:
        result = dataclasses.replace(result, errors=(*result.errors, *missing))
    return result


def _self_consistency(draft: Draft, result: ScoreResult, scorer: Scorer, deadline: float) -> dict[str, float]:
    value = self_consistency(draft, result, scorer=scorer, deadline=deadline)
    return {} if value is None else {SELF_CONSISTENCY: value}


def _judge(draft: Draft, result: ScoreResult, deadline: float) -> dict[str, float]:
    """The judge's verdicts on the draft's claims as fusion features ({} when nothing is
    checkable), stored for the review page. A re-delivered scoring task finds the verdicts of
    the first delivery and uses them rather than paying for the calls twice."""
    run, stored = selectors.judge_for_draft(draft)
    if run is not None and run.status == JudgeRunStatus.DONE:
        verdicts = [v.verdict for v in stored.values()]
    else:
        rows = judge.judge_claims(draft, [c.to_dict() for c in result.claims], deadline=deadline)
        if not rows:
            return {}
        services.judge_run_record(
            draft_id=draft.pk,
            status=JudgeRunStatus.DONE,
            reason=HIGH_RISK_INTENT,
            verdicts=rows,
            now=timezone.now(),
        )
        verdicts = [r["verdict"] for r in rows]
    features = judge_features(verdicts)
    if verdicts and not features:
        raise LlmJudgeNoVerdict("No answer of the judge passed its schema.")
    return features


def _missing(draft: Draft, signal: str, reason: str) -> str:
    logger.warning(
        "LLM signal missing",
        extra={"action": "llm.signal.missing", "draft_id": draft.pk, "signal": signal, "reason": reason},
    )
    return f"{MISSING_PREFIX}{signal}:{reason}"


def missing_signals(result: ScoreResult) -> list[str]:
    return [e for e in result.errors if e.startswith(MISSING_PREFIX)]


def signals_used(result: ScoreResult) -> list[str]:
    return [name for name, keys in SIGNAL_FEATURES.items() if any(k in result.features for k in keys)]


def signals_missing(result: ScoreResult) -> list[tuple[str, str]]:
    """(signal, why) from the missing-signal codes ("llm_signal_missing:judge:timeout")."""
    pairs = (code.removeprefix(MISSING_PREFIX).partition(":") for code in missing_signals(result))
    return [(signal, reason) for signal, _, reason in pairs]


def adjust_decision(
    draft: Draft, result: ScoreResult, policy: RoutingPolicy, action: str, reasons: list[str]
) -> tuple[str, list[str]]:
    missing = missing_signals(result)
    if not missing:
        return action, reasons
    reasons = [*reasons, *missing]
    if is_high_risk(draft, policy):
        action = stricter(policy.unverifiable_high_risk_action, action)
        reasons.append("llm_signal_missing:high_risk_intent")
    return action, reasons


# --- after routing --------------------------------------------------------------------------


def judge_reason(draft: Draft, action: str) -> str | None:
    """Why the judge should look at this routed draft now, or None."""
    cfg = _cfg()
    if not cfg.enabled or not queue_switch(_queue(draft), JUDGE):
        return None
    if cfg.judge_high_risk and is_high_risk(draft):
        # Judged before routing already, or tried and recorded: nothing left to do.
        return None if JudgeRun.objects.filter(draft_id=draft.pk).exists() else HIGH_RISK_INTENT
    return None


def judge_audit_sampled(*, draft_id: int) -> bool:
    """The judge's audit trigger: call it (after commit) when a draft was sampled for the blind
    audit. Schedules the judge on the draft unless no endpoint is configured or its queue turned
    the judge off; True when scheduled. Never raises: a lost judge run is an audit gap, not a
    failure of whatever sampled the draft."""
    if not _cfg().enabled:
        return False
    try:
        draft = Draft.objects.select_related("requested_queue").get(pk=draft_id)
        if not queue_switch(_queue(draft), JUDGE):
            return False
        return _schedule(draft_id, AUDIT_SAMPLE)
    except Exception:
        logger.warning(
            "judge not scheduled", extra={"action": "llm.judge.not_scheduled", "draft_id": draft_id}, exc_info=True
        )
        return False


def _schedule(draft_id: int, reason: str) -> bool:
    try:
        judge_draft.apply_async(args=[draft_id, reason], retry=False)
    except Exception:  # the broker is down: the draft is routed; the audit gap is logged
        logger.warning(
            "judge not scheduled", extra={"action": "llm.judge.not_scheduled", "draft_id": draft_id}, exc_info=True
        )
        return False
    return True


def after_route(*, draft_id: int, action: str) -> None:
    if not _cfg().enabled:
        return
    try:
        draft = Draft.objects.select_related("requested_queue").get(pk=draft_id)
        reason = judge_reason(draft, action)
    except Exception:  # the draft is routed; a lost judge run is an audit gap, not a failure
        logger.warning(
            "judge not scheduled", extra={"action": "llm.judge.not_scheduled", "draft_id": draft_id}, exc_info=True
        )
        return
    if reason == AUDIT_SAMPLE:
        judge_audit_sampled(draft_id=draft_id)
    elif reason is not None:
        _schedule(draft_id, reason)


class _LlmScoringHooks:
    """This module's three functions as the `intake.hooks.ScoringHooks` the app registers."""

    enrich_score = staticmethod(enrich_score)
    adjust_decision = staticmethod(adjust_decision)
    after_route = staticmethod(after_route)
    signals_used = staticmethod(signals_used)
    signals_missing = staticmethod(signals_missing)


SCORING_HOOKS = _LlmScoringHooks()
