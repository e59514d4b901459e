"""Checking the counts and other numbers a claim mentions (seats, items, stars, days, months)."""

from __future__ import annotations

import re

from scoring.records.fields import _NUMBER_WORDS, _STOP, MONTHS, Field, _clean_value, _humanise, _last_key
from scoring.records.matching import _claim_words, _Ctx, _field_keywords, _key_score, _stem
from scoring.records.money import _approximate
from scoring.records.values import _parse_number

# ---- counts and numbers ----

_NUM_WORD_RX = "|".join(
    sorted((w for w in _NUMBER_WORDS if w not in ("single", "couple", "pair")), key=len, reverse=True)
)
_COUNT_CLAIM = re.compile(
    r"(?<![\w$€£.,:/-])(?P<n>\d[\d,]*(?:\.\d+)?|(?:" + _NUM_WORD_RX + r")(?:[- ](?:" + _NUM_WORD_RX + r"))*\b)"
    r"(?![\d:/])(?P<pct>\s?%|\s?percent)?(?:[- ](?P<noun>[A-Za-z][A-Za-z-]*)(?:\s(?P<noun2>[A-Za-z][A-Za-z-]*))?)?",
    re.IGNORECASE,
)
_UNITS = {"day": 1, "week": 7, "month": 30, "year": 365}
# Units of time and measure shorter than a day, and of size: a figure in one is no count of seats,
# stars or reviews.
_MEASURE = re.compile(
    r"(?:seconds?|minutes?|mins?|hours?|hrs?|inch(?:es)?|feet|foot|ft|miles?|pounds?|lbs?|ounces?|oz|"
    r"grams?|kg|kilos?|liters?|litres?|gallons?|degrees?)",
    re.IGNORECASE,
)


def _unit_of(word: str | None) -> str | None:
    if not word:
        return None
    w = word.lower().rstrip("s")
    if w.endswith("-day"):
        w = "day"
    return w if w in _UNITS else None


def _field_unit(f: Field) -> str | None:
    for w in reversed(_humanise(_last_key(f.path)).lower().split()):
        u = _unit_of(w)
        if u:
            return u
    m = re.search(r"\d\s*([a-z]+)", _clean_value(f.value).lower())
    return _unit_of(m.group(1)) if m else None


def _field_number(f: Field) -> float | None:
    v = _clean_value(f.value)
    n = _parse_number(v)
    if n is None:
        m = re.match(r"\s*(\d[\d,]*(?:\.\d+)?)\s+[a-z]+", v.lower())
        if m:
            n = _parse_number(m.group(1))
    return n


def _is_price_level(f: Field) -> bool:
    return "pricerange" in re.sub(r"[^a-z]", "", _last_key(f.path).lower())


# Who wrote a review, not how many reviews there are: "one reviewer", "a pet owner", "two of the
# three reviewers" (a few, in words: "922 reviewers" is the review count); and a reviewer's own
# rating: "a one-star reviewer", "a 4-star review".
_WHO = r"(?:reviewers?|reviews?|diners?|customers?|guests?|visitors?|patrons?|clients?|owners?|members?|people)"
_REVIEWER_COUNT = re.compile(
    r"\b(?:one|two|three|four|five|a|an|another|several|some|most|\d+\s+(?=of\b))\s*"
    rf"(?:of\s+(?:the|its|all)?\s*(?:{_NUM_WORD_RX}|\d+)\s+)?"
    rf"(?:\w+\s+)?{_WHO}\b",
    re.IGNORECASE,
)
_REVIEWER_STARS = re.compile(
    rf"\b(?P<n>{_NUM_WORD_RX}|\d(?:\.\d)?)[- ]star\s+{_WHO}\b",
    re.IGNORECASE,
)


# When a review was written: "in a November 2022 review", "a 2019 visit".
_REVIEW_WHEN = re.compile(
    rf"\b(?:(?P<month>{'|'.join(MONTHS)})\s+)?(?P<year>(?:19|20)\d\d)\s+(?:review|visit|post)\b", re.IGNORECASE
)


