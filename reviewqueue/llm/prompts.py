"""Versioned prompt templates. A template never changes once shipped: a new wording is a new
version, and its hash is recorded with every draft and verdict it produced, so an auditor can
tell exactly which words the LLM was given."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PromptTemplate:
    version: str
    system: str
    user: str  # str.format fields: see each template

    @property
    def hash(self) -> str:
        body = json.dumps({"version": self.version, "system": self.system, "user": self.user}, sort_keys=True)
        return hashlib.sha256(body.encode()).hexdigest()

    def messages(self, **fields: Any) -> tuple[dict[str, str], ...]:
        return ({"role": "system", "content": self.system}, {"role": "user", "content": self.user.format(**fields)})


def passages_block(passages: list[dict[str, Any]]) -> str:
    return "\n\n".join(f"[{p.get('id', i + 1)}] {p.get('text', '')}" for i, p in enumerate(passages)) or "(none)"


ASSIST_V1 = PromptTemplate(
    version="assist-v1",
    system=(
        "You are a customer support assistant. Answer the customer's question using only the "
        "evidence passages. If the passages do not contain the answer, say that you do not know. "
        "Be brief and do not invent numbers, dates, names or policies."
    ),
    user="Evidence passages:\n{passages}\n\nCustomer question: {question}\n\nAnswer:",
)

ASSIST_PROMPTS: dict[str, PromptTemplate] = {t.version: t for t in (ASSIST_V1,)}
DEFAULT_ASSIST_PROMPT = ASSIST_V1.version

JUDGE_V1 = PromptTemplate(
    version="judge-v1",
    system=(
        "You are a strict fact-checking judge. You decide whether one claim is backed by the "
        "evidence, using the evidence only, never your own knowledge.\n"
        "Rubric:\n"
        '- "supported": the evidence states the claim or directly implies it; every number, '
        "date, name and condition in the claim matches.\n"
        '- "contradicted": the evidence states something incompatible with the claim (another '
        "value, the opposite condition, a narrower scope).\n"
        '- "not_in_evidence": the evidence neither states nor contradicts the claim.\n'
        "Quote the evidence sentence you relied on verbatim (empty for not_in_evidence).\n"
        'Answer with one JSON object only: {"verdict": "supported" | "contradicted" | '
        '"not_in_evidence", "quote": "<verbatim evidence or empty>", "explanation": "<one sentence>"}'
    ),
    user="Evidence:\n{evidence}\n\nClaim: {claim}\n\nJSON verdict:",
)
