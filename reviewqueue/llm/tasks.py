"""Celery tasks of the LLM app. Each only calls services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from reviewqueue.llm import judge, services
from reviewqueue.llm.errors import LlmError
from reviewqueue.llm.models import JudgeRun, JudgeRunStatus
from reviewqueue.review.models import Draft

logger = logging.getLogger(__name__)


@shared_task(name="reviewqueue.llm.tasks.judge_draft", acks_late=True)
def judge_draft(draft_id: int, reason: str) -> str:
    """Judge the draft's claims once; a re-delivered task finds the run stored and does nothing."""
    draft = Draft.objects.filter(pk=draft_id).first()
    if draft is None or JudgeRun.objects.filter(draft_id=draft_id).exists():
        return "skipped"
    try:
        rows = judge.judge_draft(draft)
    except LlmError as exc:
        logger.info("judge skipped", extra={"action": "llm.judge.skipped", "draft_id": draft_id, "reason": exc.reason})
        services.judge_run_record(
            draft_id=draft_id, status=JudgeRunStatus.SKIPPED, reason=exc.reason, verdicts=[], now=timezone.now()
        )
        return f"skipped: {exc.reason}"
    services.judge_run_record(
        draft_id=draft_id, status=JudgeRunStatus.DONE, reason=reason, verdicts=rows, now=timezone.now()
    )
    return f"judged {len(rows)} claims"