def _check_review_dates(ctx: _Ctx) -> None:
    """A review's month and year against the reviews' dates."""
    dates = [f for f in ctx.record if "[" in f.path and "date" in _last_key(f.path).lower()]
    for m in _REVIEW_WHEN.finditer(ctx.claim):
        s, e = m.start(), m.start("year") + 4
        if not dates or not ctx.free(s, e):
            continue
        month = m.group("month")
        when = m.group("year") + (f"-{MONTHS.index(month.lower()) + 1:02d}" if month else "")
        same = next((f for f in dates if _clean_value(f.value).startswith(when)), None)
        if same is not None:
            ctx.add(s, e, "date", "supported", same, f"a review is dated {_clean_value(same.value)[:10]}")
        else:
            ctx.add(s, e, "date", "refuted", dates[0], f"no review is dated {m.group()[: e - s]}")


# "Reviews are mixed", "opinions vary widely", "mixed feedback": the reviews' own ratings spread.
_MIXED = re.compile(
    r"\b(?:reviews?|opinions|ratings|reviewers|feedback)\s+(?:(?:are|were|is|seem|appear)\s+)?"
    r"(?:(?:somewhat|quite|very|sharply|fairly)\s+)?(?:mixed|split|divided|var(?:y|ied)(?:\s+widely)?)\b"
    r"|\bmixed\s+(?:reviews|feedback|opinions|ratings)\b",
    re.IGNORECASE,
)
MIXED_SPREAD = 2  # stars between the best and the worst review, at least, for reviews to be mixed


def _review_stars(ctx: _Ctx) -> list[Field]:
    """The reviews' own ratings: a star field inside an array of reviews (not the business's)."""
    return [f for f in ctx.record if "[" in f.path and "star" in _last_key(f.path).lower()]


def _check_review_spread(ctx: _Ctx) -> None:
    fields = _review_stars(ctx)
    stars = [n for f in fields if (n := _field_number(f)) is not None]
    if len(stars) < 2:
        return
    for m in _MIXED.finditer(ctx.claim):
        if ctx.free(m.start(), m.end()):
            spread = max(stars) - min(stars)
            verdict = "supported" if spread >= MIXED_SPREAD else "refuted"
            reason = f"the reviews give {min(stars):g} to {max(stars):g} stars"
            ctx.add(m.start(), m.end(), "number", verdict, fields[0], reason)


def _check_reviewers(ctx: _Ctx) -> None:
    """A reviewer's rating against the reviews' own ratings; a count of reviewers left alone (the
    record counts reviews, not the reviewers an overview quotes)."""
    stars = _review_stars(ctx)
    for m in _REVIEWER_STARS.finditer(ctx.claim):
        s, e = m.start("n"), m.end("n")
        n = _parse_number(m.group("n"))
        if not ctx.free(s, e) or n is None or not stars:
            continue
        same = next((f for f in stars if _field_number(f) == n), None)
        if same is not None:
            ctx.add(s, e, "number", "supported", same, f"a review gives {_clean_value(same.value)} stars")
        else:
            given = ", ".join(sorted({_clean_value(f.value) for f in stars}))
            ctx.add(s, e, "number", "refuted", stars[0], f"the reviews give {given} stars")
    for m in _REVIEWER_COUNT.finditer(ctx.claim):
        if ctx.free(m.start(), m.end()) and not re.search(r"\breviews?\b", m.group(), re.IGNORECASE):
            ctx.take(m.start(), m.end())


