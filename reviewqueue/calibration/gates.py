"""What a candidate must pass before a lead may promote it: the golden-set regression check.

`promotion_gate` is consulted by `shadow.candidate_promote` before anything is activated. It
scores the tenant's golden set (reviewqueue/golden) under the candidate and under the live
versions, on the same records, and refuses a candidate whose AUROC falls, or whose escape rate
rises, by more than the tenant's tolerance (`golden.services.golden_gate`; a refusal writes a
`golden.gate.blocked` event and the promote answers 409 with the reason). With no golden set
the candidate is allowed, and the promote event records why.

The check runs outside the promote transaction: the first time a scorer meets the set, the
records are scored, which must not hold row locks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User

from reviewqueue.golden.services import golden_gate
from reviewqueue.policy.models import ShadowCandidate


@dataclass(frozen=True)
class GateVerdict:
    allowed: bool
    reason: str


def promotion_gate(candidate: ShadowCandidate, *, actor: User, now: datetime) -> GateVerdict:
    decision = golden_gate(
        tenant=candidate.tenant,
        now=now,
        policy_version=candidate.policy,
        calibrator_version=candidate.calibrator,
        actor=actor,
    )
    return GateVerdict(allowed=decision.allowed, reason=decision.reason)
