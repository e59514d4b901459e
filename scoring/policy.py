"""Versioned routing policy: calibrated confidence + rules → an action with reason codes.

Actions, from least to most restrictive: auto_send < auto_draft_human_send < queue_for_review <
block. Thresholds pick the starting action; every rule can only make it *more* restrictive
("at least review"), so rules compose in any order and no rule can open what another closed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from scoring.calibration import UNCALIBRATED
from scoring.errors import ConfigurationError
from scoring.inputs import DraftInput
from scoring.results import ScoreResult

Action = Literal["auto_send", "auto_draft_human_send", "queue_for_review", "block"]
ACTIONS: tuple[str, ...] = ("auto_send", "auto_draft_human_send", "queue_for_review", "block")
_RANK = {a: i for i, a in enumerate(ACTIONS)}


def stricter(a: str, b: str) -> str:
    """The more restrictive of two actions (block > queue_for_review > ... > auto_send)."""
    return a if _RANK[a] >= _RANK[b] else b


@dataclass(frozen=True)
class Thresholds:
    # Chosen on the shipped model's prior calibrator (`python -m scoring fit-prior`, dev files'
    # fit fold) with the default policy's rules applied (a draft they hold back is never
    # auto-sent whatever its confidence): in every file at most 5% of bad drafts auto-sent
    # (2.9% on the files' mean there, 4.3% in the worst file), at most 15% auto-sent or drafted
    # for a person, at most 5% of good drafts blocked, each file weighing the same (0.8525 /
    # 0.6105 / 0.2108 on nli-minilm-l6-v6's prior 2).
    # Rounded towards caution.
    auto_send: float = 0.86
    auto_draft_human_send: float = 0.62
    queue_for_review: float = 0.22

    def __post_init__(self) -> None:
        values = (self.auto_send, self.auto_draft_human_send, self.queue_for_review)
        if not all(0.0 <= v <= 1.0 for v in values):
            raise ConfigurationError("thresholds must lie in [0, 1]")
        if not values[0] >= values[1] >= values[2]:
            raise ConfigurationError("thresholds must satisfy auto_send >= auto_draft >= review")

    def action_for(self, confidence: float) -> str:
        if confidence >= self.auto_send:
            return "auto_send"
        if confidence >= self.auto_draft_human_send:
            return "auto_draft_human_send"
        if confidence >= self.queue_for_review:
            return "queue_for_review"
        return "block"

    def to_dict(self) -> dict[str, float]:
        return {
            "auto_send": self.auto_send,
            "auto_draft_human_send": self.auto_draft_human_send,
            "queue_for_review": self.queue_for_review,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Thresholds:
        try:
            return cls(**{k: float(v) for k, v in d.items()})
        except TypeError as exc:
            raise ConfigurationError(f"bad thresholds: {exc}") from exc


@dataclass(frozen=True)
class Decision:
    action: Action
    reason_codes: tuple[str, ...]
    policy_version: str
    versions: dict[str, str] = field(default_factory=dict)  # model, calibrator, scorer, policy

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "reason_codes": list(self.reason_codes),
            "policy_version": self.policy_version,
            "versions": dict(self.versions),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Decision:
        return cls(d["action"], tuple(d["reason_codes"]), d["policy_version"], dict(d.get("versions", {})))


def _check_action(value: str, where: str) -> str:
    if value not in _RANK:
        raise ConfigurationError(f"{where}: unknown action {value!r} (one of {ACTIONS})")
    return value


@dataclass(frozen=True)
class RoutingPolicy:
    version: str = "default-9"  # -2: the uncalibrated confidence cap; -3: thresholds from the prior calibrator;
    # -4: thresholds chosen with the rules applied (policy-aware) on prior 4; -5: the same on prior 5;
    # -6: the same on the v4 verifier's prior; -7: on the v5 verifier's prior; -8: on v6's;
    # -9: on v6's prior 2 (fitted with the unstated-names feature)
    thresholds: Thresholds = field(default_factory=Thresholds)
    intent_thresholds: dict[str, Thresholds] = field(default_factory=dict)
    queue_thresholds: dict[str, Thresholds] = field(default_factory=dict)
    amount_limit: float | None = 1000.0
    amount_action: str = "queue_for_review"
    regulated_intents: tuple[str, ...] = ()
    regulated_action: str = "queue_for_review"
    high_risk_intents: tuple[str, ...] = ()
    tier_actions: dict[str, str] = field(default_factory=dict)  # tier → at least this action
    refuted_action: str = "queue_for_review"
    guardrail_action: str = "queue_for_review"
    # Fail closed: an unverifiable draft of a high-risk intent is at least reviewed (or blocked
    # if configured); any other unverifiable draft at least goes past a human.
    unverifiable_high_risk_action: str = "queue_for_review"
    unverifiable_action: str = "auto_draft_human_send"
    # The most restrictive action a low confidence may choose on its own while no calibrator is
    # fitted. An uncalibrated confidence ranks drafts but is not a probability: a low one with
    # no evidence against the draft (no refuted claim, no guardrail hit) goes to review, not to
    # block, and the reviewers' decisions on such drafts are the labels the first calibrator is
    # fitted on. With evidence, the thresholds apply as written. "block" turns the cap off.
    uncalibrated_confidence_cap: str = "queue_for_review"

    def __post_init__(self) -> None:
        for name in (
            "amount_action",
            "regulated_action",
            "refuted_action",
            "guardrail_action",
            "unverifiable_high_risk_action",
            "unverifiable_action",
            "uncalibrated_confidence_cap",
        ):
            _check_action(getattr(self, name), name)
        for tier, act in self.tier_actions.items():
            _check_action(act, f"tier_actions.{tier}")
        # Hard rules may be tightened, never loosened, by configuration.
        if _RANK[self.refuted_action] < _RANK["queue_for_review"]:
            raise ConfigurationError("refuted_action must be queue_for_review or block")
        if _RANK[self.guardrail_action] < _RANK["auto_draft_human_send"]:
            raise ConfigurationError("guardrail_action may not auto-send")
        if _RANK[self.unverifiable_high_risk_action] < _RANK["queue_for_review"]:
            raise ConfigurationError("unverifiable_high_risk_action must fail closed")

    @classmethod
    def default(cls) -> RoutingPolicy:
        return cls(
            regulated_intents=("legal", "medical", "tax", "compliance"),
            high_risk_intents=("billing", "payroll", "refund", "legal", "medical", "tax", "compliance"),
            tier_actions={"enterprise": "auto_draft_human_send"},
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "thresholds": self.thresholds.to_dict(),
            "intent_thresholds": {k: v.to_dict() for k, v in self.intent_thresholds.items()},
            "queue_thresholds": {k: v.to_dict() for k, v in self.queue_thresholds.items()},
            "amount_limit": self.amount_limit,
            "amount_action": self.amount_action,
            "regulated_intents": list(self.regulated_intents),
            "regulated_action": self.regulated_action,
            "high_risk_intents": list(self.high_risk_intents),
            "tier_actions": dict(self.tier_actions),
            "refuted_action": self.refuted_action,
            "guardrail_action": self.guardrail_action,
            "unverifiable_high_risk_action": self.unverifiable_high_risk_action,
            "unverifiable_action": self.unverifiable_action,
            "uncalibrated_confidence_cap": self.uncalibrated_confidence_cap,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RoutingPolicy:
        if not isinstance(d, dict) or "version" not in d:
            raise ConfigurationError("routing policy must be an object with a version")
        known = set(cls.__dataclass_fields__)
        unknown = set(d) - known
        if unknown:
            raise ConfigurationError(f"unknown routing policy keys: {sorted(unknown)}")
        kw: dict[str, Any] = dict(d)
        if "thresholds" in kw:
            kw["thresholds"] = Thresholds.from_dict(kw["thresholds"])
        for key in ("intent_thresholds", "queue_thresholds"):
            if key in kw:
                kw[key] = {str(k): Thresholds.from_dict(v) for k, v in kw[key].items()}
        for key in ("regulated_intents", "high_risk_intents"):
            if key in kw:
                kw[key] = tuple(str(x) for x in kw[key])
        if kw.get("amount_limit") is not None:
            kw["amount_limit"] = float(kw["amount_limit"])
        kw["version"] = str(kw["version"])
        return cls(**kw)

    def thresholds_for(self, intent: str, queue: str | None = None) -> Thresholds:
        if intent and intent in self.intent_thresholds:
            return self.intent_thresholds[intent]
        if queue and queue in self.queue_thresholds:
            return self.queue_thresholds[queue]
        return self.thresholds

    def decide(self, result: ScoreResult, draft: DraftInput, *, queue: str | None = None) -> Decision:
        th = self.thresholds_for(draft.intent, queue)
        action = th.action_for(result.confidence)
        reasons: list[str] = [f"confidence_{action}"]
        cap = self.uncalibrated_confidence_cap
        evidence = result.has_refuted_claim or bool(result.guardrail_hits)
        if result.versions.get("calibrator") == UNCALIBRATED and not evidence and _RANK[action] > _RANK[cap]:
            action = cap
            reasons = [f"confidence_{action}", "uncalibrated_confidence"]

        def at_least(level: str, code: str) -> None:
            nonlocal action
            if _RANK[level] > _RANK[action]:
                action = level
            reasons.append(code)

        if result.has_refuted_claim:
            at_least(self.refuted_action, "refuted_claim")
        for hit in result.guardrail_hits:
            if hit.kind == "blocked_pattern":
                at_least("block" if hit.action == "block" else "queue_for_review", f"blocked_pattern:{hit.rule}")
        unsupported = sorted({h.kind for h in result.guardrail_hits if h.kind != "blocked_pattern"})
        for kind in unsupported:
            at_least(self.guardrail_action, f"guardrail:{kind}")
        unverifiable = result.verification_status in {"unavailable", "partial_timeout", "no_evidence"}
        if unverifiable:
            code = f"unverifiable:{result.verification_status}"
            if draft.intent and draft.intent in self.high_risk_intents:
                at_least(self.unverifiable_high_risk_action, code + ":high_risk_intent")
            else:
                at_least(self.unverifiable_action, code)
        if self.amount_limit is not None and draft.amount is not None and draft.amount > self.amount_limit:
            at_least(self.amount_action, "amount_over_limit")
        if draft.intent and draft.intent in self.regulated_intents:
            at_least(self.regulated_action, "regulated_intent")
        if draft.customer_tier and draft.customer_tier in self.tier_actions:
            at_least(self.tier_actions[draft.customer_tier], f"customer_tier:{draft.customer_tier}")
        versions = dict(result.versions)
        versions["policy"] = self.version
        return Decision(action, tuple(reasons), self.version, versions)  # type: ignore[arg-type]
