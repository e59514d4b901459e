"""Whether an evidence sentence gives a claim's typed values as the claim does.

The comparators in `quantities`, `schedules` and `polarity` decide when a claim's figure, days or
policy verb contradict its evidence sentence. The same reading can also confirm a claim the NLI
model leaves `insufficient` because it was paraphrased ("48 hours" / "two days", "non-refundable"
/ "we can't refund", "Monday to Friday" / "on Thursdays"). A claim is confirmed when it is about
what the sentence is about (it holds nearly all the claim's words, values and negations aside, and
the sentence adds at most one word the claim lacks), negates as the sentence does, and

- each of its figures is admitted by the figures of its own clause ("$75" by "over $50", "four
  days" by "3 to 5 days", "24 months" by "two years"), or
- its days fall among the sentence's open days (or closed ones, for a claim that says closed), or
- a policy verb (refund, return, cancel, ...) is negated on both sides or on neither, or
- it negates the predicate one clause of the sentence negates, worded otherwise ("we can't deliver
  to a P.O. box" / "we do not ship to P.O. boxes"; `scoring.negation`), and has no figure the
  sentence does not give, or
- it applies the sentence's window to the customer's case as the figures say ("since you bought it
  10 days ago, you can still return it" / "within 30 days"; `scoring.elapsed`).

Only `insufficient` is ever raised to `supported` (the engine keeps a refutation the model read),
and only a contradiction found by the comparators comes first.
"""

from __future__ import annotations

from scoring.cues import negation_pattern
from scoring.elapsed import elapsed_check
from scoring.negation import agreed_negation
from scoring.polarity import agreed_polarity
from scoring.quantities import confirmed_quantities, quantities, unstated_quantity
from scoring.schedules import confirmed_days, unstated_days

# Negations, for the parity test: a claim that negates what its sentence states plainly (or the
# reverse) is never confirmed here, whatever its values.
NEGATION = negation_pattern("without")


def same_negation(claim: str, sentence: str) -> bool:
    return bool(NEGATION.search(claim)) == bool(NEGATION.search(sentence))


def confirmed(claim: str, sentence: str) -> bool:
    """Whether `sentence` confirms the claim's typed values (see the module docstring)."""
    if confirmed_days(claim, sentence):
        return True
    applied = elapsed_check(claim, sentence)
    if applied is not None:
        return applied.holds  # the window applied to the customer's case (`scoring.elapsed`)
    # A figure is compared by value only (`confirmed_quantities`); agreeing negations say nothing of
    # it. `agreed_negation` reads negation words this parity test does not ("free of charge").
    if not quantities(claim) and agreed_negation(claim, sentence):
        return True
    if not same_negation(claim, sentence):
        return False
    return confirmed_quantities(claim, sentence) or agreed_polarity(claim, sentence)


def unstated_value(claim: str, evidence: str) -> bool:
    """Whether the claim gives a typed value no evidence gives: a figure in a unit that converts
    (`scoring.quantities.unstated_quantity`) or a day outside every schedule the evidence states
    (`scoring.schedules.unstated_days`). The NLI model's entailment of such a claim rests on its
    other words, and does not make it `supported`."""
    return unstated_quantity(claim, evidence) is not None or unstated_days(claim, evidence)
