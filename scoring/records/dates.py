"""Checking the dates a claim mentions."""

from __future__ import annotations

from scoring.records.fields import Field, _clean_value
from scoring.records.matching import _Ctx, _pick
from scoring.records.values import _DATE_ANY, _DATE_NUM, _fmt_date, _parse_date_text, _valid_date

# ---- dates ----


def _dates_equal(a: tuple[int | None, int, int], b: tuple[int | None, int, int]) -> bool:
    if a[1] != b[1] or a[2] != b[2]:
        return False
    return a[0] is None or b[0] is None or a[0] == b[0]


def _claim_dates(text: str) -> list[tuple[int, int, list[tuple[int | None, int, int]]]]:
    out = []
    for m in _DATE_ANY.finditer(text):
        raw = m.group()
        opts: list[tuple[int | None, int, int]] = []
        d = _parse_date_text(raw)
        if d is not None:
            opts.append(d)
        nm = _DATE_NUM.fullmatch(raw)
        if nm:  # "03/04/2025" is ambiguous between US and day-first orders
            a, b, y = int(nm.group(1)), int(nm.group(2)), int(nm.group(3))
            y = y + 2000 if y < 100 else y
            for mo, dd in ((a, b), (b, a)):
                if _valid_date(y, mo, dd) and (y, mo, dd) not in opts:
                    opts.append((y, mo, dd))
        if opts:
            out.append((m.start(), m.end(), opts))
    return out


def _check_dates(ctx: _Ctx) -> None:
    cands = [f for f in ctx.fields if f.kind == "date"]
    parsed = {id(f): _parse_date_text(_clean_value(f.value)) for f in cands}
    cands = [f for f in cands if parsed[id(f)] is not None]
    for s, e, opts in _claim_dates(ctx.claim):
        if not ctx.free(s, e):
            continue
        if not cands:
            ctx.take(s, e)
            ctx.unmatched += 1
            continue

        def equal(f: Field, opts: list[tuple[int | None, int, int]] = opts) -> bool:
            d = parsed[id(f)] if id(f) in parsed else _parse_date_text(_clean_value(f.value))
            return d is not None and any(_dates_equal(o, d) for o in opts)

        f, ok = _pick(ctx, s, e, cands, equal)
        if f is None:
            ctx.unmatched += 1
            ctx.take(s, e)
            continue
        ctx.add(s, e, "date", "supported" if ok else "refuted", f, f"record says {f.key} {_fmt_date(f.value)}")
