"""The label files: draft-level label rows (`GET /api/v1/labels`, `manage.py export_labels`) and
reviewers' claim labels as NLI training pairs (`manage.py export_claim_labels`).

## Draft-level label rows

One row per labelled draft (reviewqueue/calibration/labels.py says which and how), written by
`label_row` and nothing else, as JSONL or CSV. A row is a superset of the shared data format
(`id`, `dataset`, `question`, `passages`, `response`, `label` with 1 = bad, `spans`) and of the
scoring CLI's prediction rows (`raw_score`, `features`, `model`, `fusion`), so the same file feeds:

- `python -m scoring calibrate labels.jsonl --out cal.json --weighted` (raw_score, label, weight),
- `python -m scoring fit-fusion labels.jsonl --out fusion.json` (features = the signals, label),
- `python -m scoring evaluate labels.jsonl` and `python -m scoring.train --dev-file labels.jsonl`
  (question, passages, response, label; drafts whose content was purged have empty text),
- the calibration fit in Django, which reads the same labels through `weighted_labels`.

`label` follows the shared format (1 = bad, hallucinated); `verdict` says it in words. CSV has
the same columns in the same order; a cell that is not a string (numbers, lists, objects,
booleans) holds its JSON, and an empty cell is null.

## Claim-level training pairs

Reviewers' claim labels as NLI training pairs for `python -m scoring.train --extra-jsonl`.

One record per labelled claim: the evidence the verifier matched it with (its best sentence in
its best passage, widened by neighbouring sentences up to EVIDENCE_CHARS, because a claim is
often supported by more than one sentence), the claim text as the reviewer saw it, and the
reviewers' label. When reviewers disagree on a claim the majority label is exported; a tie is
left out, since a training pair with a coin-flip label only adds noise.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from reviewqueue.calibration.labels import DraftLabel, draft_labels
from reviewqueue.calibration.models import ClaimLabel
from reviewqueue.intake.scores import stored_score
from reviewqueue.review.models import Draft, Queue
from reviewqueue.tenancy.models import Tenant
from reviewqueue.tenancy.selectors import reviewer_ref
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


# --- draft-level label rows -----------------------------------------------------------------

LABEL_FORMATS = {"jsonl": "application/x-ndjson", "csv": "text/csv"}

LABEL_FIELDS = (
    "id",
    "dataset",
    "draft_id",
    "queue",
    "prompt_version",
    "prompt_hash",
    "generator_model",
    "intent",
    "decision",
    "reason_codes",
    "confidence",
    "raw_score",
    "features",
    "versions",
    "model",
    "fusion",
    "verdict",
    "label",
    "label_source",
    "disposition",
    "reason_code",
    "edit",
    "feedback",
    "reviewer",
    "weight",
    "sampling_probability",
    "created_at",
    "routed_at",
    "decided_at",
    "labelled_at",
    "question",
    "passages",
    "response",
    "spans",
)


def _ts(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def label_row(draft: Draft, label: DraftLabel, *, tenant: Tenant, queue: str) -> dict[str, Any]:
    """The one export row of a labelled draft (module docstring), keys in LABEL_FIELDS order."""
    score = stored_score(draft.score)
    versions = dict(score.versions) if score is not None and score.versions else dict(draft.versions or {})
    return {
        "id": f"reviewqueue:{tenant.slug}:{draft.pk}",
        "dataset": f"reviewqueue:{tenant.slug}",
        "draft_id": draft.pk,
        "queue": queue,
        "prompt_version": draft.prompt_version,
        "prompt_hash": draft.prompt_hash,
        "generator_model": draft.generator_model,
        "intent": draft.intent,
        "decision": draft.decision or None,
        "reason_codes": list(draft.decision_reasons or []),
        "confidence": draft.confidence,
        "raw_score": score.raw_score if score is not None else None,
        "features": dict(score.features) if score is not None else {},
        "versions": dict(draft.versions or {}),
        "model": versions.get("model"),
        "fusion": versions.get("fusion"),
        "verdict": "good" if label.good else "bad",
        "label": 0 if label.good else 1,
        "label_source": label.source,
        "disposition": label.disposition or None,
        "reason_code": label.reason_code or None,
        "edit": label.edit or None,
        "feedback": list(label.feedback),
        "reviewer": reviewer_ref(label.reviewer, tenant=tenant) if label.reviewer is not None else None,
        "weight": label.weight,
        "sampling_probability": label.sampling_probability,
        "created_at": _ts(draft.created_at),
        "routed_at": _ts(draft.routed_at),
        "decided_at": _ts(draft.decided_at),
        "labelled_at": _ts(label.labelled_at),
        "question": draft.question,
        "passages": draft.passages,
        "response": draft.text,
        "spans": [],
    }


def label_rows(tenant: Tenant, drafts: Iterable[tuple[Draft, DraftLabel]]) -> Iterator[dict[str, Any]]:
    """`label_row` for each (draft, label) of the tenant, with its routing queue's name."""
    names = dict(Queue.objects.filter(tenant=tenant).values_list("pk", "name"))
    default = Queue.objects.filter(tenant=tenant, is_default=True).values_list("name", flat=True).first() or ""
    for draft, label in drafts:
        queue = names.get(draft.requested_queue_id, "") if draft.requested_queue_id is not None else default
        yield label_row(draft, label, tenant=tenant, queue=queue)


def label_file_rows(tenant: Tenant, drafts: Any, *, after: int | None = None) -> Iterator[dict[str, Any]]:
    """Every label row of `drafts` (a `labelled_drafts` query) with an id after `after`."""
    return label_rows(tenant, draft_labels(drafts, after=after))


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def label_lines(rows: Iterable[dict[str, Any]], *, fmt: str) -> Iterator[str]:
    """The file, line by line (a CSV header first): what the API streams and the command writes."""
    if fmt == "jsonl":
        for row in rows:
            yield json.dumps(row, ensure_ascii=False) + "\n"
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def flush(values: Iterable[str]) -> str:
        writer.writerow(values)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield flush(LABEL_FIELDS)
    for row in rows:
        yield flush(_csv_cell(row[name]) for name in LABEL_FIELDS)