def _check_numbers(ctx: _Ctx) -> None:
    claim = ctx.claim
    _check_review_dates(ctx)
    _check_review_spread(ctx)
    _check_reviewers(ctx)
    # A price range ("RestaurantsPriceRange2": 2) is a level, read by the attributes' price-level
    # check ("moderately priced", "$$"); as a count it would take "1900 Route 70" or "one noted
    # prices" for a price level of 1900 or one.
    cands_all = [f for f in ctx.fields if f.kind in ("count", "number") and not _is_price_level(f)]
    nums = {id(f): _field_number(f) for f in cands_all}
    cands_all = [f for f in cands_all if nums[id(f)] is not None]
    claim_stems = {w for w, _, _ in _claim_words(claim)}
    for m in re.finditer(r"\b(?:out of|of a possible)\s+\d+(?:\.\d+)?|/\s?(?:5|10|100)\b", claim, re.IGNORECASE):
        ctx.take(m.start(), m.end())  # the scale of a rating, not a value
    for m in _COUNT_CLAIM.finditer(claim):
        s, e = m.start("n"), m.end("n")
        if not ctx.free(s, e):
            continue
        raw = m.group("n")
        is_word = not raw[0].isdigit()
        n = _parse_number(raw)
        if n is None:
            continue
        noun = (m.group("noun") or "").lower()
        noun2 = (m.group("noun2") or "").lower()
        approx = _approximate(claim, s, e) or bool(
            re.match(
                r"\+|\s*(?:or more|or less|or so|or fewer|plus)\b|"
                r"\s+(?:\w+\s+)?(?:more|left|remaining|extra|additional|fewer|spare|unused)\b",
                claim[e:],
                re.IGNORECASE,
            )
        )
        initial = not claim[:s].strip(" \"'(")
        unit = _unit_of(noun)
        if _MEASURE.fullmatch(noun.removeprefix("-")) and not any(
            _MEASURE.fullmatch(w) for f in cands_all for w in _humanise(_last_key(f.path)).lower().split()
        ):
            continue  # "waited 15 minutes", "a 90-minute massage": no field of the record counts minutes
        if not cands_all:
            continue
        nouns = {_stem(noun), _stem(noun2)} - {""}
        if m.group("pct"):
            nouns.add("percent")

        def rel(f: Field, s: int = s, e: int = e, nouns: set[str] = nouns, unit: str | None = unit) -> float:
            kws = _field_keywords(f, ctx.fields)
            sc = _key_score(claim, s, e, f, ctx.fields)
            # Prefer the field whose key words are all present ("seats" -> Seats over Seats used).
            own = [_stem(w) for w in _humanise(_last_key(f.path)).lower().split() if w not in _STOP]
            if own:
                sc += 0.5 * sum(1 for w in own if w in claim_stems) / len(own)
            # A top-level field before the same key inside an array of records (stars vs reviews[0].stars).
            sc -= 0.25 * f.path.count("[")
            if nouns & kws:
                sc += 3.0
            if unit and _field_unit(f) == unit:
                sc += 3.0
            return sc

        def equal(f: Field, n: float = n, unit: str | None = unit) -> bool:
            fv = nums[id(f)] if id(f) in nums else _field_number(f)
            if fv is None:
                return False
            fu = _field_unit(f)
            if unit and fu and unit != fu:
                if {unit, fu} <= {"month", "year"}:
                    a = n * (12 if unit == "year" else 1)
                    b = fv * (12 if fu == "year" else 1)
                    return abs(a - b) < 1e-6
                if {unit, fu} <= {"day", "week"}:
                    return abs(n * _UNITS[unit] - fv * _UNITS[fu]) < 1e-6
                return False
            return abs(fv - n) < 1e-6

        scored = sorted(((rel(f), i, f) for i, f in enumerate(cands_all)), key=lambda t: (-t[0], t[1]))
        related = [(sc, i, f) for sc, i, f in scored if sc >= 2.0]
        if not related:
            continue  # a number with no field words near it is left alone
        eq = [f for sc, i, f in related if equal(f)]
        if eq:
            f = eq[0]
            ctx.add(s, e, f.kind, "supported", f, f"record says {f.key} {_clean_value(f.value)}")
            if m.group("noun") and (_stem(noun) in _field_keywords(f, ctx.fields) or unit):
                ctx.take(m.start("noun"), m.end("noun"))
            continue
        if is_word and n in (1.0,) and not nouns & _field_keywords(related[0][2], ctx.fields):
            continue
        if approx or initial:
            ctx.take(s, e)  # "over 100 reviews", "Two reviewers said...": not a value to refute
            ctx.unmatched += 1
            continue
        best = related[0]
        if len(related) > 1 and related[1][0] == best[0]:
            ctx.take(s, e)
            ctx.unmatched += 1
            continue
        f = best[2]
        fu = _field_unit(f)
        if unit and fu and unit != fu and not ({unit, fu} <= {"month", "year"} or {unit, fu} <= {"day", "week"}):
            ctx.take(s, e)
            ctx.unmatched += 1
            continue
        ctx.add(s, e, f.kind, "refuted", f, f"record says {f.key} {_clean_value(f.value)}")
