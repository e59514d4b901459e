"""How long ago something happened against how long a policy's window lasts.

Support replies apply a window to the customer's case: "Since you bought it 10 days ago, you can
still return it" against "Returns are accepted within 30 days"; "The frother stopped working
after eight months, so it's outside its coverage" against "a six-month warranty on the milk
frother". The NLI model reads the figures as unrelated (10 is not 30), so a reply that applies the
window right reads neutral and one that applies it wrong reads neutral too.

A claim gives an elapsed time ("10 days ago", "after eight months", "is three years old") and says
the case is inside the window ("still", "within", "covered", "eligible", "entitled", "qualifies")
or outside it ("outside", "expired", "no longer", "not covered", "too late"). Its evidence
sentence gives the window: one time figure in the clause the claim is about (a part's own
warranty in "5 years on the frame, 2 years on the battery"). Elapsed within the window and the
claim saying inside (or past it and saying outside) confirms; the other way round refutes. A
claim that says neither, or a sentence with no one window for it, is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scoring.quantities import Quantity, clause_of, quantities

# The time figure a claim says has passed: "10 days ago", "after eight months", "three years old",
# "an 18-month-old", "bought 9 days ago", "two weeks into".
_ELAPSED_AFTER = re.compile(r"^\s*(?:-old\b|old\b|ago\b|in\b|into\b|since\b|later\b|after\s+(?:purchase|buying))", re.I)
_ELAPSED_BEFORE = re.compile(r"\bafter\s+(?:just\s+|only\s+|about\s+|nearly\s+|over\s+)?$", re.I)
_INSIDE = re.compile(
    r"\b(?:still|within|covered|eligible|entitled|qualif(?:y|ies|ied)|in\s+time|inside|under\s+(?:the\s+)?warranty)\b",
    re.IGNORECASE,
)
_OUTSIDE = re.compile(
    r"\b(?:outside|expired|no\s+longer|not\s+covered|isn['’]t\s+covered|too\s+late|past\s+the|beyond|"
    r"ran\s+out|has\s+ended|lapsed)\b",
    re.IGNORECASE,
)
_TIME = frozenset({"time"})
_AFTER_WINDOW = re.compile(r"\b(?:after|beyond|past|over)\s+(?:the\s+)?(?:first\s+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class ElapsedCheck:
    holds: bool  # whether the claim applies the window as the sentence gives it
    start: int  # the claim's elapsed figure, offsets into the claim
    end: int


def elapsed_check(claim: str, sentence: str) -> ElapsedCheck | None:
    """The claim's elapsed time against the sentence's window, if both are there (see above)."""
    inside, outside = bool(_INSIDE.search(claim)), bool(_OUTSIDE.search(claim))
    if inside == outside:
        return None
    elapsed = [q for q in quantities(claim) if q.dim in _TIME and _is_elapsed(claim, q)]
    if len(elapsed) != 1:
        return None
    own = clause_of(claim, sentence) or sentence
    windows = [q for q in quantities(own) if q.dim in _TIME]
    if len(windows) != 1 or _AFTER_WINDOW.search(own[: windows[0].start]):
        return None  # none, several, or a time after which something stops ("after the first 30 days")
    q, window = elapsed[0], windows[0]
    within = q.base(q.value) <= window.base(window.value) * 1.001
    return ElapsedCheck(within == inside, q.start, q.end)


def _is_elapsed(claim: str, q: Quantity) -> bool:
    return bool(_ELAPSED_AFTER.match(claim[q.end :]) or _ELAPSED_BEFORE.search(claim[: q.start]))
