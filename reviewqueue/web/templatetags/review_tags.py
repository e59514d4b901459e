"""Small display filters for the reviewer pages. None of them marks anything safe."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template

register = template.Library()


@register.filter
def duration_short(value: Any) -> str:
    """A timedelta as `45 s`, `12 min`, `3 h 05 min`, `2 d 4 h`; negative as `-12 min`."""
    if not isinstance(value, timedelta):
        return ""
    seconds = int(value.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds < 60:
        return f"{sign}{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{sign}{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{sign}{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{sign}{days} d {hours} h"


@register.filter
def percent(value: Any, digits: int = 0) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "—"
    return f"{value * 100:.{int(digits)}f}%"


@register.filter
def pct_width(value: Any) -> int:
    """0..1 → 0..100 for a bar width; anything else → 0."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return max(0, min(100, round(value * 100)))


@register.filter
def number(value: Any, digits: int = 2) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "—"
    return f"{value:.{int(digits)}f}"


@register.filter
def humanize_code(value: Any) -> str:
    return str(value).replace("_", " ").replace(".", " · ")


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key, "") if isinstance(mapping, dict) else ""
