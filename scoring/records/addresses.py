"""Checking the street addresses and cities a claim mentions."""

from __future__ import annotations

import re

from scoring.records.fields import _STREET_TYPES, Field, _clean_value, _last_key
from scoring.records.matching import _Ctx, _pick
from scoring.records.places import region_code
from scoring.records.values import _norm_text

# ---- addresses ----

_ADDRESS_CLAIM = re.compile(
    r"\b(?P<num>\d{1,6}[A-Za-z]?)\s+(?P<street>(?:[A-Za-z0-9.'-]+\s+){0,5}?(?:" + _STREET_TYPES + r"))\b\.?"
    r"(?:\s+(?P<dir>N|S|E|W|NE|NW|SE|SW)\b)?"
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
        street = _norm_text(m.group("street")).split() + ([m.group("dir").lower()] if m.group("dir") else [])
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
            # A street we cannot line up token by token is only refuted on a number mismatch, or
            # when its name shares no word with the record's ("1100 Beach Dr" / "1100 Central Ave").
            if fn == num and not _street_comparable(street, fs) and not _other_street(street, fs):
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
        _check_region_after(ctx, m.end("c"))


# ", Tennessee", ", New Brunswick", ", TN" after the city.
_REGION_AFTER = re.compile(r",\s*(?P<r>[A-Z][a-zé]+(?:\s+(?:and\s+)?[A-Z][a-z]+){0,2}|[A-Z]{2})\b")


def _check_region_after(ctx: _Ctx, end: int) -> None:
    """The state or province after the city against the record's (by name or postal code)."""
    regions = [f for f in ctx.fields if _last_key(f.path).lower() in ("state", "province", "region")]
    m = _REGION_AFTER.match(ctx.claim, end)
    if m is None or len(regions) != 1 or not ctx.free(m.start("r"), m.end("r")):
        return
    said, f = region_code(m.group("r")), regions[0]
    stated = region_code(_clean_value(f.value))
    if said is None or stated is None:
        return
    verdict = "supported" if said == stated else "refuted"
    ctx.add(m.start("r"), m.end("r"), "name", verdict, f, f"record says {f.key} {_clean_value(f.value)}")


def _check_city_phrases(ctx: _Ctx) -> None:
    for m in _CITY_PHRASE.finditer(ctx.claim):
        _compare_city(ctx, m.start("c"), m.end("c"))


_DIRECTIONS = frozenset({"n", "s", "e", "w", "ne", "nw", "se", "sw"})
_STREET_TYPE = re.compile(rf"(?:{_STREET_TYPES})", re.IGNORECASE)


def _street_equal(a: list[str], b: list[str]) -> bool:
    if a == b:
        return True
    # "Main St" vs "N Main St": a missing directional is a format difference; "SE" vs "SW" is not.
    da, db = [t for t in a if t in _DIRECTIONS], [t for t in b if t in _DIRECTIONS]
    if da and db and da != db:
        return False
    return [t for t in a if t not in _DIRECTIONS] == [t for t in b if t not in _DIRECTIONS]


def _other_street(a: list[str], b: list[str]) -> bool:
    """Whether two streets' names (types and directions aside; "17th" is "17") share no word."""

    def name(tokens: list[str]) -> set[str]:
        kept = (t for t in tokens if t not in _DIRECTIONS and not _STREET_TYPE.fullmatch(t))
        return {re.sub(r"^(\d+)(?:st|nd|rd|th)$", r"\1", t) for t in kept}

    na, nb = name(a), name(b)
    return bool(na) and bool(nb) and not na & nb


def _street_comparable(a: list[str], b: list[str]) -> bool:
    """Whether two streets end in the same word, directions aside ("17 Ave SW" / "17 Ave SE")."""
    a, b = [t for t in a if t not in _DIRECTIONS], [t for t in b if t not in _DIRECTIONS]
    return bool(a) and bool(b) and a[-1] == b[-1]
