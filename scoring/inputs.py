"""Inputs to the scorer: the draft, its evidence passages and optional token log-probs.

`DraftInput.from_request` parses the REST request body; `validate_logprobs` is what the API
calls at enqueue time so a malformed log-prob payload is a 400 there and never a crash in the
worker.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass, field
from typing import Any

from scoring.errors import InvalidInput

# Extra metadata keys are stored as given, so they are bounded: JSON scalars or small nested
# values, finite numbers, integers in 64-bit range (what any consumer can read back).
MAX_EXTRA_DEPTH = 4
MAX_EXTRA_KEYS = 50
MAX_EXTRA_CHARS = 16_384
_INT_LIMIT = 2**63
_FLOAT_MAX = sys.float_info.max  # NaN fails both comparisons, inf the bound

# A log-prob a hair above zero is float noise from the provider (log(1.0000001)); anything
# larger is a payload bug (probabilities, not log-probs) and is refused.
_POSITIVE_TOLERANCE = 1e-4


@dataclass(frozen=True)
class Passage:
    id: str
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "text": self.text}


@dataclass(frozen=True)
class TokenLogprobs:
    tokens: tuple[str, ...]
    logprobs: tuple[float, ...]
    # One entry per token: the alternatives as (token, logprob) pairs, or None where the
    # provider gave none for that position.
    top_logprobs: tuple[tuple[tuple[str, float], ...] | None, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        top = None
        if self.top_logprobs is not None:
            top = [
                None if alts is None else [{"token": t, "logprob": lp} for t, lp in alts] for alts in self.top_logprobs
            ]
        return {"tokens": list(self.tokens), "logprobs": list(self.logprobs), "top_logprobs": top}


@dataclass(frozen=True)
class DraftInput:
    question: str
    draft: str
    passages: tuple[Passage, ...]
    logprobs: TokenLogprobs | None = None
    intent: str = ""
    prompt_version: str = ""
    amount: float | None = None
    customer_tier: str = ""
    extra: tuple[tuple[str, Any], ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """The request shape (round-trips through `from_request`)."""
        metadata: dict[str, Any] = dict(self.extra)
        metadata.update(
            {
                "intent": self.intent,
                "prompt_version": self.prompt_version,
                "amount": self.amount,
                "customer_tier": self.customer_tier,
            }
        )
        return {
            "question": self.question,
            "draft": self.draft,
            "passages": [p.to_dict() for p in self.passages],
            "logprobs": None if self.logprobs is None else self.logprobs.to_dict(),
            "metadata": metadata,
        }

    @classmethod
    def from_request(cls, payload: Any) -> DraftInput:
        if not isinstance(payload, dict):
            raise InvalidInput("", "request body must be a JSON object")
        question = _str_field(payload, "question", required=False)
        draft = _str_field(payload, "draft", required=True)
        passages = _parse_passages(payload.get("passages", []))
        raw_lp = payload.get("logprobs")
        logprobs = None if raw_lp is None else validate_logprobs(raw_lp)
        metadata = payload.get("metadata")
        if metadata is None:
            metadata = {}
        if not isinstance(metadata, dict):
            raise InvalidInput("metadata", "must be an object")
        check_json_value(metadata, "metadata", max_depth=MAX_EXTRA_DEPTH + 1)
        intent = _meta_str(metadata, "intent")
        prompt_version = _meta_str(metadata, "prompt_version")
        tier = _meta_str(metadata, "customer_tier")
        amount = metadata.get("amount")
        if amount is not None:
            if isinstance(amount, bool) or not isinstance(amount, (int, float)):
                raise InvalidInput("metadata.amount", "must be a number or null")
            amount = _finite(amount, "metadata.amount")
        known = {"intent", "prompt_version", "customer_tier", "amount"}
        extra = tuple(sorted((k, v) for k, v in metadata.items() if k not in known))
        if len(extra) > MAX_EXTRA_KEYS:
            raise InvalidInput("metadata", f"at most {MAX_EXTRA_KEYS} extra keys")
        for key, value in extra:
            if len(json.dumps(value, ensure_ascii=False)) > MAX_EXTRA_CHARS:
                raise InvalidInput(f"metadata.{key}", f"must be at most {MAX_EXTRA_CHARS} characters as JSON")
        return cls(
            question=question,
            draft=draft,
            passages=passages,
            logprobs=logprobs,
            intent=intent,
            prompt_version=prompt_version,
            amount=amount,
            customer_tier=tier,
            extra=extra,
        )


def _str_field(payload: dict[str, Any], name: str, *, required: bool) -> str:
    value = payload.get(name)
    if value is None:
        if required:
            raise InvalidInput(name, "is required")
        return ""
    if not isinstance(value, str):
        raise InvalidInput(name, "must be a string")
    return value


def _meta_str(metadata: dict[str, Any], name: str) -> str:
    value = metadata.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"metadata.{name}", "must be a string")
    return value


def _parse_passages(raw: Any) -> tuple[Passage, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InvalidInput("passages", "must be a list")
    out: list[Passage] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        where = f"passages[{i}]"
        if not isinstance(item, dict):
            raise InvalidInput(where, "must be an object with id and text")
        pid = item.get("id", str(i))
        if isinstance(pid, int) and not isinstance(pid, bool):
            pid = str(pid)
        if not isinstance(pid, str):
            raise InvalidInput(f"{where}.id", "must be a string")
        text = item.get("text")
        if not isinstance(text, str):
            raise InvalidInput(f"{where}.text", "must be a string")
        if pid in seen:
            raise InvalidInput(f"{where}.id", f"duplicate passage id {pid!r}")
        seen.add(pid)
        out.append(Passage(id=pid, text=text))
    return tuple(out)


def _finite(value: int | float, where: str) -> float:
    """The number as a float; an int too large for one (10**400 is valid JSON) is refused too."""
    try:
        number = float(value)
    except OverflowError:
        raise InvalidInput(where, "must be finite (got a number out of range)") from None
    if not math.isfinite(number):
        raise InvalidInput(where, "must be finite (got NaN or infinity)")
    return number


def _child(path: str, key: str | int) -> str:
    return f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}"


def check_json_value(value: Any, where: str, *, max_depth: int) -> None:
    """Refuses anything a JSON column cannot store or a reader would choke on: non-JSON types,
    non-finite numbers, integers outside 64 bits, non-string keys, nesting deeper than
    `max_depth` (the value itself is depth 1). Raises `InvalidInput` naming the field.

    Iterative, so no input can exhaust the stack; callers that bypass the API's parser (the
    CLI, the worker re-reading a stored draft) get the same checks.
    """
    _check_scalar_or_container(value, where)
    if not isinstance(value, (dict, list, tuple)):
        return
    # Only containers go on the stack; scalars are checked where they are met (the common case).
    stack: list[tuple[Any, str, int]] = [(value, where, 1)]
    while stack:
        item, path, depth = stack.pop()
        if depth > max_depth:
            raise InvalidInput(path, f"nested deeper than {max_depth} levels")
        if isinstance(item, dict):
            for key in item:
                if type(key) is not str:
                    raise InvalidInput(path, "object keys must be strings")
            pairs: Any = item.items()
        else:
            pairs = enumerate(item)
        for key, child in pairs:
            kind = type(child)
            if kind is str or kind is bool or child is None:
                continue
            if kind is float and -_FLOAT_MAX <= child <= _FLOAT_MAX:
                continue
            if kind is dict or kind is list or kind is tuple:
                stack.append((child, _child(path, key), depth + 1))
            else:
                _check_scalar_or_container(child, _child(path, key))


def _check_scalar_or_container(item: Any, path: str) -> None:
    if item is None or isinstance(item, (str, bool, dict, list, tuple)):
        return
    if isinstance(item, int):
        if not -_INT_LIMIT <= item < _INT_LIMIT:
            raise InvalidInput(path, "integer out of range (64-bit)")
    elif isinstance(item, float):
        _finite(item, path)
    else:
        raise InvalidInput(path, f"must be a JSON value, not {type(item).__name__}")


_LOGPROBS_KEYS = frozenset({"tokens", "logprobs", "top_logprobs"})
_ALT_KEYS = frozenset({"token", "logprob"})


def _check_extras(obj: dict[str, Any], known: frozenset[str], where: str) -> None:
    for key in obj.keys() - known:
        check_json_value(obj[key], _child(where, key) if isinstance(key, str) else where, max_depth=MAX_EXTRA_DEPTH)


def _check_logprob(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInput(where, "must be a number")
    value = _finite(value, where)
    if value > _POSITIVE_TOLERANCE:
        raise InvalidInput(where, "log-probabilities must be <= 0")
    return min(value, 0.0)


def validate_logprobs(obj: Any) -> TokenLogprobs:
    """Parse and check log-probs in the OpenAI shape; raises `InvalidInput` naming the field.

    Accepts the request dict (`tokens`, `logprobs`, optional `top_logprobs` whose entries are
    lists of `{"token", "logprob"}` or null) or an existing `TokenLogprobs` (re-checked).
    """
    if isinstance(obj, TokenLogprobs):
        obj = obj.to_dict()
    if not isinstance(obj, dict):
        raise InvalidInput("logprobs", "must be an object with tokens and logprobs")
    # Provider extras (`bytes`, `text_offset`, …) are stored with the draft: bounded like metadata.
    # Only the extras are walked; the known fields are checked one by one below.
    _check_extras(obj, _LOGPROBS_KEYS, "logprobs")
    tokens = obj.get("tokens")
    values = obj.get("logprobs")
    if not isinstance(tokens, list):
        raise InvalidInput("logprobs.tokens", "must be a list of strings")
    if not isinstance(values, list):
        raise InvalidInput("logprobs.logprobs", "must be a list of numbers")
    for i, tok in enumerate(tokens):
        if not isinstance(tok, str):
            raise InvalidInput(f"logprobs.tokens[{i}]", "must be a string")
    if len(tokens) != len(values):
        raise InvalidInput(
            "logprobs.logprobs",
            f"length {len(values)} does not match {len(tokens)} tokens",
        )
    lps = tuple(_check_logprob(v, f"logprobs.logprobs[{i}]") for i, v in enumerate(values))
    top_raw = obj.get("top_logprobs")
    top: tuple[tuple[tuple[str, float], ...] | None, ...] | None = None
    if top_raw is not None:
        if not isinstance(top_raw, list):
            raise InvalidInput("logprobs.top_logprobs", "must be a list or null")
        if len(top_raw) != len(tokens):
            raise InvalidInput(
                "logprobs.top_logprobs",
                f"length {len(top_raw)} does not match {len(tokens)} tokens",
            )
        entries: list[tuple[tuple[str, float], ...] | None] = []
        for i, alts in enumerate(top_raw):
            where = f"logprobs.top_logprobs[{i}]"
            if alts is None:
                entries.append(None)
                continue
            if isinstance(alts, dict):
                # {"token": logprob} mapping, as some SDKs return it.
                alts = [{"token": k, "logprob": v} for k, v in alts.items()]
            if not isinstance(alts, list):
                raise InvalidInput(where, "must be a list of {token, logprob} or null")
            parsed: list[tuple[str, float]] = []
            for j, alt in enumerate(alts):
                w = f"{where}[{j}]"
                if isinstance(alt, (list, tuple)) and len(alt) == 2:
                    alt = {"token": alt[0], "logprob": alt[1]}
                if not isinstance(alt, dict):
                    raise InvalidInput(w, "must be an object with token and logprob")
                t = alt.get("token")
                if not isinstance(t, str):
                    raise InvalidInput(f"{w}.token", "must be a string")
                parsed.append((t, _check_logprob(alt.get("logprob"), f"{w}.logprob")))
                if len(alt) > 2:
                    _check_extras(alt, _ALT_KEYS, w)
            entries.append(tuple(parsed))
        top = tuple(entries)
    return TokenLogprobs(tokens=tuple(tokens), logprobs=lps, top_logprobs=top)
