"""Value normalisation: times and time ranges, numbers, dates, money, street words and booleans."""

from __future__ import annotations

import re
from datetime import date

from scoring.records.fields import _MONTH_ALIASES, _NUMBER_WORDS, _STREET_ABBREV, MONTHS, _clean_value

# --------------------------------------------------------------------------------------------
# Value normalisation
# --------------------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\b")
_TIME24_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{1,2})\s*[-–—]\s*(\d{1,2}):(\d{1,2})\s*$")
_TIME24 = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::\d{2})?\s*$")


def _first_int(s: str) -> int | None:
    m = re.search(r"\d+", s)
    return int(m.group()) if m else None


def _fmt_time(minutes: int) -> str:
    minutes %= 1440
    h, m = divmod(minutes, 60)
    suffix = "AM" if h < 12 else "PM"
    h12 = h % 12 or 12
    return f"{h12}:{m:02d} {suffix}"


def _record_range(value: str) -> tuple[int, int] | None:
    v = _clean_value(value)
    m = _TIME24_RANGE.match(v)
    if m:
        h1, m1, h2, m2 = (int(x) for x in m.groups())
        if h1 > 24 or h2 > 24 or m1 > 59 or m2 > 59:
            return None
        return h1 * 60 + m1, h2 * 60 + m2
    r = _parse_range_text(v)
    if r is not None:
        a, b = r
        if len(a) == 1 and len(b) == 1:
            return next(iter(a)), next(iter(b))
    return None


def _record_time(value: str) -> int | None:
    v = _clean_value(value)
    m = _TIME24.match(v)
    if m:
        h, mi = int(m.group(1)), int(m.group(2))
        if h <= 24 and mi <= 59:
            return h * 60 + mi
        return None
    c = _claim_time_candidates(v)
    if c is not None and len(c) == 1:
        return next(iter(c))
    return None


_TIME_TEMPLATE = (
    r"(?:(?P<{p}h>\d{{1,2}})(?:[:.](?P<{p}m>\d{{2}}))?\s*(?P<{p}ap>[ap]\.?\s?m\b\.?)?"
    r"|(?P<{p}w>noon|midday|midnight))"
)
_TIME_ONE = re.compile(_TIME_TEMPLATE.format(p="a"), re.IGNORECASE)


def _claim_time_candidates(s: str) -> set[int] | None:
    m = _TIME_ONE.fullmatch(s.strip())
    if not m:
        return None
    return _candidates_from(m.group("ah"), m.group("am"), m.group("aap"), m.group("aw"))


def _candidates_from(h: str | None, mi: str | None, ap: str | None, w: str | None) -> set[int] | None:
    if w:
        wl = w.lower()
        return {0, 1440} if wl == "midnight" else {720}
    if h is None:
        return None
    hh = int(h)
    mm = int(mi) if mi else 0
    if mm > 59 or hh > 24:
        return None
    if ap:
        if hh < 1 or hh > 12:
            return None
        pm = ap.lower().startswith("p")
        hh = hh % 12 + (12 if pm else 0)
        return {hh * 60 + mm}
    if hh > 12 or hh == 0:
        return {hh * 60 + mm}
    return {hh * 60 + mm, (hh + 12) * 60 + mm} if hh != 12 else {720, 0}


_RANGE_SEP = r"\s*(?:-|–|—|to|until|till|til|through|thru|and)\s*"
_RANGE_TEXT = re.compile(
    _TIME_TEMPLATE.format(p="a") + _RANGE_SEP + _TIME_TEMPLATE.format(p="b"),
    re.IGNORECASE,
)


def _parse_range_text(v: str) -> tuple[set[int], set[int]] | None:
    m = _RANGE_TEXT.fullmatch(v.strip())
    if not m or not (m.group("aap") or m.group("bap") or ":" in v or m.group("aw") or m.group("bw")):
        return None
    a = _candidates_from(m.group("ah"), m.group("am"), m.group("aap"), m.group("aw"))
    b = _candidates_from(m.group("bh"), m.group("bm"), m.group("bap"), m.group("bw"))
    if a is None or b is None:
        return None
    return a, b


def _times_equal(cands: set[int], record: int) -> bool:
    r = record % 1440
    return any(c % 1440 == r for c in cands)


