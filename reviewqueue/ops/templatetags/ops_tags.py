from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template

from reviewqueue.web.templatetags.review_tags import duration_short

register = template.Library()


@register.filter
def percent(value: Any) -> str:
    """0.875 → `87.5 %`."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.1f} %"


@register.filter
def seconds_short(value: Any) -> str:
    """Seconds as a short duration (`45 s`, `12 min`); `—` for no data."""
    if value is None:
        return "—"
    return duration_short(timedelta(seconds=float(value)))


@register.filter
def share_of(load: Any, disposition: str) -> float | None:
    share: float | None = load.share(disposition)
    return share


@register.filter
def count_of(load: Any, disposition: str) -> int:
    count: int = load.dispositions[disposition]
    return count


@register.filter
def mix_share(row: Any, decision: str) -> float | None:
    share: float | None = row.mix_share(decision)
    return share


@register.filter
def mix_count(row: Any, decision: str) -> int:
    count: int = row.mix[decision]
    return count


@register.filter
def dict_get(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, "")


@register.filter
def sum_counts(values: list[int]) -> int:
    return sum(values)


@register.filter
def percent_number(value: Any) -> str:
    """0.125 → `12.5` (a form field's value in percent)."""
    return f"{round(float(value) * 100, 3):g}"
