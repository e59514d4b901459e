"""Which sent drafts are drawn into the blind audit sample, and with what probability.

Labels on held drafts say nothing about the drafts routing let through. So a share of the drafts
that went out as written without a full review — auto-sent, or drafted for a human who approved
them — is copied, after sending, into a blind audit item (the reviewer does not see the routing
decision or the confidence). The share is the routing queue's `audit_share`; the item goes to its
`audit_queue` (or the queue itself) and stores the share as `audit_probability`, so every
estimate built on audit labels can weigh each by 1 / probability
(`reviewqueue.calibration.labels`).

The draw is a keyed hash of the draft id, not a random number: a re-delivered scoring task or a
test gets the same answer for the same draft, and a service cannot predict which of its drafts
will be audited (the key is the server's secret).
"""

from __future__ import annotations

from django.utils.crypto import salted_hmac

from reviewqueue.review.models import Decision, Draft, Outcome, Queue

# Routing decisions whose sent drafts are audited: the ones no reviewer fully checked before
# sending. Held drafts are all reviewed already; blocked drafts were never sent.
AUDITED_DECISIONS = frozenset({Decision.AUTO_SEND, Decision.AUTO_DRAFT_HUMAN_SEND})


def audit_draw(draft_id: int) -> float:
    """The draft's fixed draw, uniform in [0, 1): audited iff it is below the queue's share."""
    digest = salted_hmac("reviewqueue.review.audit_draw", str(draft_id), algorithm="sha256").digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def audit_eligible(draft: Draft) -> bool:
    """Whether the decided draft may be audited at all: sent as written, with no full review."""
    return draft.decision in AUDITED_DECISIONS and draft.outcome == Outcome.SENT_DRAFT


def audit_probability(*, draft: Draft, queue: Queue | None) -> float | None:
    """The probability the draft was audited with, if the draw picked it; None if it is not
    audited (sampling off for its queue, not drawn, or not a draft sent as written unreviewed)."""
    if queue is None or not audit_eligible(draft):
        return None
    share = float(queue.audit_share)
    if share <= 0.0 or audit_draw(draft.pk) >= share:
        return None
    return min(share, 1.0)
