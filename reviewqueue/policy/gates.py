"""What a candidate must pass before a lead may promote it.

`promotion_gate` is consulted by `shadow.candidate_promote`, inside its transaction, before
anything is activated; a verdict that does not allow refuses the promotion with its reason
(409 on the page and the API).

MERGE POINT: the golden-set regression check (AUROC, escape and auto-send share of the
candidate on the tenant's golden set against the live version, within the set tolerance) is
not built on this branch. Until it is wired in here, this gate allows every candidate and says
so in its reason, which the promote event records; it checks nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewqueue.policy.models import ShadowCandidate


@dataclass(frozen=True)
class GateVerdict:
    allowed: bool
    reason: str


def promotion_gate(candidate: ShadowCandidate) -> GateVerdict:
    return GateVerdict(allowed=True, reason="no golden-set check is configured")
