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
