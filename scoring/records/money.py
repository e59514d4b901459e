"""Checking the amounts of money a claim mentions, and those a draft computes from a record's rows."""

from __future__ import annotations

import re

from scoring.records.fields import _ROW, Field, _clean_value, _last_key
from scoring.records.matching import _Ctx, _key_score, _pick
from scoring.records.statements import _context_label
from scoring.records.values import _fmt_money, _parse_number
from scoring.text import content_stems, shared_share, split_sentences, words

# ---- money ----

_MONEY_CLAIM = re.compile(
    r"(?:[$€£]\s?\d[\d,]*(?:\.\d{1,2})?(?:\s?(?:USD|EUR|GBP|CAD))?"
    r"|\b\d[\d,]*(?:\.\d{1,2})?\s?(?:USD|EUR|GBP|CAD|AUD|dollars?|euros?|bucks)\b"
    r"|\b(?:USD|EUR|GBP|CAD)\s?\d[\d,]*(?:\.\d{1,2})?)"
    r"(?:\s?(?P<mult>k|thousand|million)\b)?",
    re.IGNORECASE,
)


def _check_money(ctx: _Ctx) -> None:
    cands = [f for f in ctx.fields if f.kind == "money"]
    values = {id(f): _parse_number(_clean_value(f.value)) for f in cands}
    cands = [f for f in cands if values[id(f)] is not None]
    for m in _MONEY_CLAIM.finditer(ctx.claim):
        s, e = m.start(), m.end()
        if not ctx.free(s, e):
            continue
        raw = m.group()
        mult = 1.0
        if m.group("mult"):
            mult = {"k": 1e3, "thousand": 1e3, "million": 1e6}[m.group("mult").lower()]
            raw = raw[: m.start("mult") - s]
        n = _parse_number(re.sub(r"(?i)\s*(euros?|bucks)$", "", raw))
        if n is None:
            continue
        n *= mult
        review = _stated_in_text(ctx, s, e, n)
        if review is not None and not any(abs((values.get(id(f)) or 0.0) - n) < 0.005 for f in cands):
            ctx.add(s, e, "money", "supported", review, f"a review gives {m.group()}")
            continue
        if not cands:
            ctx.take(s, e)
            ctx.unmatched += 1
            continue

        def equal(f: Field, n: float = n) -> bool:
            v = values[id(f)] if id(f) in values else _parse_number(_clean_value(f.value))
            return v is not None and abs(v - n) < 0.005

        derived = next((d for d in _derived_money(ctx.fields) if abs(d[0] - n) < 0.005), None)
        if derived is not None and not any(equal(f) for f in cands):
            ctx.add(s, e, "money", "supported", derived[1], derived[2])
            continue
        if _approximate(claim_text := ctx.claim, s, e) or _relative(claim_text, s, e):
            ctx.take(s, e)  # "orders over $50", "$20 more": not a record value
            ctx.unmatched += 1
            continue
        f, ok = _pick(ctx, s, e, cands, equal, fallback_single=False)
        if f is not None and not ok and _key_score(ctx.claim, s, e, f, ctx.fields) <= 0:
            f = None  # a lone amount with none of the field's key words near it is not compared
        if f is None:
            ctx.unmatched += 1
            ctx.take(s, e)
            continue
        label = _context_label(f, ctx.fields)
        key = f"{label} {f.key.lower()}" if label else f.key
        ctx.add(s, e, "money", "supported" if ok else "refuted", f, f"record says {key} {_fmt_money(f.value)}")


# Words on either side of an amount that say what it is the price of ("day passes at $22").
_AROUND = 6
STATED_SHARE = 0.5  # of those words, the share the review's sentence must hold
# Words that say it is a price, not what it is the price of.
_PRICE_WORDS = frozenset(
    "cost costs costing priced price prices pay paid paying charge charged charges run runs".split()  # noqa: SIM905
)


def _stated_in_text(ctx: _Ctx, s: int, e: int, n: float) -> Field | None:
    """A review (a text field) with a sentence that gives this amount and no other, about what the
    claim's words around it name: "day passes at $22" and "Day pass is $22". A sentence with
    several amounts ("the burger was $22, the steak $30") is left to the prose comparators."""
    # Within the amount's own clause: "... on weekends, with day passes at $22" is about day passes.
    before = words(re.split(r"[,;:]", ctx.claim[:s])[-1])[-_AROUND:]
    after = words(re.split(r"[,;:]", ctx.claim[e:])[0])[:_AROUND]
    about = content_stems(" ".join(w for w in before + after if w.lower() not in _PRICE_WORDS))
    if not about:
        return None
    for f in (f for f in ctx.record if f.kind == "text"):
        for a, b in split_sentences(f.value):
            sentence = f.value[a:b]
            amounts = [_parse_number(x.group()) for x in _MONEY_CLAIM.finditer(sentence)]
            one = len(amounts) == 1 and amounts[0] is not None and abs(amounts[0] - n) < 0.005
            if one and shared_share(about, content_stems(sentence)) >= STATED_SHARE:
                return f
    return None


_APPROX_BEFORE = re.compile(
    r"(?:over|more than|fewer than|less than|under|below|above|nearly|almost|about|around|approximately|roughly|"
    r"at least|at most|close to|some|only|just|every|within|in|after|per|another|an extra|extra|additional|add|"
    r"up to an?)\s+$",
    re.IGNORECASE,
)
_APPROX_AFTER = re.compile(
    r"\+|\s*(?:or more|or less|or so|or fewer|plus)\b|[- ]?(?:\w+\s)?(?:more|left|remaining|extra|additional|"
    r"fewer|less|spare|unused|off|discount|credit|cheaper|higher|lower)\b",
    re.IGNORECASE,
)


def _approximate(claim: str, s: int, e: int) -> bool:
    return bool(_APPROX_BEFORE.search(claim[max(0, s - 20) : s]))


def _relative(claim: str, s: int, e: int) -> bool:
    return bool(_APPROX_AFTER.match(claim, e)) and not re.match(r"\s+(?:seats?|users?)\b", claim[e:])


def _derived_money(fields: list[Field]) -> list[tuple[float, Field, str]]:
    """Amounts a draft may compute: quantity x unit price per row, and the sum over the rows."""
    rows: dict[str, dict[str, Field]] = {}
    for f in fields:
        m = _ROW.match(f.path)
        if m:
            rows.setdefault(f"{m.group('group')}[{m.group('i')}]", {})[_last_key(f.path).lower()] = f
    out: list[tuple[float, Field, str]] = []
    total = 0.0
    complete = bool(rows)
    for row in rows.values():
        price = next((row[k] for k in row if row[k].kind == "money" and ("price" in k or "cost" in k)), None)
        qty = next((row[k] for k in row if k in ("quantity", "qty", "count", "units")), None)
        if price is None or qty is None:
            complete = False
            continue
        p = _parse_number(_clean_value(price.value))
        q = _parse_number(_clean_value(qty.value))
        if p is None or q is None:
            complete = False
            continue
        out.append((p * q, price, f"record says {q:g} x {_fmt_money(price.value)}"))
        total += p * q
    if complete and len(out) > 1:
        out.append((total, out[0][1], f"record items add up to {_fmt_money(str(round(total, 2)))}"))
    return out
