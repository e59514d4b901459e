"""The one JSON parser of the API: standard JSON only, finite numbers, bounded nesting.

Python's `json` accepts `NaN`, `Infinity` and `-Infinity` and turns `1e400` into `inf`; none of
them can be stored (PostgreSQL's jsonb and numeric columns refuse them), so before this parser
they surfaced as a 500 at write time. A body nested ~1,000 levels deep makes the decoder raise
`RecursionError`. Both are refused here, as a 400 naming the field, for every JSON endpoint.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework import exceptions
from rest_framework.parsers import JSONParser

from reviewqueue.review.errors import InvalidInput

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


def _child(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def check_parsed(data: Any, *, max_depth: int = MAX_DEPTH) -> None:
    """Raises InvalidInput naming the first non-finite number or the first too-deep value.

    Iterative, so a deep value cannot exhaust the stack here either.
    """
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, _NonFinite):
            raise InvalidInput(
                "The request body is invalid.",
                details={"fields": {path or "body": [f"must be a finite number (got {value.text[:40]})"]}},
            )
        if isinstance(value, Mapping | list):
            if depth >= max_depth:
                raise InvalidInput(
                    f"The request body is nested deeper than {max_depth} levels.",
                    details={"fields": {path or "body": [f"nested deeper than {max_depth} levels"]}},
                )
            items = value.items() if isinstance(value, Mapping) else enumerate(value)
            stack.extend((item, _child(path, key), depth + 1) for key, item in items)


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
