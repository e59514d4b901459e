"""The one JSON parser of the API: standard JSON only, finite numbers, bounded nesting.

Python's `json` accepts `NaN`, `Infinity` and `-Infinity` and turns `1e400` into `inf`; none of
them can be stored (PostgreSQL's jsonb and numeric columns refuse them), so before this parser
they surfaced as a 500 at write time. A body nested ~1,000 levels deep makes the decoder raise
`RecursionError`. Both are refused here, as a 400 naming the field, for every JSON endpoint.
"""

from __future__ import annotations

import json
import math
from typing import IO, Any

from django.conf import settings
from rest_framework import exceptions
from rest_framework.parsers import JSONParser

from reviewqueue.errors import InvalidInput

# Deeper than any body the API defines (logprobs.top_logprobs[i][j].bytes is 5 levels).
MAX_DEPTH = 32


class _NonFinite:
    """Stands in for a non-finite number until the walk below can name where it was."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _parse_float(text: str) -> float | _NonFinite:
    value = float(text)
    return value if math.isfinite(value) else _NonFinite(text)


# A trail is (parent trail, key): the dotted path is built only for the error, never per value.
_Trail = tuple[Any, str | int] | None


def _path(trail: _Trail) -> str:
    keys: list[str | int] = []
    while trail is not None:
        trail, key = trail
        keys.append(key)
    path = ""
    for key in reversed(keys):
        path = f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else key)
    return path or "body"


def _non_finite(trail: _Trail, value: _NonFinite) -> InvalidInput:
    return InvalidInput(
        "The request body is invalid.",
        details={"fields": {_path(trail): [f"must be a finite number (got {value.text[:40]})"]}},
    )


def check_parsed(data: Any, *, max_depth: int = MAX_DEPTH) -> None:
    """Raises InvalidInput naming the first non-finite number or the first too-deep value.

    Iterative, so a deep value cannot exhaust the stack here either. Only containers go on the
    stack and paths are built only for the error: the walk costs about a third of the decode.
    """
    if type(data) is _NonFinite:
        raise _non_finite(None, data)
    if type(data) is not dict and type(data) is not list:
        return
    stack: list[tuple[Any, int, _Trail]] = [(data, 1, None)]
    while stack:
        value, depth, trail = stack.pop()
        if depth > max_depth:
            raise InvalidInput(
                f"The request body is nested deeper than {max_depth} levels.",
                details={"fields": {_path(trail): [f"nested deeper than {max_depth} levels"]}},
            )
        for key, child in value.items() if type(value) is dict else enumerate(value):
            kind = type(child)
            if kind is dict or kind is list:
                stack.append((child, depth + 1, (trail, key)))
            elif kind is _NonFinite:
                raise _non_finite((trail, key), child)


class StrictJSONParser(JSONParser):
    def parse(self, stream: IO[Any], media_type: str | None = None, parser_context: Any = None) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding) if stream is not None else ""
            data = json.loads(text, parse_constant=_NonFinite, parse_float=_parse_float)
        except RecursionError:
            raise exceptions.ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels.") from None
        except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, int too long
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
        check_parsed(data)
        return data
