"""Self-consistency: does the model say the same things when asked again?

N extra answers to the same question and passages at a set temperature; each of the draft's
checkable claims is checked against each answer by the project's own verifier (the scorer, the
answer as the only passage). The signal is the mean, over claims, of the share of answers that
support the claim: 1.0 when every resample backs every claim, near 0 when the draft's claims
appear in none of them (a sign the model was guessing).
"""

from __future__ import annotations

import time

from reviewqueue.llm import calls, client
from reviewqueue.llm.client import ChatRequest, Completion
from reviewqueue.llm.errors import LlmError, LlmUnavailable
from reviewqueue.llm.prompts import ASSIST_PROMPTS, DEFAULT_ASSIST_PROMPT, passages_block
from reviewqueue.review.models import Draft
from scoring.engine import Scorer
from scoring.inputs import DraftInput
from scoring.results import ScoreResult


def self_consistency(draft: Draft, result: ScoreResult, *, scorer: Scorer, deadline: float) -> float | None:
    """The signal in [0, 1], or None when the draft has no checkable claim. Raises LlmError when
    no resample came back (down, slow, over budget)."""
    checkable = [(c.start, c.end) for c in result.claims if c.checkable]
    if not checkable:
        return None
    cfg = client.current()
    template = ASSIST_PROMPTS.get(draft.prompt_version) or ASSIST_PROMPTS[DEFAULT_ASSIST_PROMPT]
    request = ChatRequest(
        messages=template.messages(question=draft.question, passages=passages_block(draft.passages)),
        model=cfg.model,
        max_tokens=cfg.max_tokens,
        temperature=cfg.consistency_temperature,
    )
    results = calls.call_many(
        tenant_id=draft.tenant_id, requests=[request] * cfg.consistency_samples, deadline=deadline
    )
    samples = [r.text for r in results if isinstance(r, Completion) and r.text.strip()]
    if not samples:
        errors = [r for r in results if isinstance(r, LlmError)]
        raise errors[0] if errors else LlmUnavailable("The LLM endpoint returned only empty answers.")
    support = dict.fromkeys(checkable, 0)
    used = 0
    for i, sample in enumerate(samples):
        if used and time.monotonic() >= deadline:
            break  # out of time: the answers checked so far decide
        used += 1
        checked = scorer.score(
            DraftInput.from_request(
                {
                    "question": draft.question,
                    "draft": draft.text,
                    "passages": [{"id": f"sample-{i + 1}", "text": sample}],
                }
            )
        )
        for claim in checked.claims:
            if (claim.start, claim.end) in support and claim.verdict == "supported":
                support[(claim.start, claim.end)] += 1
    return round(sum(n / used for n in support.values()) / len(support), 4)
