"""Reviewers' claim labels as NLI training pairs for `python -m scoring.train --extra-jsonl`.

One record per labelled claim: the evidence the verifier matched it with (its best sentence in
its best passage, widened by neighbouring sentences up to EVIDENCE_CHARS, because a claim is
often supported by more than one sentence), the claim text as the reviewer saw it, and the
reviewers' label. When reviewers disagree on a claim the majority label is exported; a tie is
left out, since a training pair with a coin-flip label only adds noise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from reviewqueue.calibration.models import ClaimLabel
from reviewqueue.intake.scores import stored_score
from reviewqueue.tenancy.models import Tenant
from scoring.results import ClaimResult, claim_passage
from scoring.text import split_sentences

EVIDENCE_CHARS = 600  # about 128 model tokens, the verifier's training length


def _evidence(passages: Any, claim: ClaimResult | None) -> str:
    """The claim's best sentence with its neighbours, or "" when the score names no evidence."""
    if claim is None:
        return ""
    found = claim_passage(passages, claim.best_passage_id)
    start, end = claim.best_sentence_start, claim.best_sentence_end
    if found is None or not isinstance(start, int) or not isinstance(end, int):
        return ""
    text = found[1]
    # Unlike the review page, which clamps bad offsets for display, a training pair needs the
    # exact sentence the verifier used: offsets outside the passage export nothing.
    if not text or not 0 <= start < end <= len(text):
        return ""
    spans = split_sentences(text)
    first = next((i for i, (s, e) in enumerate(spans) if s <= start < e), None)
    if first is None:
        return text[start:end].strip()

    def fits(a: int, b: int) -> bool:
        return a >= 0 and b < len(spans) and spans[b][1] - spans[a][0] <= EVIDENCE_CHARS

    # Widen one sentence at a time, alternating sides, while it fits.
    lo = hi = first
    grown = True
    while grown:
        grown = False
        if fits(lo - 1, hi):
            lo, grown = lo - 1, True
        if fits(lo, hi + 1):
            hi, grown = hi + 1, True
    return text[spans[lo][0] : spans[hi][1]].strip()


def claim_label_records(*, tenant: Tenant, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """Training records for the tenant's claim labels (set or changed at or after `since`), by draft."""
    labels = (
        ClaimLabel.objects.filter(item__queue__tenant=tenant)
        .select_related("draft")
        .order_by("draft_id", "claim_index", "pk")
    )
    if since is not None:
        labels = labels.filter(updated_at__gte=since)
    votes: dict[tuple[int, int], Counter[str]] = {}
    first: dict[tuple[int, int], ClaimLabel] = {}
    for lab in labels.iterator(chunk_size=500):
        key = (lab.draft_id, lab.claim_index)
        votes.setdefault(key, Counter())[lab.label] += 1
        first.setdefault(key, lab)
    for key, counter in votes.items():
        (label, top), *rest = counter.most_common()
        if rest and rest[0][1] == top:
            continue  # reviewers split evenly
        lab = first[key]
        score = stored_score(lab.draft.score)
        claims = score.claims if score is not None else ()
        premise = _evidence(lab.draft.passages, claims[lab.claim_index] if lab.claim_index < len(claims) else None)
        if not premise or not lab.claim_text.strip():
            continue  # nothing to pair the claim with
        yield {
            "premise": premise,
            "hypothesis": lab.claim_text,
            "label": label,
            "source": f"reviewqueue:{tenant.slug}",
            "draft_id": lab.draft_id,
            "claim_index": lab.claim_index,
            "reviewers": sum(counter.values()),
            "model_verdict": lab.model_verdict,
            "model": score.versions.get("model", "") if score is not None else "",
        }
