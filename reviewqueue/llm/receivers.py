"""This app's answers to other packages' signals."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from reviewqueue.llm import hooks
from reviewqueue.llm.models import JudgeVerdict
from reviewqueue.review.retention import draft_content_purged
from reviewqueue.review.signals import draft_audit_sampled


@receiver(draft_content_purged)
def purge_verdict_quotes(*, draft_id: int, **kwargs: Any) -> None:
    """The judge's verdicts quote the draft (claim, evidence, explanation): purged with it; the
    verdicts themselves stay."""
    JudgeVerdict.objects.filter(draft_id=draft_id).update(claim_text="", quote="", explanation="")


@receiver(draft_audit_sampled)
def judge_the_audit_sample(*, draft_id: int, **kwargs: Any) -> None:
    """A sent draft drawn into the blind audit sample is judged too, so the judge-vs-reviewer
    agreement is measured on the same unbiased sample."""
    hooks.judge_audit_sampled(draft_id=draft_id)
