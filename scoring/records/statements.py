"""Fields as short English statements for the NLI model, and the free-text fields it reads as prose."""

from __future__ import annotations

import re

from scoring.records.fields import _DAY_ALIASES, _ROW_NAME_KEYS, Field, _clean_value, _humanise, _last_key
from scoring.records.values import _bool_value, _fmt_date, _fmt_money, _fmt_time, _record_range, _record_time

# --------------------------------------------------------------------------------------------
# Statements for the NLI model
# --------------------------------------------------------------------------------------------


def _bool_label(f: Field) -> str:
    k = re.sub(r"[^a-z0-9]", "", _last_key(f.path).lower())
    labels = {
        "businessacceptscreditcards": "Accepts credit cards",
        "businessacceptsbitcoin": "Accepts bitcoin",
        "restaurantstakeout": "Offers take-out",
        "restaurantsdelivery": "Offers delivery",
        "goodforkids": "Good for kids",
        "wheelchairaccessible": "Wheelchair accessible",
        "outdoorseating": "Outdoor seating",
        "bikeparking": "Bike parking",
        "restaurantsreservations": "Takes reservations",
        "hastv": "Has TV",
        "restaurantsgoodforgroups": "Good for groups",
        "restaurantstableservice": "Table service",
        "dogsallowed": "Dogs allowed",
        "happyhour": "Happy hour",
        "autorenew": "Auto-renew",
    }
    if k in labels:
        return labels[k]
    words = _humanise(_last_key(f.path)).split()
    while len(words) > 1 and words[0].lower() in ("business", "restaurants", "is"):
        words = words[1:]
    label = " ".join(words)
    return label[:1].upper() + label[1:].lower() if label else f.key


def _context_label(f: Field, fields: list[Field]) -> str:
    """A sibling name for fields inside arrays ("items[0].price" -> "Wireless Mouse")."""
    m = re.match(r"(.*\[\d+\])\.[^.\[]+$", f.path)
    if not m:
        return ""
    prefix = m.group(1) + "."
    for g in fields:
        if g is not f and g.path.startswith(prefix) and _last_key(g.path).lower() in _ROW_NAME_KEYS:
            return _clean_value(g.value)
    return ""


def field_statements(fields: list[Field]) -> list[tuple[Field, str]]:
    out: list[tuple[Field, str]] = []
    for f in fields:
        try:
            s = _statement(f, fields)
        except Exception:
            s = f"{f.key}: {f.value}"
        if s:
            out.append((f, s))
    return out


def _statement(f: Field, fields: list[Field]) -> str:
    if f.kind == "text":
        return ""
    ctx = _context_label(f, fields)
    key = f"{ctx} {f.key.lower()}" if ctx else f.key
    v = _clean_value(f.value)
    if f.kind == "time_range":
        r = _record_range(v)
        if r is None:
            return f"{key} hours: {v}"
        if r[0] == r[1] == 0:
            return f"{key} hours: listed as 0:00-0:00 (closed or open 24 hours)"
        label = f"{key} hours" if _day_index(f.key) is not None else key
        return f"{label}: {_fmt_time(r[0])} to {_fmt_time(r[1])}"
    if f.kind == "time":
        t = _record_time(v)
        return f"{key}: {_fmt_time(t) if t is not None else v}"
    if f.kind == "boolean":
        if re.sub(r"[^a-z]", "", f.key.lower()) == "wifi":
            return f"{f.key}: {v}"
        b = _bool_value(v)
        if b is None:
            return f"{_bool_label(f)}: {v}"
        return f"{_bool_label(f)}: {'yes' if b else 'no'}"
    if f.kind == "money":
        return f"{key}: {_fmt_money(f.value)}"
    if f.kind == "date":
        return f"{key}: {_fmt_date(f.value)}"
    return f"{key}: {v}"


def text_fields(fields: list[Field]) -> list[Field]:
    return [f for f in fields if f.kind == "text"]


def _day_index(s: str) -> int | None:
    return _DAY_ALIASES.get(s.strip().lower().rstrip("s.").rstrip()) if s else None
