"""`check_claim`: the rows a claim is about, each checker in turn, then the verdict and coverage."""

from __future__ import annotations

import re

from scoring.records.addresses import _check_addresses
from scoring.records.attributes import _check_attributes, _check_unlisted_attributes
from scoring.records.categories import _check_categories
from scoring.records.counts import _check_numbers
from scoring.records.coverage import _coverage
from scoring.records.dates import _check_dates
from scoring.records.fields import _ROW, _ROW_NAME_KEYS, _WORD, Field, RecordCheck, _clean_value, _last_key
from scoring.records.hours import _check_hours
from scoring.records.identifiers import _check_emails, _check_ids, _check_phones
from scoring.records.matching import _Ctx, _stem
from scoring.records.money import _check_money
from scoring.records.names import _check_names
from scoring.text import split_sentences

# --------------------------------------------------------------------------------------------
# Claim checking
# --------------------------------------------------------------------------------------------

SUPPORTED_COVERAGE = 0.6


def check_claim(claim: str, fields: list[Field], context: str = "") -> RecordCheck:
    """Check the values a claim mentions against the record's fields.

    `context` (optional) is the draft text before the claim; it tells which row of an array of
    records ("the Pro plan", "the USB-C Hub") a claim is about when the claim itself does not name
    one, and what a claim cut from a longer sentence continues ("The cafe is open 6:30 a.m. to 3
    p.m. Monday through Friday, …" before "and 8 a.m. to 1 p.m. on Sunday.").
    """
    try:
        return _check_claim(claim, fields, context)
    except Exception:
        return RecordCheck((), None, 0.0)


_CONDITIONAL = re.compile(r"\b(?:if|unless|in case|should you|once|when(?:ever)?)\b[^,;.]*", re.IGNORECASE)


def _focus_rows(claim: str, fields: list[Field], context: str = "") -> list[Field]:
    """For arrays of records (order items, plan tables): the rows the claim names, else the common values.

    A claim that names a row ("the Pro plan", "the USB-C Hub") is checked against that row only;
    a claim that names none keeps only the columns whose value is the same in every row, since
    comparing it with an arbitrary row would guess.
    """
    groups: dict[str, dict[int, list[Field]]] = {}
    for f in fields:
        m = _ROW.match(f.path)
        if m and "[" not in m.group("col"):
            groups.setdefault(m.group("group"), {}).setdefault(int(m.group("i")), []).append(f)
    if not groups:
        return fields
    drop: set[int] = set()
    for rows in groups.values():
        if len(rows) < 2:
            continue
        named: list[int] = []
        for i, row in rows.items():
            if any(
                _last_key(f.path).lower().replace(" ", "_") in _ROW_NAME_KEYS
                and _names_row(claim, _clean_value(f.value))
                for f in row
            ):
                named.append(i)
        if not named and context:
            # The claim names no row: take the row the preceding text named last.
            best_pos, best_i = -1, None
            for i, row in rows.items():
                for f in row:
                    if _last_key(f.path).lower().replace(" ", "_") in _ROW_NAME_KEYS:
                        toks = re.findall(r"[A-Za-z0-9]+", _clean_value(f.value))
                        if not toks:
                            continue
                        rx = (
                            r"(?<![A-Za-z0-9])"
                            + r"[\W_]+".join(re.escape(t) for t in toks)
                            + r"(?:s|es)?(?![A-Za-z0-9])"
                        )
                        flags = 0 if any(c.isupper() for c in f.value) else re.IGNORECASE
                        for m in re.finditer(rx, context, flags):
                            if m.start() > best_pos:
                                best_pos, best_i = m.start(), i
            if best_i is not None:
                named = [best_i]
        if named:
            for i, row in rows.items():
                if i not in named:
                    drop |= {id(f) for f in row}
            continue
        by_col: dict[str, list[Field]] = {}
        for row in rows.values():
            for f in row:
                by_col.setdefault(_last_key(f.path), []).append(f)
        for col_fields in by_col.values():
            vals = {_clean_value(f.value).lower() for f in col_fields}
            if len(vals) > 1 or len(col_fields) < len(rows):
                drop |= {id(f) for f in col_fields}
            else:
                drop |= {id(f) for f in col_fields[1:]}
    return [f for f in fields if id(f) not in drop]


