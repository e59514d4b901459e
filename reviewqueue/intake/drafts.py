"""One shape for a draft: the request body → `DraftInput` + the `Draft` columns, and back.

The body is parsed once, by the scoring library's own parser (`DraftInput.from_request`), and
the intake limits below are checked on what it parsed. The parser does not look at characters:
the one further walk over the raw body computes its idempotency fingerprint and, on the way,
refuses what cannot be stored (NUL, lone surrogates). The API's `EnqueueInput` serializer runs
exactly this and shows the same limits in the OpenAPI schema. The worker turns the stored row back
into a `DraftInput` with `draft_input`, without a second parse of a rebuilt body, so it never
meets a draft it cannot read.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django.db.models import DecimalField

from reviewqueue.errors import InvalidInput, NotFound
from reviewqueue.review.models import Draft, Queue
from reviewqueue.tenancy.models import ServiceClient
from scoring.errors import InvalidInput as ScoringInvalidInput
from scoring.inputs import DraftInput, Passage, validate_logprobs

MAX_DRAFT_CHARS = 50_000
MAX_QUESTION_CHARS = 20_000
MAX_PASSAGES = 50
MAX_PASSAGE_CHARS = 100_000
MAX_KEY_CHARS = 200
# Metadata strings stored in their own columns: the column's length is the limit.
METADATA_STRINGS = {
    "generator_model": 200,
    "prompt_version": 200,
    "prompt_hash": 128,
    "intent": 100,
    "customer_tier": 50,
}
# Metadata keys `DraftInput` reads into its own fields; the rest travels in `DraftInput.extra`.
_INPUT_META = ("intent", "prompt_version", "customer_tier", "amount")
BODY_FIELDS = frozenset({"question", "draft", "passages", "logprobs", "metadata", "queue"})


# NUL cannot be stored in PostgreSQL text or jsonb, and a lone surrogate (valid in JSON as
# "\ud800") cannot be encoded as UTF-8 at all: either would surface as a 500 at write time.
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def _nfc(text: str, path: str, what: str) -> str:
    if _UNSTORABLE.search(text):
        raise _invalid(path or "body", f"contains {what} NUL or unpaired surrogate character")
    return unicodedata.normalize("NFC", text)


def _canonical(value: Any, path: str = "") -> Any:
    """The body as the same request whoever serialised it: strings (keys too) in Unicode NFC, so
    "é" typed as one code point or as e + combining accent is one value; a number that is whole
    as an int (`0`, `0.0`, `-0.0` and `0e0` are one value; JSON has one number type); and the
    object key order left to `sort_keys`. The same walk refuses what cannot be stored (NUL, a
    lone surrogate), naming the field: one pass over the body for both."""
    if isinstance(value, str):
        return _nfc(value, path, "a")
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            name = str(key)
            out[_nfc(name, path, "a key with a")] = _canonical(item, f"{path}.{name}" if path else name)
        return out
    if isinstance(value, list | tuple):
        return [_canonical(item, f"{path}[{i}]") for i, item in enumerate(value)]
    return value


def fingerprint(body: Any) -> str:
    """The same request, written differently, has one fingerprint: key order, whitespace, `0` vs
    `0.0` and Unicode normalisation (NFC) do not change it; any other value does. Raises
    InvalidInput naming the field where the body holds a character that cannot be stored."""
    canonical = json.dumps(_canonical(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput("The request body is invalid.", details={"fields": {field: [message]}})


def check_idempotency_key(key: str | None) -> str:
    if not key or not key.strip():
        raise InvalidInput("The Idempotency-Key header is required.", details={"field": "Idempotency-Key"})
    if len(key) > MAX_KEY_CHARS or not key.isprintable():
        raise InvalidInput(
            f"Idempotency-Key must be at most {MAX_KEY_CHARS} printable characters.",
            details={"field": "Idempotency-Key"},
        )
    return key.strip()


def _amount_bound() -> tuple[Decimal, Decimal]:
    """The column's own range: numeric(max_digits, decimal_places), so validation and storage agree."""
    column = Draft._meta.get_field("amount")
    assert isinstance(column, DecimalField) and column.max_digits and column.decimal_places is not None
    step = Decimal(1).scaleb(-column.decimal_places)
    return step, Decimal(10) ** (column.max_digits - column.decimal_places) - step


