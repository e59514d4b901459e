"""Reads of the LLM app: judge verdicts for the review page, judge-vs-reviewer agreement."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from reviewqueue.llm.models import JudgeRun, JudgeRunStatus, JudgeVerdict, JudgeVerdictKind
from reviewqueue.review.models import BAD_DISPOSITIONS, GOOD_DISPOSITIONS, Draft, ItemState, ReviewItem

AGREEMENT_WINDOW = 2000  # the newest resolved items compared per call: bounded work per page view


@dataclass(frozen=True)
class JudgeAgreement:
    queue_id: int
    queue_name: str
    compared: int  # resolved drafts the judge also looked at
    agreed: int  # the judge's draft-level call matched the reviewer's

    @property
    def rate(self) -> float | None:
        return self.agreed / self.compared if self.compared else None


def judge_for_draft(draft: Draft) -> tuple[JudgeRun | None, dict[int, JudgeVerdict]]:
    run = JudgeRun.objects.filter(draft=draft).first()
    if run is None:
        return None, {}
    return run, {v.claim_index: v for v in JudgeVerdict.objects.filter(draft=draft)}


def judge_says_good(verdicts: list[str]) -> bool | None:
    """Draft level: good when every claim the judge could read is supported; None when it read none."""
    valid = [v for v in verdicts if v != JudgeVerdictKind.INVALID]
    if not valid:
        return None
    return all(v == JudgeVerdictKind.SUPPORTED for v in valid)


def judge_agreement(*, tenant_id: int, queue_ids: list[int] | None = None) -> list[JudgeAgreement]:
    """Per queue: of the resolved drafts the judge judged, how often it agreed with the reviewer
    (approved = good; edited or rejected = bad, the labels calibration reads: calibration.labels).
    An escalation is no label (the draft's next item, in the other queue, carries it). Two
    queries."""
    items = ReviewItem.objects.filter(
        queue__tenant_id=tenant_id,
        state=ItemState.RESOLVED,
        disposition__in=[*GOOD_DISPOSITIONS, *BAD_DISPOSITIONS],
        draft__judge_run__status=JudgeRunStatus.DONE,
    )
    if queue_ids is not None:
        items = items.filter(queue_id__in=queue_ids)
    rows = list(items.order_by("-pk").values("queue_id", "queue__name", "draft_id", "disposition")[:AGREEMENT_WINDOW])
    verdicts: dict[int, list[str]] = defaultdict(list)
    for draft_id, verdict in JudgeVerdict.objects.filter(draft_id__in={r["draft_id"] for r in rows}).values_list(
        "draft_id", "verdict"
    ):
        verdicts[draft_id].append(verdict)
    tally: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        judged = judge_says_good(verdicts.get(row["draft_id"], []))
        if judged is None:
            continue
        counts = tally[(row["queue_id"], row["queue__name"])]
        counts[0] += 1
        counts[1] += int(judged == (row["disposition"] in GOOD_DISPOSITIONS))
    return [JudgeAgreement(q, name, n, a) for (q, name), (n, a) in sorted(tally.items())]


def signals_for_page(draft: Draft) -> dict[str, Any]:
    """What the review page shows of this app's signals for one draft."""
    score = draft.score or {}
    features = score.get("features") or {}
    missing = [e.split(":")[1:] for e in score.get("errors") or () if e.startswith("llm_signal_missing:")]
    run, verdicts = judge_for_draft(draft)
    claims = []
    for i, claim in enumerate(score.get("claims") or ()):
        if i in verdicts:
            claims.append(
                {"index": i, "text": claim.get("text", ""), "nli": claim.get("verdict", ""), "judge": verdicts[i]}
            )
    return {
        "self_consistency": features.get("self_consistency"),
        "judge_support": features.get("judge_support"),
        "judge_contradicted": features.get("judge_contradicted"),
        "missing": [{"signal": m[0], "reason": m[1] if len(m) > 1 else ""} for m in missing],
        "judge_run": run,
        "judged_claims": claims,
    }
