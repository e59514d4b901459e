"""Scored review items for the reviewer pages, built through the services like the core's
factories. The score has the shape of `scoring.results.ScoreResult.to_dict()`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from reviewqueue.intake import routing
from reviewqueue.review.models import Decision, Queue, ReviewItem
from tests.factories import World, make_draft

PASSAGE = (
    "All X200 blenders come with a two-year limited warranty. Products must be registered within 30 days of purchase."
)
DRAFT = "The X200 blender has a 24-month warranty. Register it within 30 days to activate it. I hope this helps!"


def score_for(
    text: str,
    passages: list[dict[str, str]],
    claims: list[tuple[str, str, str | None, str | None]],
    *,
    low: list[str] = (),
    hits: list[str] = (),
    confidence: float = 0.42,
) -> dict[str, Any]:
    """claims: (sentence, verdict, passage id, best sentence in that passage)."""
    by_id = {p["id"]: p["text"] for p in passages}
    out = []
    for sentence, verdict, pid, best in claims:
        start = text.index(sentence)
        claim: dict[str, Any] = {
            "text": sentence,
            "start": start,
            "end": start + len(sentence),
            "checkable": verdict != "not_checkable",
            "verdict": verdict,
            "p_entail": None,
            "p_neutral": None,
            "p_contradict": None,
            "best_passage_id": pid,
            "best_sentence_start": None,
            "best_sentence_end": None,
            "reason": "pleasantry" if verdict == "not_checkable" else "",
            "lexical_support": None,
        }
        if verdict != "not_checkable":
            probs = {
                "supported": (0.91, 0.06, 0.03),
                "refuted": (0.04, 0.10, 0.86),
                "insufficient": (0.30, 0.62, 0.08),
            }[verdict]
            claim.update(p_entail=probs[0], p_neutral=probs[1], p_contradict=probs[2])
        if pid is not None and best is not None:
            b = by_id[pid].index(best)
            claim.update(best_sentence_start=b, best_sentence_end=b + len(best))
        out.append(claim)
    low_spans = [[text.index(s), text.index(s) + len(s)] for s in low]
    return {
        "logprob_signals": {
            "seq_logprob": -0.41,
            "min_logprob": -3.2,
            "share_below_floor": 0.07,
            "mean_entropy": None,
            "mean_margin": None,
            "n_tokens": 24,
            "n_counted": 20,
            "floor": -2.302585,
            "aligned": True,
            "sentences": [],
            "low_confidence_spans": low_spans,
        }
        if low
        else None,
        "claims": out,
        "guardrail_hits": [
            {
                "kind": "unsupported_number",
                "text": h,
                "start": text.index(h),
                "end": text.index(h) + len(h),
                "rule": "numbers",
                "action": "review",
            }
            for h in hits
        ],
        "features": {},
        "raw_score": 0.55,
        "confidence": confidence,
        "risk": 0.8,
        "verification_status": "complete",
        "versions": {"nli": "tiny-nli-1", "calibrator": "iso-3"},
        "timings_ms": {},
        "errors": [],
    }


def make_scored_item(
    world: World,
    *,
    now: datetime | None = None,
    queue: Queue | None = None,
    draft: str = DRAFT,
    passage: str = PASSAGE,
    question: str | None = None,
    score: dict[str, Any] | str | None = "default",
    priority: float = 0.5,
) -> ReviewItem:
    now = now or timezone.now()
    queue = queue or world.queue
    passages = [{"id": "kb-17", "text": passage}]
    overrides: dict[str, Any] = {"draft": draft, "passages": passages}
    if question is not None:
        overrides["question"] = question
    d = make_draft(world, now=now, queue=queue, **overrides)
    if score == "default":
        score = score_for(
            draft,
            passages,
            [
                (draft.split(". ")[0] + ".", "supported", "kb-17", passage.split(". ")[0] + "."),
                (
                    "Register it within 30 days to activate it.",
                    "insufficient",
                    "kb-17",
                    "Products must be registered within 30 days of purchase.",
                ),
                ("I hope this helps!", "not_checkable", None, None),
            ]
            if draft == DRAFT
            else [],
            low=["24-month"] if "24-month" in draft else [],
            hits=["24-month"] if "24-month" in draft else [],
        )
    conf = score.get("confidence") if isinstance(score, dict) else None
    routing.draft_record_score(
        draft_id=d.pk,
        score=score,
        confidence=conf,
        versions={"scorer": "test-1", "policy": "p-7"},
        now=now,
    )
    routing.draft_route(
        draft_id=d.pk,
        decision=Decision.QUEUE_FOR_REVIEW,
        reasons=["low_confidence", "amount_high"],
        queue=queue,
        priority=priority,
        now=now,
    )
    return ReviewItem.objects.get(draft=d, state="pending")
