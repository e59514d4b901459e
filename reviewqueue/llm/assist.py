"""`POST /api/v1/assist`: generate an answer with log-probs, then enqueue it as any draft.

Intake is not re-implemented: the generated answer goes through the same validation
(`intake.drafts.parse_enqueue`) and the same service (`intake.services.draft_enqueue`) as a draft a
service posts itself, so it is scored and routed the same way.
"""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from reviewqueue.errors import InvalidInput
from reviewqueue.intake import drafts as intake
from reviewqueue.intake import services as intake_services
from reviewqueue.llm import calls, client, services
from reviewqueue.llm.client import MAX_RETRY_AFTER_SECONDS, ChatRequest
from reviewqueue.llm.config import LlmSettings
from reviewqueue.llm.errors import AssistInProgress, LlmUnavailable
from reviewqueue.llm.models import AssistRequest, AssistState
from reviewqueue.llm.prompts import ASSIST_PROMPTS, DEFAULT_ASSIST_PROMPT, PromptTemplate, passages_block
from reviewqueue.review.models import UNROUTED, Draft
from reviewqueue.tenancy.models import ServiceClient

ASSIST_FIELDS = frozenset({"question", "passages", "metadata", "queue", "prompt_version"})
POLL_SECONDS = 0.05


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput("The request body is invalid.", details={"fields": {field: [message]}})


def _template(body: dict[str, Any]) -> PromptTemplate:
    version = body.get("prompt_version", DEFAULT_ASSIST_PROMPT)
    if not isinstance(version, str) or version not in ASSIST_PROMPTS:
        raise _invalid("prompt_version", f"must be one of {sorted(ASSIST_PROMPTS)}")
    return ASSIST_PROMPTS[version]


def _enqueue_body(body: dict[str, Any], *, text: str, template: PromptTemplate, model: str) -> dict[str, Any]:
    """The body `POST /drafts` would have received had the service generated the answer."""
    metadata = dict(body.get("metadata") or {}) if isinstance(body.get("metadata"), dict) else body.get("metadata")
    if isinstance(metadata, dict):
        metadata.update(generator_model=model, prompt_version=template.version, prompt_hash=template.hash)
    out: dict[str, Any] = {"question": body.get("question"), "draft": text, "passages": body.get("passages", [])}
    if metadata is not None:
        out["metadata"] = metadata
    if "queue" in body:
        out["queue"] = body["queue"]
    return out


def parse_assist(body: Any, *, client_: ServiceClient) -> PromptTemplate:
    """Validate everything before a token is spent; the answer's own checks come after."""
    if not isinstance(body, dict):
        raise InvalidInput("The request body must be a JSON object.")
    unknown = set(body) - ASSIST_FIELDS
    if unknown:
        raise _invalid(sorted(unknown)[0], "is not a known field")
    question = body.get("question")
    if not isinstance(question, str) or not question.strip():
        raise _invalid("question", "is required")
    template = _template(body)
    intake.parse_enqueue(_enqueue_body(body, text="(answer)", template=template, model="-"), client=client_)
    return template


def stale_after(cfg: LlmSettings) -> timedelta:
    """How long a pending request can be in flight at most: every attempt's timeout, the longest
    Retry-After we honour between them, and a margin. Older, its process is gone."""
    return timedelta(
        seconds=(cfg.max_retries + 1) * cfg.timeout_seconds + cfg.max_retries * MAX_RETRY_AFTER_SECONDS + 60
    )


def draft_key(idempotency_key: str) -> str:
    """The draft's own key: namespaced, so an assist key never collides with a `POST /drafts` key."""
    key = f"assist:{idempotency_key}"
    return key if len(key) <= 200 else "assist:" + hashlib.sha256(idempotency_key.encode()).hexdigest()


def assist_draft(*, client_: ServiceClient, idempotency_key: str, body: Any) -> tuple[Draft, bool]:
    """(draft, created). One LLM call and one draft per (client, key), however many duplicates
    arrive at once; a failed call leaves nothing behind."""
    cfg = client.current()
    template = parse_assist(body, client_=client_)
    fingerprint = intake.fingerprint(body)
    now = timezone.now()
    row, mine = services.assist_request_begin(
        client=client_,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        prompt_version=template.version,
        prompt_hash=template.hash,
        now=now,
        stale_before=now - stale_after(cfg),
    )
    if not mine:
        return _replayed(row, wait_seconds=cfg.assist_wait_seconds), False
    try:
        request = ChatRequest(
            messages=template.messages(question=body["question"], passages=passages_block(body.get("passages") or [])),
            model=cfg.model,
            max_tokens=cfg.max_tokens,
            temperature=0.0,
            logprobs=True,
            top_logprobs=cfg.top_logprobs,
        )
        completion = calls.call(tenant_id=client_.tenant_id, request=request)
        if not completion.text.strip():
            raise LlmUnavailable("The LLM endpoint returned an empty answer.")
        enqueue = _enqueue_body(body, text=completion.text, template=template, model=completion.model or cfg.model)
        logprobs = completion.logprobs_body()
        if logprobs is not None:
            enqueue["logprobs"] = logprobs
        try:
            # The assist request's fingerprint, not the generated draft's: a replay of the key is
            # compared with what the client sent.
            fields = {**intake.parse_enqueue(enqueue, client=client_), "fingerprint": fingerprint}
        except InvalidInput as exc:  # the answer, not the request, is at fault: say so
            raise LlmUnavailable(
                "The LLM endpoint's answer could not be stored as a draft.", details=exc.details
            ) from exc
        with transaction.atomic():
            draft, _ = intake_services.draft_enqueue(
                client=client_,
                idempotency_key=draft_key(idempotency_key),
                fields=fields,
                now=timezone.now(),
            )
            services.assist_request_complete(request_id=row.pk, draft=draft, llm_ms=completion.elapsed_ms)
    except BaseException:
        services.assist_request_abandon(request_id=row.pk)
        raise
    return draft, True


def _replayed(row: AssistRequest, *, wait_seconds: float) -> Draft:
    """A duplicate: the stored draft, waiting a while if the first request is still at the LLM."""
    give_up = time.monotonic() + wait_seconds
    while True:
        if row.state == AssistState.DONE and row.draft_id is not None:
            return Draft.objects.get(pk=row.draft_id)
        if time.monotonic() >= give_up:
            raise AssistInProgress(
                "A request with this Idempotency-Key is still waiting for the LLM; retry shortly.",
                details={"retry_after_seconds": 1},
            )
        time.sleep(POLL_SECONDS)
        fresh = AssistRequest.objects.filter(pk=row.pk).first()
        if fresh is None:
            raise AssistInProgress("The first request with this Idempotency-Key failed; retry it.")
        row = fresh


def wait_for_decision(draft: Draft, *, wait_seconds: float) -> Draft:
    """The draft once routed, or as it stands when the wait is over."""
    give_up = time.monotonic() + wait_seconds
    while True:
        # Read first: a worker (or eager Celery, on commit) may have routed it already.
        draft.refresh_from_db(fields=["status"])
        if draft.status not in UNROUTED or time.monotonic() >= give_up:
            return draft
        time.sleep(POLL_SECONDS)
