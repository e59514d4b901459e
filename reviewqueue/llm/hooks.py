"""The three places the scoring task calls into this app (registered with `intake.hooks` from
`LlmConfig.ready` as `SCORING_HOOKS`), each a no-op when no endpoint is configured:

- `enrich_score`: after the scorer, before the score is stored. For a high-risk intent (the
  active policy's `high_risk_intents`) with self-consistency on for its queue, the resamples'
  agreement joins the features and the fusion (`scoring.fusion.EXTERNAL_WEIGHTS`), within
  REVIEWQUEUE_LLM_SIGNAL_BUDGET_SECONDS. If the LLM is down, slow or over budget the score is
  kept as it was and records which signal is missing.
- `adjust_decision`: after the policy. A missing signal becomes a reason code, and a high-risk
  intent fails closed (at least the policy's `unverifiable_high_risk_action`), exactly as an
  unverifiable high-risk draft does in `scoring/policy.py`.
- `after_route`: schedules the judge (a sample of auto-sent drafts; high-risk intents) as its
  own task. Routing never waits for it.

Per-queue switches live in the queue's `scoring_rules` (admin): `{"llm": {"judge": false,
"self_consistency": false}}` turns either off for that queue; both default to on.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import time

from django.conf import settings

from reviewqueue.llm.config import LlmSettings
from reviewqueue.llm.consistency import self_consistency
from reviewqueue.llm.errors import LlmError
from reviewqueue.llm.tasks import judge_draft
from reviewqueue.policy.selectors import active_policy
from reviewqueue.review.models import Decision, Draft, Queue
from scoring.calibration import Calibrator
from scoring.engine import Scorer
from scoring.policy import RoutingPolicy, stricter
from scoring.results import ScoreResult

logger = logging.getLogger(__name__)

SELF_CONSISTENCY = "self_consistency"
MISSING_PREFIX = "llm_signal_missing:"


def _cfg() -> LlmSettings:
    cfg: LlmSettings = settings.REVIEWQUEUE_LLM
    return cfg


def queue_switch(queue: Queue | None, name: str) -> bool:
    rules = (queue.scoring_rules if queue is not None else {}) or {}
    llm = rules.get("llm") if isinstance(rules, dict) else None
    return bool(llm.get(name, True)) if isinstance(llm, dict) else True


def _queue(draft: Draft) -> Queue | None:
    if draft.requested_queue_id is not None:
        return draft.requested_queue
    return Queue.objects.filter(tenant_id=draft.tenant_id, is_default=True).first()


def is_high_risk(draft: Draft, policy: RoutingPolicy | None = None) -> bool:
    policy = policy or active_policy(tenant_id=draft.tenant_id)
    return bool(draft.intent) and draft.intent in policy.high_risk_intents


def enrich_score(draft: Draft, result: ScoreResult, *, scorer: Scorer, calibrator: Calibrator | None) -> ScoreResult:
    cfg = _cfg()
    if not cfg.enabled or cfg.consistency_samples == 0:
        return result
    if not is_high_risk(draft) or not queue_switch(_queue(draft), SELF_CONSISTENCY):
        return result
    t0 = time.monotonic()
    try:
        value = self_consistency(draft, result, scorer=scorer, deadline=t0 + cfg.signal_budget_seconds)
    except LlmError as exc:
        return _missing(draft, result, exc.reason)
    except Exception:  # a bug here must cost the signal, never the draft
        logger.exception("self-consistency failed", extra={"action": "llm.consistency.failed", "draft_id": draft.pk})
        return _missing(draft, result, "error")
    if value is None:
        return result
    return with_signal(
        result, SELF_CONSISTENCY, value, scorer=scorer, calibrator=calibrator, ms=(time.monotonic() - t0) * 1000
    )


def with_signal(
    result: ScoreResult, name: str, value: float, *, scorer: Scorer, calibrator: Calibrator | None, ms: float = 0.0
) -> ScoreResult:
    """The result with one more feature, fused and calibrated again as the scorer would."""
    features = dict(result.features)
    features[name] = value
    raw = scorer.fusion.raw_score(features)
    cal = calibrator or scorer.calibrator
    if scorer.calibrator_mismatch(cal):
        cal = Calibrator.identity()  # the scorer did the same: an unusable calibrator is not applied
    confidence = min(1.0, max(0.0, float(cal.predict(raw))))
    timings = dict(result.timings_ms)
    timings[name] = round(ms, 1)
    return dataclasses.replace(result, features=features, raw_score=raw, confidence=confidence, timings_ms=timings)


def _missing(draft: Draft, result: ScoreResult, reason: str) -> ScoreResult:
    logger.warning(
        "LLM signal missing",
        extra={"action": "llm.signal.missing", "draft_id": draft.pk, "signal": SELF_CONSISTENCY, "reason": reason},
    )
    return dataclasses.replace(result, errors=(*result.errors, f"{MISSING_PREFIX}{SELF_CONSISTENCY}:{reason}"))


def missing_signals(result: ScoreResult) -> list[str]:
    return [e for e in result.errors if e.startswith(MISSING_PREFIX)]


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


def judge_reason(draft: Draft, action: str) -> str | None:
    """Why the judge should look at this draft, or None."""
    cfg = _cfg()
    if not cfg.enabled or not queue_switch(_queue(draft), "judge"):
        return None
    if cfg.judge_high_risk and is_high_risk(draft):
        return "high_risk_intent"
    if action == Decision.AUTO_SEND and random.random() < cfg.judge_sample_rate:
        return "audit_sample"
    return None


def after_route(*, draft_id: int, action: str) -> None:
    if not _cfg().enabled:
        return
    try:
        draft = Draft.objects.select_related("requested_queue").get(pk=draft_id)
        reason = judge_reason(draft, action)
        if reason is None:
            return
        judge_draft.apply_async(args=[draft_id, reason], retry=False)
    except Exception:  # the draft is routed; a lost judge run is an audit gap, not a failure
        logger.warning(
            "judge not scheduled", extra={"action": "llm.judge.not_scheduled", "draft_id": draft_id}, exc_info=True
        )


class _LlmScoringHooks:
    """This module's three functions as the `intake.hooks.ScoringHooks` the app registers."""

    enrich_score = staticmethod(enrich_score)
    adjust_decision = staticmethod(adjust_decision)
    after_route = staticmethod(after_route)


SCORING_HOOKS = _LlmScoringHooks()
