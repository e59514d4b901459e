"""What the label export commands share: reading a date argument and writing a file whole."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Protocol

from django.core.management.base import CommandError
from django.utils import timezone


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


def parse_when(value: str, *, flag: str) -> datetime:
    """An ISO date or date-time argument, aware (a naive one is in the current time zone)."""
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{flag} {value!r} is not an ISO date or date-time.") from None
    return when if timezone.is_aware(when) else timezone.make_aware(when, timezone.get_current_timezone())


def write_lines(lines: Iterable[str], *, out: str, stdout: Writer) -> int:
    """Write `lines` to the file `out` ("-": `stdout`); returns how many. A file is written beside
    its target and renamed over it at the end, so a reader never sees half a file."""
    if out == "-":
        return _write(lines, stdout)
    target = Path(out)
    if not target.parent.is_dir():
        raise CommandError(f"No directory {str(target.parent)!r} to write {out!r} in.")
    tmp = target.with_name(target.name + ".partial")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        n = _write(lines, fh)
    tmp.replace(target)
    return n


def _write(lines: Iterable[str], fh: Writer) -> int:
    n = 0
    for line in lines:
        fh.write(line)
        n += 1
    return n