def _names_row(claim: str, value: str) -> bool:
    toks = re.findall(r"[A-Za-z0-9]+", value)
    if not toks:
        return False
    rx = r"(?<![A-Za-z0-9])" + r"[\W_]+".join(re.escape(t) for t in toks) + r"(?:s|es)?(?![A-Za-z0-9])"
    flags = 0 if any(c.isupper() for c in value) else re.IGNORECASE
    return re.search(rx, claim, flags) is not None


def _partly_named(claim: str, dropped: list[Field]) -> tuple[Field, ...]:
    """Rows set aside whose name the claim still half-mentions ("the cables" for "USB-C Cable")."""
    stems = {_stem(w) for w in _WORD.findall(claim.lower())}
    rows: dict[str, list[Field]] = {}
    for f in dropped:
        m = _ROW.match(f.path)
        if m:
            rows.setdefault(f"{m.group('group')}[{m.group('i')}]", []).append(f)
    out: list[Field] = []
    for row in rows.values():
        names = [f for f in row if _last_key(f.path).lower().replace(" ", "_") in _ROW_NAME_KEYS]
        toks = {_stem(w) for f in names for w in _WORD.findall(_clean_value(f.value).lower()) if len(w) >= 4}
        if toks & stems:
            out.extend(row)
    return tuple(out)


def _consume_name_mentions(ctx: _Ctx) -> None:
    """Names with digits in them ("Portable SSD 1TB", "Suite 200 Cafe") are not numbers to check."""
    low = ctx.claim.lower()
    for f in ctx.fields:
        if f.kind != "name" or not re.search(r"\d", f.value):
            continue
        v = _clean_value(f.value).lower()
        if len(v) < 3:
            continue
        k = low.find(v)
        if k >= 0:
            ctx.take(k, k + len(v))


def _check_claim(claim: str, fields: list[Field], context: str = "") -> RecordCheck:
    if not claim or not fields:
        return RecordCheck((), None, 0.0)
    focused = _focus_rows(claim, list(fields), context)
    kept = {id(f) for f in focused}
    ctx = _Ctx(
        claim,
        focused,
        [],
        [],
        dropped=_partly_named(claim, [f for f in fields if id(f) not in kept]),
        record=tuple(fields),
        # The sentence the claim continues, when it was cut from one (it starts in lower case).
        lead=context[split_sentences(context)[-1][0] :] if claim[:1].islower() and context.strip() else "",
    )
    _consume_name_mentions(ctx)
    _check_emails(ctx)
    _check_phones(ctx)
    _check_dates(ctx)
    _check_money(ctx)
    _check_addresses(ctx)
    _check_hours(ctx)
    _check_ids(ctx)
    _check_attributes(ctx)
    _check_numbers(ctx)
    _check_names(ctx)
    _check_categories(ctx)
    _check_unlisted_attributes(ctx, fields)
    for cond in _CONDITIONAL.finditer(claim):
        a, b = cond.span()
        inside = [c for c in ctx.checks if c.verdict == "refuted" and a <= c.claim_start < b]
        if inside:
            # "If it hasn't arrived by March 12, ...": a hypothetical is not a claim about the record.
            ctx.checks = [c for c in ctx.checks if c not in inside]
            ctx.unmatched += len(inside)
    checks = tuple(sorted(ctx.checks, key=lambda c: (c.claim_start, c.claim_end)))
    coverage = _coverage(claim, ctx.fields, checks, ctx.consumed)
    verdict: str | None = None
    if any(c.verdict == "refuted" for c in checks):
        verdict = "refuted"
    elif checks and ctx.unmatched == 0 and coverage >= SUPPORTED_COVERAGE:
        verdict = "supported"
    return RecordCheck(checks, verdict, coverage)
