"""Checking the street addresses and cities a claim mentions."""

from __future__ import annotations

import re

from scoring.records.fields import _STREET_TYPES, Field, _clean_value, _last_key
from scoring.records.matching import _Ctx, _pick
from scoring.records.values import _norm_text

# ---- addresses ----

_ADDRESS_CLAIM = re.compile(
    r"\b(?P<num>\d{1,6}[A-Za-z]?)\s+(?P<street>(?:[A-Za-z0-9.'-]+\s+){0,5}?(?:" + _STREET_TYPES + r"))\b\.?"
    r"(?:,?\s*(?P<unit>(?:Suite|Ste|Unit|Apt|Apartment|#)\.?\s*#?\s*[A-Za-z0-9-]+))?",
)


def _split_address(value: str) -> tuple[str, list[str], str]:
    norm = _norm_text(value.split(",")[0] if "," in value else value)
    toks = norm.split()
    unit = ""
    m = re.search(r"(?:suite|ste|unit|apt|apartment|#)\.?\s*#?\s*([a-z0-9-]+)", value.lower())
    if m:
        unit = m.group(1)
        if "ste" in toks or "apt" in toks or "unit" in toks:
            k = next(i for i, t in enumerate(toks) if t in ("ste", "apt", "unit"))
            toks = toks[:k]
    if not toks:
        return "", [], unit
    return toks[0], toks[1:], unit


def _check_addresses(ctx: _Ctx) -> None:
    cands = [f for f in ctx.fields if f.kind == "address"]
    for m in _ADDRESS_CLAIM.finditer(ctx.claim):
        s, e = m.start(), m.end()
        if not ctx.free(s, e):
            continue
        num = m.group("num").lower()
        street = _norm_text(m.group("street")).split()
        unit_m = re.search(r"([A-Za-z0-9-]+)$", m.group("unit") or "")
        unit = unit_m.group(1).lower() if unit_m else ""
        if not cands:
            ctx.take(s, e)
            ctx.unmatched += 1
            continue

        def parts(f: Field) -> tuple[str, list[str], str]:
            return _split_address(_clean_value(f.value))

        def equal(f: Field, num: str = num, street: list[str] = street, unit: str = unit) -> bool:
            fn, fs, fu = parts(f)
            return fn == num and _street_equal(street, fs) and (not unit or not fu or unit == fu)

        f, ok = _pick(ctx, s, e, cands, equal)
        if f is None:
            ctx.unmatched += 1
            ctx.take(s, e)
            continue
        if not ok:
            fn, fs, _ = parts(f)
            # A street we cannot line up token by token is only refuted on a number mismatch.
            if fn == num and not _street_comparable(street, fs):
                ctx.take(s, e)
                ctx.unmatched += 1
                continue
        ctx.add(s, e, "address", "supported" if ok else "refuted", f, f"record says {f.key} {_clean_value(f.value)}")
        _check_city_after(ctx, e)
    _check_city_phrases(ctx)


_CITY_AFTER = re.compile(r"(?:,\s*|\s+in\s+(?:downtown\s+)?)(?P<c>[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)\b")
_CITY_PHRASE = re.compile(
    r"\b(?:located in|based in|location in|store in|branch in|shop in|office in)\s+(?:downtown\s+)?"
    r"(?P<c>[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)\b"
)


def _city_fields(ctx: _Ctx) -> list[Field]:
    return [f for f in ctx.fields if _last_key(f.path).lower() in ("city", "town", "locality") and f.kind == "name"]


def _compare_city(ctx: _Ctx, s: int, e: int) -> None:
    cities = _city_fields(ctx)
    if len(cities) != 1 or not ctx.free(s, e):
        return
    f = cities[0]
    said = _norm_text(ctx.claim[s:e])
    rec = _norm_text(_clean_value(f.value))
    if said == rec or said.startswith(rec + " ") or rec.startswith(said + " "):
        ctx.add(s, e, "name", "supported", f, f"record says city {_clean_value(f.value)}")
        return
    # Only a place name that the record does not mention anywhere can contradict the city.
    if any(said == _norm_text(_clean_value(g.value)) for g in ctx.fields):
        return
    if said.split()[0] in ("the", "our", "your", "suite", "ste", "unit"):
        return
    ctx.add(s, e, "name", "refuted", f, f"record says city {_clean_value(f.value)}")


def _check_city_after(ctx: _Ctx, end: int) -> None:
    m = _CITY_AFTER.match(ctx.claim, end)
    if m:
        _compare_city(ctx, m.start("c"), m.end("c"))


def _check_city_phrases(ctx: _Ctx) -> None:
    for m in _CITY_PHRASE.finditer(ctx.claim):
        _compare_city(ctx, m.start("c"), m.end("c"))


def _street_equal(a: list[str], b: list[str]) -> bool:
    if a == b:
        return True
    # "Main St" vs "N Main St": a missing directional is a format difference.
    dirs = {"n", "s", "e", "w", "ne", "nw", "se", "sw"}
    return [t for t in a if t not in dirs] == [t for t in b if t not in dirs]


def _street_comparable(a: list[str], b: list[str]) -> bool:
    return bool(a) and bool(b) and a[-1] == b[-1]
