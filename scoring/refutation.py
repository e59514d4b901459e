"""When the NLI model's contradiction is enough to call a claim `refuted`.

A claim is refuted on typed evidence (a record field, a figure, the days of a schedule, who a rule
applies to, whether a policy allows it: the comparators the engine runs first) or, failing those,
on the NLI model's contradiction — but only where the contradiction has something to stand on:
the claim and the evidence it was read from differ in polarity, one side negating ("not", "n't",
"never", "no longer", "non-", "without", ...) or restricting ("only", "exclusively", "except",
"unless", ...) where the other does not. Any other contradiction makes the claim `insufficient`.

Why, on the dev files' fit fold (`scoring.folds`, fold 3; claims of good records against claims
of bad ones, for SummEdits the claims its edit wrote): on LFQA (answers written from web
documents) the NLI alone refuted 51 claims of good answers and 9 of bad ones; with the difference
5 and 5. A high contradiction is no better there (6 good, 0 bad at 0.85 or more without the
difference): the model reads a close paraphrase of its window as contradicting it. On SummEdits
the share of its refutations that hit the edit rose from 63% to 80%. Good claims refuted fell
from 11.0% to 1.4% (LFQA), 46.7% to 5.1% (SummEdits) and 2.6% to 0% (BEGIN), bad ones from 2.9%
to 1.6%, 55.6% to 16.5% and 4.4% to 1.3%: no file of that fold refutes its good claims more often
than its bad ones any more. All four support pair sets gain: the polarity reversals the model
catches differ so; its look-alike neutral pairs ("in Birmingham" against "in London") do not.

A refutation that survives the gate is a sign of a bad draft however low its P(contradict), so
the policy keeps every refuted claim in review: on SummEdits' fit fold, drafts whose refuted
claims were all NLI-only below 0.7 were bad 87% of the time (27 of 31; the file's rate 64%),
100% at 0.7 or more (33 of 33) and 73% with a typed refutation (61 of 83); 55% before the gate.
"""

from __future__ import annotations

from scoring.cues import RESTRICTION_WORDS, negation_pattern, words_pattern

_NEGATION = negation_pattern("without")
_RESTRICTION = words_pattern(rf"{RESTRICTION_WORDS}|except|excluding|unless")


def polarity_marks(text: str) -> frozenset[str]:
    """Which of "negated" and "restricted" the text is (any cue of each, anywhere in it)."""
    marks = set()
    if _NEGATION.search(text):
        marks.add("negated")
    if _RESTRICTION.search(text):
        marks.add("restricted")
    return frozenset(marks)


def contradiction_holds(claim: str, evidence: str) -> bool:
    """Whether an NLI contradiction of `claim` by `evidence` (the sentences it was read from) may
    refute it: the two differ in negation or in restriction."""
    return polarity_marks(claim) != polarity_marks(evidence)
