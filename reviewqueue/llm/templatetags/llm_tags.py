"""The review page's LLM panel: one inclusion tag, so the item page needs only an include."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from reviewqueue.llm import selectors
from reviewqueue.review.models import Draft, ReviewItem

register = template.Library()


@register.inclusion_tag("llm/_llm_signals_body.html")
def llm_signals(draft: Draft, item: ReviewItem) -> dict[str, Any]:
    if not settings.REVIEWQUEUE_LLM.enabled:
        # No endpoint: no queries, no markup — the page is exactly what it was.
        return {"enabled": False}
    context = selectors.signals_for_page(draft)
    agreement = selectors.judge_agreement(tenant_id=draft.tenant_id, queue_ids=[item.queue_id])
    context.update(enabled=True, agreement=agreement[0] if agreement else None, queue=item.queue)
    return context
