"""The LLM judge: one structured rubric prompt per claim against its evidence, the answer
validated against a JSON schema before it is believed.

For a high-risk intent it runs before routing, inside the scoring task and its LLM time budget
(`hooks.enrich_score`): its verdicts become fusion features (`scoring.fusion.judge_features`).
On the audit sample of auto-sent drafts, and on a high-risk draft whose judge missed routing, it
runs after routing in its own task (`reviewqueue/llm/tasks.py`) and never holds a draft back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jsonschema

from reviewqueue.intake.scores import stored_score
from reviewqueue.llm import calls, client
from reviewqueue.llm.client import ChatRequest, Completion
from reviewqueue.llm.errors import LlmError
from reviewqueue.llm.models import JudgeVerdictKind
from reviewqueue.llm.prompts import JUDGE_V1
from reviewqueue.review.models import Draft
from scoring.results import claim_passage

MAX_EVIDENCE_CHARS = 6000
JUDGE_MAX_TOKENS = 300

VERDICT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["verdict", "quote"],
    "properties": {
        "verdict": {"enum": ["supported", "contradicted", "not_in_evidence"]},
        "quote": {"type": "string", "maxLength": 2000},
        "explanation": {"type": "string", "maxLength": 2000},
    },
    # Extra keys are ignored, not refused: local models like to add a "confidence".
}

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)
_SPACE = re.compile(r"\s+")


class JudgeAnswerInvalid(ValueError):
    pass


@dataclass(frozen=True)
class ClaimToJudge:
    index: int
    text: str
    evidence: str


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()


def parse_verdict(answer: str, *, evidence: str) -> dict[str, str]:
    """The judge's answer as {verdict, quote, explanation}; JudgeAnswerInvalid when it is not
    JSON, fails the schema, or quotes words the evidence does not contain (a judge that
    invents its quote is not judging)."""
    fenced = _FENCE.match(answer)
    try:
        body = json.loads(fenced.group(1) if fenced else answer)
    except ValueError as exc:
        raise JudgeAnswerInvalid(f"not JSON: {exc}") from None
    try:
        jsonschema.validate(body, VERDICT_SCHEMA)
    except jsonschema.ValidationError as exc:
        raise JudgeAnswerInvalid(f"schema: {exc.message}") from None
    quote = body["quote"].strip().strip('"').strip()
    if body["verdict"] != "not_in_evidence":
        if not quote:
            raise JudgeAnswerInvalid(f"a {body['verdict']} verdict needs a quote")
        if _norm(quote) not in _norm(evidence):
            raise JudgeAnswerInvalid("the quote is not in the evidence")
    return {"verdict": body["verdict"], "quote": quote, "explanation": str(body.get("explanation", ""))[:2000]}


def claims_to_judge(passages: Any, claims: Sequence[dict[str, Any]], *, limit: int) -> list[ClaimToJudge]:
    """The checkable claims (a score's dict form), each with its evidence: the passage the
    verifier found best, else all passages (the judge then looks for itself)."""
    passages = [p for p in passages or () if isinstance(p, dict)]
    everything = "\n\n".join(f"[{p.get('id')}] {p.get('text', '')}" for p in passages)
    out: list[ClaimToJudge] = []
    for i, claim in enumerate(claims):
        if not claim.get("checkable"):
            continue
        best = claim_passage(passages, claim.get("best_passage_id"))
        evidence = best[1] if best is not None else everything
        out.append(ClaimToJudge(index=i, text=str(claim.get("text", "")), evidence=evidence[:MAX_EVIDENCE_CHARS]))
        if len(out) >= limit:
            break
    return out


def judge_claims(
    draft: Draft, claims: Sequence[dict[str, Any]], *, deadline: float | None = None
) -> list[dict[str, Any]]:
    """Verdict rows for the checkable ones of `claims` (JudgeVerdict fields), every call made
    before `deadline` (a `time.monotonic()` value). Raises LlmError when no claim could be judged
    at all (budget, breaker, endpoint down, out of time), so the caller records why."""
    cfg = client.current()
    to_judge = claims_to_judge(draft.passages, claims, limit=cfg.judge_max_claims)
    if not to_judge:
        return []
    requests = [
        ChatRequest(
            messages=JUDGE_V1.messages(evidence=c.evidence, claim=c.text),
            model=cfg.judge_model,
            max_tokens=JUDGE_MAX_TOKENS,
            temperature=0.0,
            json_output=True,
        )
        for c in to_judge
    ]
    results = calls.call_many(tenant_id=draft.tenant_id, requests=requests, deadline=deadline)
    errors = [r for r in results if isinstance(r, LlmError)]
    if len(errors) == len(results):
        raise errors[0]
    rows: list[dict[str, Any]] = []
    for claim, result in zip(to_judge, results, strict=True):
        if not isinstance(result, Completion):
            continue  # that claim's call failed: no verdict rather than a guessed one
        row: dict[str, Any] = {
            "claim_index": claim.index,
            "claim_text": claim.text,
            "model": cfg.judge_model,
            "prompt_hash": JUDGE_V1.hash,
        }
        try:
            row.update(parse_verdict(result.text, evidence=claim.evidence))
        except JudgeAnswerInvalid as exc:
            row.update(verdict=JudgeVerdictKind.INVALID, quote="", explanation=str(exc)[:2000])
        rows.append(row)
    return rows


def judge_draft(draft: Draft) -> list[dict[str, Any]]:
    """The judge on a scored draft's stored claims (after routing: the audit, the reviewer)."""
    score = stored_score(draft.score)
    return judge_claims(draft, [c.to_dict() for c in score.claims] if score is not None else [])
