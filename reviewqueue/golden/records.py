"""Reading golden-set JSONL in the shared data format (`/work/shared/data/README.md`, the file
`python -m scoring evaluate` reads): one object per line with `id`, `question`, `passages`
(`[{id, text}]`), `response`, `label` (1 = hallucinated) and optionally `dataset`, `task`,
`spans`, `meta`. `meta` is never stored: it carries the gold label in other forms.

Every line is checked before anything is written, and every bad line is reported with its
number, so an import is all or nothing and a lead can fix the file in one go.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from scoring.evaluate import record_to_draft
from scoring.inputs import DraftInput

MAX_ERRORS = 20  # reported at most; a file that is wrong throughout needs no more to be fixed


@dataclass(frozen=True)
class GoldenLine:
    external_id: str
    dataset: str
    task: str
    question: str
    passages: list[dict[str, str]]
    response: str
    label: int
    spans: list[Any]

    def draft_input(self) -> DraftInput:
        """What the scorer reads, built the way `python -m scoring evaluate` builds it."""
        return record_to_draft({"question": self.question, "passages": self.passages, "response": self.response})


class GoldenFileError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _text(rec: dict[str, Any], key: str, *, required: bool = False, limit: int | None = None) -> str:
    value = rec.get(key, "")
    if not isinstance(value, str):
        raise ValueError(f"`{key}` must be a string")
    if required and not value.strip():
        raise ValueError(f"`{key}` is required")
    if limit is not None and len(value) > limit:
        raise ValueError(f"`{key}` is longer than {limit} characters")
    return value


def parse_line(raw: str) -> GoldenLine:
    try:
        rec = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(rec, dict):
        raise ValueError("not a JSON object")
    label = rec.get("label")
    if isinstance(label, bool) or label not in (0, 1):
        raise ValueError("`label` must be 0 (supported) or 1 (hallucinated)")
    passages = rec.get("passages", [])
    if not isinstance(passages, list) or not all(
        isinstance(p, dict) and isinstance(p.get("text"), str) for p in passages
    ):
        raise ValueError("`passages` must be a list of objects with a `text` string")
    spans = rec.get("spans", [])
    if not isinstance(spans, list):
        raise ValueError("`spans` must be a list")
    return GoldenLine(
        external_id=_text(rec, "id", required=True, limit=200),
        dataset=_text(rec, "dataset", limit=100),
        task=_text(rec, "task", limit=50),
        question=_text(rec, "question"),
        passages=[{"id": str(p.get("id", i)), "text": p["text"]} for i, p in enumerate(passages)],
        response=_text(rec, "response", required=True),
        label=int(label),
        spans=spans,
    )


def parse_jsonl(lines: Iterable[str | bytes], *, max_records: int) -> list[GoldenLine]:
    """Every record of the file, or GoldenFileError naming each bad line (blank lines are
    skipped, as the scoring reader skips them)."""
    records: list[GoldenLine] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError:
                errors.append(f"line {number}: not UTF-8")
                continue
        if not raw.strip():
            continue
        try:
            line = parse_line(raw)
        except ValueError as exc:
            errors.append(f"line {number}: {exc}")
        else:
            if line.external_id in seen:
                errors.append(f"line {number}: id {line.external_id!r} is also on line {seen[line.external_id]}")
            seen.setdefault(line.external_id, number)
            records.append(line)
        if len(errors) >= MAX_ERRORS:
            errors.append("(stopped after the first errors)")
            break
    if not errors and not records:
        errors.append("the file has no records")
    if not errors and len(records) > max_records:
        errors.append(f"the file has {len(records)} records; at most {max_records} are imported at once")
    if errors:
        raise GoldenFileError(errors)
    return records
