"""Checking the emails, phone numbers and ids (order numbers, SKUs, tracking codes) a claim mentions."""

from __future__ import annotations

import re

from scoring.records.fields import _clean_value
from scoring.records.matching import _Ctx, _pick
from scoring.records.parse import _EMAIL, _PHONE

# ---- emails, phones ----


def _check_emails(ctx: _Ctx) -> None:
    cands = [f for f in ctx.fields if f.kind == "email"]
    for m in _EMAIL.finditer(ctx.claim):
        if not cands:
            continue
        val = m.group().lower().rstrip(".")
        f, ok = _pick(ctx, m.start(), m.end(), cands, lambda f, v=val: _clean_value(f.value).lower() == v)
        if f is None:
            ctx.unmatched += 1
            ctx.take(m.start(), m.end())
            continue
        ctx.add(m.start(), m.end(), "email", "supported" if ok else "refuted", f, f"record says {f.key} {f.value}")


def _digits(s: str) -> str:
    d = re.sub(r"\D", "", s)
    return d[-10:]


def _check_phones(ctx: _Ctx) -> None:
    cands = [f for f in ctx.fields if f.kind == "phone"]
    for m in _PHONE.finditer(ctx.claim):
        if not ctx.free(m.start(), m.end()):
            continue
        if not cands:
            ctx.take(m.start(), m.end())
            continue
        val = _digits(m.group())
        f, ok = _pick(ctx, m.start(), m.end(), cands, lambda f, v=val: _digits(f.value) == v)
        if f is None:
            ctx.unmatched += 1
            ctx.take(m.start(), m.end())
            continue
        ctx.add(m.start(), m.end(), "phone", "supported" if ok else "refuted", f, f"record says {f.key} {f.value}")


# ---- ids ----

_ID_CLAIM = re.compile(
    r"(?<![\w/])#?\s?(?:[A-Z]{1,5}[-#]?\d{3,}[A-Z0-9-]*|\d{5,}[A-Z0-9-]*|[A-Z0-9]{2,}-[A-Z0-9-]{3,})\b"
)


def _norm_id(s: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", _clean_value(s).upper())


def _check_ids(ctx: _Ctx) -> None:
    cands = [f for f in ctx.fields if f.kind == "id"]
    for m in _ID_CLAIM.finditer(ctx.claim):
        s, e = m.start(), m.end()
        if not ctx.free(s, e) or not re.search(r"\d", m.group()):
            continue
        val = _norm_id(m.group())
        if not cands:
            continue
        f, ok = _pick(ctx, s, e, cands, lambda f, v=val: _norm_id(f.value) == v or _norm_id(f.value).endswith(v))
        if f is None:
            ctx.take(s, e)
            ctx.unmatched += 1
            continue
        if not ok and not _same_shape(_norm_id(f.value), val):
            ctx.take(s, e)
            ctx.unmatched += 1
            continue
        ctx.add(s, e, "id", "supported" if ok else "refuted", f, f"record says {f.key} {_clean_value(f.value)}")


def _same_shape(a: str, b: str) -> bool:
    pa = re.match(r"[A-Z]*", a)
    pb = re.match(r"[A-Z]*", b)
    return bool(pa and pb and pa.group() == pb.group() and abs(len(a) - len(b)) <= 1)