def _amount(value: float) -> Decimal:
    # Rounded to the column's scale first: 999999999999.999 passes a float check but rounds up
    # to 10^12, which numeric(14,2) cannot hold.
    step, largest = _amount_bound()
    try:
        amount = Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_EVEN)
    except InvalidOperation:  # more digits than the decimal context holds (1e308): far out of range
        raise _invalid("metadata.amount", f"must be between 0 and {largest}") from None
    if not 0 <= amount <= largest:
        raise _invalid("metadata.amount", f"must be between 0 and {largest}")
    return amount


def parse_enqueue(body: Any, *, client: ServiceClient) -> dict[str, Any]:
    """Returns the Draft fields to store, the body's `fingerprint` among them; raises
    InvalidInput/NotFound with the field named."""
    try:
        parsed = DraftInput.from_request(body)
    except ScoringInvalidInput as exc:
        raise _invalid(exc.field or "body", exc.message) from None
    assert isinstance(body, dict)
    body_fingerprint = fingerprint(body)  # refuses NUL and lone surrogates first
    unknown = set(body) - BODY_FIELDS
    if unknown:
        raise _invalid(sorted(unknown)[0], "is not a known field")
    if not parsed.draft.strip():
        raise _invalid("draft", "must not be blank")
    if len(parsed.draft) > MAX_DRAFT_CHARS:
        raise _invalid("draft", f"must be at most {MAX_DRAFT_CHARS} characters")
    if len(parsed.question) > MAX_QUESTION_CHARS:
        raise _invalid("question", f"must be at most {MAX_QUESTION_CHARS} characters")
    if len(parsed.passages) > MAX_PASSAGES:
        raise _invalid("passages", f"at most {MAX_PASSAGES} passages")
    for i, passage in enumerate(parsed.passages):
        if len(passage.text) > MAX_PASSAGE_CHARS:
            raise _invalid(f"passages[{i}].text", f"must be at most {MAX_PASSAGE_CHARS} characters")
    metadata: dict[str, Any] = body.get("metadata") or {}
    for name, limit in METADATA_STRINGS.items():
        value = metadata.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            raise _invalid(f"metadata.{name}", f"must be a string of at most {limit} characters")
    amount = None if parsed.amount is None else _amount(parsed.amount)
    queue_name = body.get("queue")
    queue = None
    if queue_name is not None:
        if not isinstance(queue_name, str):
            raise _invalid("queue", "must be a string")
        queue = Queue.objects.filter(tenant_id=client.tenant_id, name=queue_name).first()
        if queue is None:
            raise NotFound(f"Queue {queue_name!r} does not exist.", details={"field": "queue"})
    # Without a queue the tenant's default must exist: services.draft_enqueue checks that as it writes.
    return {
        "fingerprint": body_fingerprint,
        "question": parsed.question,
        "text": parsed.draft,
        "passages": [p.to_dict() for p in parsed.passages],
        "logprobs": body.get("logprobs"),
        "metadata": metadata,
        "generator_model": metadata.get("generator_model") or "",
        "prompt_version": parsed.prompt_version,
        "prompt_hash": metadata.get("prompt_hash") or "",
        "intent": parsed.intent,
        "amount": amount,
        "customer_tier": parsed.customer_tier,
        "requested_queue": queue,
    }


def draft_input(draft: Draft) -> DraftInput:
    """The scorer's input from the stored draft: the inverse of `parse_enqueue`. The stored
    columns were checked at enqueue, so only the log-probs (kept as the provider sent them) are
    parsed again; a draft written some other way that fails here fails its scoring, not the queue.
    """
    metadata = draft.metadata if isinstance(draft.metadata, dict) else {}
    return DraftInput(
        question=draft.question,
        draft=draft.text,
        passages=tuple(Passage(id=str(p["id"]), text=str(p["text"])) for p in draft.passages),
        logprobs=None if draft.logprobs is None else validate_logprobs(draft.logprobs),
        intent=draft.intent,
        prompt_version=draft.prompt_version,
        amount=None if draft.amount is None else float(draft.amount),
        customer_tier=draft.customer_tier,
        extra=tuple(sorted((k, v) for k, v in metadata.items() if k not in _INPUT_META)),
    )