def _parse_number(s: str) -> float | None:
    s = s.strip().lower().replace(",", "")
    s = re.sub(r"^[$€£]|\s*(?:usd|eur|gbp|cad|aud|dollars?)$|^(?:usd|eur|gbp|cad)\s*", "", s).strip()
    s = re.sub(r"\s*/\s*(?:mo|month|yr|year|user|seat)$", "", s)
    try:
        return float(s)
    except ValueError:
        pass
    return _words_to_number(s)


def _words_to_number(s: str) -> float | None:
    parts = re.split(r"[\s-]+", s.strip().lower())
    if not parts or not all(p in _NUMBER_WORDS or p == "and" or p == "a" for p in parts):
        return None
    total = 0
    current = 0
    seen = False
    for p in parts:
        if p in ("and", "a"):
            continue
        n = _NUMBER_WORDS[p]
        seen = True
        if n == 100:
            current = max(current, 1) * 100
        else:
            current += n
    total += current
    return float(total) if seen else None


def _parse_date_text(s: str) -> tuple[int | None, int, int] | None:
    """(year or None, month, day) from ISO, "March 3, 2025", "3 March 2025", "03/03/2025"."""
    v = s.strip()
    m = _ISO_DATE.fullmatch(v) or _ISO_DATE.match(v)
    if m and m.start() == 0:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        return (y, mo, d) if _valid_date(y, mo, d) else None
    m = _DATE_MDY.fullmatch(v)
    if m:
        return _named_month_date(m)
    m = _DATE_DMY.fullmatch(v)
    if m:
        return _named_month_date(m)
    m = _DATE_NUM.fullmatch(v)
    if m:
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if y < 100:
            y += 2000
        if _valid_date(y, a, b):
            return (y, a, b)
        if _valid_date(y, b, a):
            return (y, b, a)
    return None


def _named_month_date(m: re.Match[str]) -> tuple[int | None, int, int] | None:
    month = _MONTH_ALIASES.get(m.group("mon").lower().rstrip("."))
    day = int(m.group("day"))
    year = int(m.group("year")) if m.group("year") else None
    if month and _valid_date(year or 2000, month, day):
        return (year, month, day)
    return None


def _valid_date(y: int, mo: int, d: int) -> bool:
    try:
        date(y, mo, d)
    except ValueError:
        return False
    return 1900 <= y <= 2200


_MON = (
    r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DATE_MDY = re.compile(_MON + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{4}))?", re.IGNORECASE)
_DATE_DMY = re.compile(
    r"(?:the\s+)?(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MON + r"(?:,?\s+(?P<year>\d{4}))?", re.IGNORECASE
)
_DATE_NUM = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2,4})")
_DATE_ANY = re.compile(
    r"\b(?:\d{4}-\d{1,2}-\d{1,2}(?:T[\d:.]+Z?)?"
    r"|(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|"
    r"Nov(?:ember)?|Dec(?:ember)?)\.?\s+\d{1,2}(?:st|nd|rd|th)?\b(?:,?\s+\d{4})?"
    r"|(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|"
    r"July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b\.?(?:,?\s+\d{4})?"
    r"|\d{1,2}/\d{1,2}/\d{2,4})",
    re.IGNORECASE,
)


def _fmt_date(value: str) -> str:
    d = _parse_date_text(_clean_value(value))
    if d is None:
        return value
    y, mo, day = d
    base = f"{MONTHS[mo - 1].capitalize()} {day}"
    return f"{base}, {y}" if y else base


def _fmt_money(value: str) -> str:
    n = _parse_number(_clean_value(value))
    if n is None:
        return value
    cur = "$"
    vu = value.upper()
    if "EUR" in vu or "€" in value:
        cur = "€"
    elif "GBP" in vu or "£" in value:
        cur = "£"
    return f"{cur}{n:,.2f}"


def _norm_text(s: str) -> str:
    s = s.lower().replace("&", " and ")
    toks = re.findall(r"[a-z0-9]+", s)
    return " ".join(_STREET_ABBREV.get(t, t) for t in toks)


def _bool_value(value: str) -> bool | None:
    v = _clean_value(value).lower()
    if v in ("true", "yes", "y", "1", "free", "paid", "on", "enabled", "available"):
        return True
    if v in ("false", "no", "n", "0", "none", "off", "disabled", "unavailable"):
        return False
    return None
