"""Data minimisation: a decided draft's content is purged once its tenant's retention period has
passed (seed 004: storing full prompts may conflict with data-minimisation requirements).

Purged: the draft's question, text, passages and log-probs, the text sent to the user (the
draft's and its review items' final_text), the text the score quotes (claim sentences,
guardrail matches) and the text the LLM judge's verdicts quote (claim, evidence quote and
explanation; the verdicts themselves stay). Kept: the request fingerprint and prompt hash, scores, confidence, decision,
outcome, metadata, labels and the events, so every decision can still be explained. Each purge
writes a `draft.content.purged` event in the same transaction.

Packages that keep their own copies of a draft's text (the LLM judge's verdicts) purge them on
`draft_content_purged`, sent inside the purge's transaction: the purge must not know every
package that quotes a draft, and `review` is below them.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.dispatch import Signal

from reviewqueue.audit.events import EventType, event_record
from reviewqueue.review.models import OPEN_STATES, Draft, DraftStatus, ReviewItem
from reviewqueue.sweeping import SweepResult, log_sweep, move_each
from reviewqueue.tenancy.models import Tenant

# Sent with `draft_id`, in the purge's transaction: a receiver that raises undoes the purge.
draft_content_purged = Signal()

PURGED_FIELDS = (
    "question",
    "text",
    "passages",
    "logprobs",
    "final_text",
    "score.text",
    "review_items.final_text",
    "judge_verdicts.text",
)


def scrub_quoted_text(value: Any) -> Any:
    """The score without the text it quotes: every "text" key, at any depth, is dropped."""
    if isinstance(value, dict):
        return {key: scrub_quoted_text(item) for key, item in value.items() if key != "text"}
    if isinstance(value, list):
        return [scrub_quoted_text(item) for item in value]
    return value


def _under_review() -> Exists:
    """A decided draft can still have an open item: the follow-up its block promised, or its
    blind audit. Its content waits until that item is resolved or expires."""
    return Exists(ReviewItem.objects.filter(draft=OuterRef("pk"), state__in=OPEN_STATES))


def draft_purge_content(*, draft_id: int, now: datetime, retention_days: int) -> bool:
    """Purge one decided draft's content if it was decided at least `retention_days` ago.
    False if it is not (any more) due: not decided, already purged, decided too recently, or
    still being reviewed (a follow-up or an audit item is open: the reviewer needs the text)."""
    cutoff = now - timedelta(days=retention_days)
    with transaction.atomic():
        draft = (
            Draft.objects.select_for_update()
            .filter(pk=draft_id, status=DraftStatus.DECIDED, content_purged_at__isnull=True, decided_at__lte=cutoff)
            .exclude(_under_review())
            .first()
        )
        if draft is None:
            return False
        draft.question = ""
        draft.text = ""
        draft.passages = []
        draft.logprobs = None
        draft.final_text = ""
        draft.score = scrub_quoted_text(draft.score)
        draft.content_purged_at = now
        draft.save(
            update_fields=["question", "text", "passages", "logprobs", "final_text", "score", "content_purged_at"]
        )
        ReviewItem.objects.filter(draft_id=draft_id).exclude(final_text="").update(final_text="")
        draft_content_purged.send(sender=Draft, draft_id=draft_id)
        event_record(
            draft=draft,
            type=EventType.DRAFT_CONTENT_PURGED,
            now=now,
            data={
                "retention_days": retention_days,
                "decided_at": draft.decided_at.isoformat() if draft.decided_at else None,
                "purged": PURGED_FIELDS,
            },
        )
    return True


def _purge(draft_id: int, *, now: datetime, retention_days: int) -> bool:
    return draft_purge_content(draft_id=draft_id, now=now, retention_days=retention_days)


def retention_sweep(*, now: datetime, batch: int | None = None) -> SweepResult:
    """Purge the content of decided drafts past their tenant's retention, oldest first, bounded."""
    limit = batch or settings.REVIEWQUEUE_SWEEP_BATCH
    examined = moved = 0
    for tenant in Tenant.objects.order_by("pk"):
        days = tenant.effective_retention_days()
        if days <= 0 or examined >= limit:
            continue
        # Index: draft_decided_unpurged (partial on decided, not yet purged).
        ids = list(
            Draft.objects.filter(
                tenant=tenant,
                status=DraftStatus.DECIDED,
                content_purged_at__isnull=True,
                decided_at__lte=now - timedelta(days=days),
            )
            .exclude(_under_review())
            .order_by("decided_at")
            .values_list("pk", flat=True)[: limit - examined]
        )
        examined += len(ids)
        purged = move_each(ids, functools.partial(_purge, now=now, retention_days=days))
        moved += purged
        log_sweep("draft.sweep.retention", ids, purged)
    return SweepResult(examined, moved)
