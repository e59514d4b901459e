"""Quantities in prose compared by value: "50 mg" against "100 mg", "$10" against "$25".

The NLI model reads "The dose is 100 mg." as entailed by "The dose is 50 mg." often enough that
a number contradiction cannot be left to it. A claim's quantity (a number, in digits or
spelled out, with its unit: a currency sign before it or a unit word after it, "12-month" too) is
refuted by its evidence sentence when that sentence states the same kind of quantity with values
that do not admit the claim's, about the same thing (the claim shares most of its content words
with the sentence), and no figure in the evidence admits it.

Values are compared by what they say, not how they are written:

- units of one dimension convert: "48 hours" is "two days", "two years" is "24 months",
  "5 business days" is counted in days, "1200 USD" is "$1,200";
- a figure carries its bound: "over $50" admits "$75" and not "$30", "up to 10 seats" admits
  "5 seats", "3 to 5 days" admits "4 days", "about two weeks" admits 10 to 21 days. Two bounds of
  the same kind compare by value ("within 30 days" against "within 14 days"); a bound against a
  figure of another kind ("no more than 5 days" against "3 to 5 days") proves nothing;
- "unlimited" in a claim is refuted by a cap ("up to 1 TB", "at most 2") in its own clause.

A sentence of several clauses ("the dryer is covered for two years; its heating element for one
year", "… with the exception of the door seal, which is covered for 12 months") is read clause by
clause: when one clause is clearly the claim's (it holds more of the claim's words than any other,
or, on a tie, the claim's subject) and states the kind of quantity with values that do not admit
the claim's, a claim with one figure of that kind is refuted even though its value stands in
another clause, about something else.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from scoring.cues import LIGHT, SYNONYMS
from scoring.text import (
    CARDINALS,
    NUMBER_PATTERN,
    STOPWORDS,
    content_stems,
    content_words,
    number_value,
    same_topic,
    shared_share,
    stem,
    words,
)

_SPELLED = "|".join(sorted(CARDINALS, key=len, reverse=True))
_QUANTITY = re.compile(
    r"(?:(?P<cur>[$€£¥])\s?)?(?P<num>" + NUMBER_PATTERN + r")"
    r"(?:(?:\s?|-)(?P<unit>%|percent\b|(?:(?:business|working|calendar)[\s-]+)?[A-Za-z]{1,12}\b))?",
    re.IGNORECASE,
)
# "3 to 5 business days", "5-7 days", "between 10 and 20 GB": the first figure takes the second's unit.
_RANGE_GAP = re.compile(r"\s*(?:to|-|–|and)\s*", re.IGNORECASE)
# Clause boundaries inside a sentence: a semicolon, a comma before a contrasting conjunction, or
# an exception ("with the exception of the door seal, which …").
_EXCEPTION = r"with\s+the\s+exception\s+of|except\s+for|excluding|apart\s+from|other\s+than"
_CLAUSE = re.compile(
    r";|,\s*(?=(?:while|whereas|but|except|and)\b)|\s(?=(?:while|whereas)\b)"
    rf"|,?\s*(?=\b(?:{_EXCEPTION})\b)"
    # "a 10-year warranty on the compressor and a 1-year warranty on all other parts": one figure
    # each, for its own thing.
    r"|\s(?=and\s+(?:a|an)\s+(?:[$€£¥]?\d|(?:" + _SPELLED + r"|lifetime)\b))",
    re.IGNORECASE,
)
_LEAD_IN = re.compile(rf"^\W*(?:and\s+)?(?:{_EXCEPTION})?", re.IGNORECASE)
_NOT_UNITS = frozenset(
    "and or to of the a an in on at for by with from per than more less over under up about".split()  # noqa: SIM905
)
# Units that convert, to (dimension, size in the dimension's base unit). Months and years are
# calendar lengths in minutes, so "30 days" and "one month" agree within the tolerance.
_SCALE: dict[str, tuple[str, float]] = {
    **dict.fromkeys(("minut", "minute", "min", "mins"), ("time", 1.0)),
    **dict.fromkeys(("hour", "hr", "hrs"), ("time", 60.0)),
    "day": ("time", 1440.0),
    "week": ("time", 10080.0),
    "fortnight": ("time", 20160.0),
    "month": ("time", 43830.0),
    **dict.fromkeys(("year", "yr", "yrs"), ("time", 525960.0)),
    **dict.fromkeys(("$", "usd", "dollar"), ("$", 1.0)),
    **dict.fromkeys(("€", "eur", "euro"), ("€", 1.0)),
    # "pounds" written out is sterling in one draft and weight in the next ("added 40 pounds to
    # their deadlift"): only the sign and the code are money, and the word compares with itself.
    **dict.fromkeys(("£", "gbp"), ("£", 1.0)),
    **dict.fromkeys(("lb", "lbs"), ("mass", 453.6)),
    **dict.fromkeys(("g", "gram"), ("mass", 1.0)),
    **dict.fromkeys(("kg", "kilogram", "kilo"), ("mass", 1000.0)),
    **dict.fromkeys(("mb", "megabyte"), ("bytes", 1.0)),
    **dict.fromkeys(("gb", "gigabyte"), ("bytes", 1e3)),
    **dict.fromkeys(("tb", "terabyte"), ("bytes", 1e6)),
}
_CURRENCY = {"$": "$", "€": "€", "£": "£", "¥": "¥"}
SAME = 0.03  # relative difference under which two converted values are the same value
APPROX = 1.5  # "about X" admits X / APPROX … X * APPROX

# The bound a figure carries, from the words just before it ("up to", "over") or after it ("or more").
_BEFORE = {
    "upper": r"up\s+to|at\s+most|capped\s+at|limited\s+to|a\s+(?:limit|cap)\s+of"
    # "the daily withdrawal limit on Everyday accounts is $1,200", "the maximum payout … is $15,000"
    r"|(?:limit|maximum|cap)(?:\s+[\w'’-]+){0,10}?\s+(?:is|of)"
    r"|no\s+more\s+than|not\s+more\s+than|a\s+maximum\s+of|maximum(?:\s+of)?|max\.?"
    r"|within|under|less\s+than|fewer\s+than|below|as\s+(?:much|many)\s+as|no\s+later\s+than|until",
    "lower": r"at\s+least|over|more\s+than|above|a\s+minimum\s+of|minimum(?:\s+of)?|min\.?|no\s+less\s+than"
    r"|from|starting\s+at|exceeding",
    "approx": r"about|around|approximately|nearly|almost|roughly|some|~",
    # a value it may become, not the one it has: "can be extended to 3 years"
    "potential": r"extend(?:ed|able|s)?\s+to|upgrade[ds]?\s+to|increased?\s+to|raised?\s+to",
}
_BOUND_BEFORE = {k: re.compile(rf"\b(?:{rx})\s*[$€£¥]?\s*$", re.IGNORECASE) for k, rx in _BEFORE.items()}
_BOUND_AFTER = {
    "lower": re.compile(r"^\s*(?:or\s+more|or\s+over|or\s+longer|\+|and\s+(?:over|above|up))\b", re.IGNORECASE),
    "upper": re.compile(r"^\s*(?:or\s+less|or\s+fewer|or\s+under|at\s+most|max(?:imum)?)\b", re.IGNORECASE),
}
# A deadline before an event bounds the time left from below: "up to 48 hours before check-in",
# "no later than two hours before departure", "as late as 12 hours before".
_DEADLINE = re.compile(r"\b(?:up\s+to|no\s+later\s+than|until|as\s+late\s+as)\s*$", re.IGNORECASE)
_BEFORE_EVENT = re.compile(r"\s*(?:before|prior\s+to|in\s+advance|ahead\s+of)\b", re.IGNORECASE)
_UNLIMITED = re.compile(
    r"\bunlimited\b|\bno\s+(?:limit|cap|maximum)\b|\bas\s+(?:many|much)\s+as\s+you\s+(?:like|want)\b", re.IGNORECASE
)
MIN_SHARED = 0.5  # share of the claim's content words the evidence sentence must hold


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str
    start: int
    end: int
    bound: str = "exact"  # exact | upper | lower | approx | range | potential
    low: float | None = None  # a range's first value ("3" of "3 to 5 days"), in `unit`

    @property
    def dim(self) -> str:
        return _SCALE[self.unit][0] if self.unit in _SCALE else self.unit

    def base(self, value: float) -> float:
        return value * (_SCALE[self.unit][1] if self.unit in _SCALE else 1.0)

    @property
    def interval(self) -> tuple[float, float]:
        """The values this figure admits, in its dimension's base unit."""
        v = self.base(self.value)
        if self.bound == "range" and self.low is not None:
            return self.base(self.low), v
        if self.bound == "upper":
            return 0.0, v
        if self.bound == "lower":
            return v, float("inf")
        if self.bound == "approx":
            return v / APPROX, v * APPROX
        return v, v


def _same(a: float, b: float, tolerance: float = SAME) -> bool:
    return abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-9)


WEEKS_APART = 0.1  # relative difference under which weeks and days or months are the same length


def _tolerance(a: Quantity, b: Quantity) -> float:
    """Weeks convert to days and months loosely: "within four weeks" says what "within 30 days"
    says. Other units, and two figures in weeks, keep the strict tolerance ("13 months" is not "a
    year")."""
    weeks = {"week", "fortnight"}
    return WEEKS_APART if a.unit != b.unit and (a.unit in weeks or b.unit in weeks) else SAME


def _bound(text: str, start: int, end: int) -> str:
    before, after = text[max(0, start - 100) : start], text[end : end + 20]
    if _DEADLINE.search(before) and _BEFORE_EVENT.match(after):
        # "up to 48 hours before check-in": it may be done while at least 48 hours remain.
        return "lower"
    for kind, rx in _BOUND_BEFORE.items():
        if rx.search(before):
            return kind
    for kind, rx in _BOUND_AFTER.items():
        if rx.search(after):
            return kind
    return "exact"


def _unit_of(m: re.Match[str]) -> str:
    if m.group("cur"):
        return _CURRENCY[m.group("cur")]
    words = re.split(r"[\s-]+", m.group("unit") or "")
    unit = words[-1].lower()
    if unit in {"%", "percent"}:
        return "%"
    unit = stem(unit)
    return _SCALE[unit][0] if unit in _SCALE and _SCALE[unit][0] in _CURRENCY.values() else unit


def _number(m: re.Match[str]) -> float | None:
    num = m.group("num")
    if m.group("cur") and num.split()[0].split("-")[0].lower() in CARDINALS:
        return None  # "$ one" is not an amount
    return number_value(num)


_ONE_UNIT = re.compile(
    r"\b(?:a|an|the\s+first)\s+(?P<unit>minute|hour|day|week|fortnight|month|year|kilogram|kilo|gigabyte|terabyte)\b",
    re.IGNORECASE,
)
# A lifetime warranty is a length of time longer than any other a policy gives.
_LIFETIME = re.compile(r"\blifetime\b", re.IGNORECASE)
LIFETIME_YEARS = 1000.0


_RATE = re.compile(r"(?:\b(?:once|twice|thrice|times)|\d+\s*[A-Za-z%]*)\s*$", re.IGNORECASE)


def quantities(text: str) -> list[Quantity]:
    out = _figures(text)
    taken = [(q.start, q.end) for q in out]
    # "a year", "an hour", "a terabyte": one of the unit, where no figure stands already.
    for m in _ONE_UNIT.finditer(text):
        if _RATE.search(text[max(0, m.start() - 20) : m.start()]):
            continue  # "once a day", "50 mg a day": a rate, not a length
        if not any(a < m.end() and m.start() < b for a, b in taken):
            unit = stem(m.group("unit").lower())
            out.append(Quantity(1.0, unit, m.start(), m.end(), _bound(text, m.start(), m.end())))
    for m in _LIFETIME.finditer(text):
        out.append(Quantity(LIFETIME_YEARS, "year", m.start(), m.end(), _bound(text, m.start(), m.end())))
    return sorted(out, key=lambda q: q.start)


def _figures(text: str) -> list[Quantity]:
    out: list[Quantity] = []
    pending: tuple[re.Match[str], float] | None = None  # a bare number that may open a range
    for m in _QUANTITY.finditer(text):
        value = _number(m)
        if value is None:
            pending = None
            continue
        unit = _unit_of(m)
        if not unit or unit in _NOT_UNITS:
            # "3 to 5 days": a bare figure, or one whose "unit" is the range word, may open a range.
            pending = (m, value)
            continue
        if pending is not None and _RANGE_GAP.fullmatch(text[pending[0].end("num") : m.start()]):
            first, low = pending
            start = first.start()
            out.append(Quantity(value, unit, start, m.end(), "range", low))
        else:
            bound = _bound(text, m.start(), m.end())
            out.append(Quantity(value, unit, m.start(), m.end(), bound))
        pending = None
    return out


def _admits(stated: Quantity, claimed: Quantity) -> bool:
    """Whether a stated figure allows the claimed one (same dimension assumed)."""
    if claimed.bound in {"upper", "lower"}:
        # Bounds compare with bounds of the same kind only; anything else proves nothing.
        tolerance = _tolerance(stated, claimed)
        return stated.bound != claimed.bound or _same(stated.base(stated.value), claimed.base(claimed.value), tolerance)
    lo, hi = stated.interval
    c_lo, c_hi = claimed.interval
    if claimed.bound == "approx":
        return c_lo <= hi and lo <= c_hi
    tolerance = _tolerance(stated, claimed)
    return (lo <= c_lo or _same(lo, c_lo, tolerance)) and (c_hi <= hi or _same(c_hi, hi, tolerance))


def _bears_out(stated: Quantity, claimed: Quantity) -> bool:
    """Whether a figure elsewhere in the evidence allows the claimed one on its own terms.

    Unlike `_admits`, a figure that proves nothing about a bound does not count: the warranty's
    "two years" does not bear out "register within 60 days" where the sentence about registering
    says "within 30 days"; an exact or ranged figure bears out a bound it lies within.
    """
    if claimed.bound not in {"upper", "lower"}:
        return _admits(stated, claimed)
    if stated.bound in {"upper", "lower"}:
        return stated.bound == claimed.bound and _admits(stated, claimed)
    lo, hi = stated.interval
    c_lo, c_hi = claimed.interval
    tolerance = _tolerance(stated, claimed)
    if claimed.bound == "upper":
        return hi <= c_hi or _same(hi, c_hi, tolerance)
    return lo >= c_lo or _same(lo, c_lo, tolerance)


def _refutes(stated: list[Quantity], claimed: Quantity) -> bool:
    """The stated figures of the claim's dimension, none of which admits it (and at least one)."""
    same_dim = [s for s in stated if s.dim == claimed.dim and s.bound != "potential"]
    return bool(same_dim) and not any(_admits(s, claimed) for s in same_dim)


def _clauses(sentence: str) -> list[str]:
    return [c for c in _CLAUSE.split(sentence) if c.strip()]


def _value_words(text: str) -> set[str]:
    """Words that are the value, not what it is about: numbers, spelled cardinals, "unlimited"."""
    return {stem(w) for w in content_words(text) if w.isdigit() or w in CARDINALS or w in {"unlimited", "lifetime"}}


def _head(claim: str, values: set[str]) -> str | None:
    """The last word of the claim's first run of content words, two at most (a compound noun; a
    longer run has run into the verb): "The mattress cover has …" is about the cover, "The
    battery on the e-bike …" about the battery."""
    run = _subject(claim, values)
    return run[-1] if run else None


def _another_kind(claim: str, sentence: str, evidence: str) -> bool:
    """The claim's subject is another kind of the sentence's: the same head word after another
    word the evidence never uses ("Express shipping" against "Standard shipping takes 3 to 5
    days"). Its figure is not the sentence's to contradict."""
    said, stated = _subject(claim, _value_words(claim)), _subject(sentence, _value_words(sentence))
    if len(said) != 2 or len(stated) != 2 or said[1] != stated[1] or said[0] == stated[0]:
        return False
    return said[0] not in content_stems(evidence)


_POSSESSIVE = re.compile(r"\b([A-Za-z]+)['’]s\s+([A-Za-z]+)")


def _unnamed_part(claim: str, evidence: str) -> bool:
    """The claim speaks of a part the evidence never names, of a thing it does: "the washing
    machine's drum" against "the washing machine is under warranty for 3 years, with the exception
    of the door seal". The evidence says nothing of the drum's figure."""
    m = _POSSESSIVE.search(claim)
    if m is None or m.group(2).lower() in STOPWORDS:
        return False
    stems = content_stems(evidence)
    return (
        shared_share({stem(m.group(1).lower())}, stems) == 1.0
        and shared_share({stem(m.group(2).lower())}, stems) == 0.0
    )


def _subject(claim: str, values: set[str]) -> list[str]:
    """The claim's first run of content words, two at most, as stems."""
    run: list[str] = []
    for w in words(claim):
        content = w not in STOPWORDS and len(w) > 1 and stem(w) not in values
        if content:
            run.append(stem(w.split("'")[0].split("’")[0]))
        elif run:
            break
        if len(run) == 2:
            break
    return run


def _own_items(clauses: list[str]) -> list[set[str]]:
    """The words each clause has and no other clause has, values, units and an exception's
    lead-in aside: the thing a part's or an exception's clause is about ("door seal")."""
    units = {q.unit for c in clauses for q in quantities(c)}
    stems = [content_stems(_LEAD_IN.sub(" ", c)) - _value_words(c) - units for c in clauses]
    return [s - set().union(*(o for j, o in enumerate(stems) if j != i)) for i, s in enumerate(stems)]


ITEM_SHARE = 0.5  # share of a later clause's own words a claim must name to be about its thing


def clause_of(claim: str, sentence: str) -> str | None:
    """The clause of `sentence` that is clearly the claim's: a later clause whose own thing the
    claim names (a part, an exception: "door seal included" is about "..., with the exception of
    the door seal, which is covered for 12 months", whatever else of the first clause it repeats),
    else the clause with more of its words than any other, or on a tie the one that holds the
    claim's head word (its subject, most often)."""
    clauses = _clauses(sentence)
    if len(clauses) < 2:
        return None
    values = _value_words(claim)
    stems = content_stems(claim) - values
    if not re.search(rf"\b(?:{_EXCEPTION}|except)\b", claim, re.IGNORECASE):
        named = [
            c
            for c, own in zip(clauses[1:], _own_items(clauses)[1:], strict=True)
            if own and shared_share(own, stems) >= ITEM_SHARE
        ]
        if len(named) == 1:
            return named[0]
    scored = sorted(((len(stems & content_stems(c)), c) for c in clauses), key=lambda x: -x[0])
    if scored[0][0] > scored[1][0]:
        return scored[0][1]
    subject = _head(claim, values)
    tied = [c for n, c in scored if n == scored[0][0] and n > 0]
    holding = [c for c in tied if subject is not None and subject in content_stems(c)]
    return holding[0] if len(holding) == 1 else None


_CAP = re.compile(
    r"\b(?:up\s+to|at\s+most|no\s+more\s+than|a\s+maximum\s+of|maximum\s+of|limited\s+to|capped\s+at)\s+[$€£¥]?\d|"
    r"\d+\s*(?:\w+\s+)?(?:max(?:imum)?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Unlimited:
    start: int
    end: int


def _contradicted_unlimited(claim: str, own: str) -> _Unlimited | None:
    """The claim's "unlimited" against a cap in the clause it is about."""
    m = _UNLIMITED.search(claim)
    if m is None or _UNLIMITED.search(own) or not _CAP.search(own):
        return None
    return _Unlimited(m.start(), m.end())


def contradicted_quantity(claim: str, sentence: str, evidence: str) -> Quantity | None:
    """The claim's quantity that `sentence` contradicts, if any (see the module docstring)."""
    # Pronouns and modals are not what a figure is about ("you'll be charged a $40 fee"); words the
    # stemmer leaves apart count as shared ("cancel" / "cancellation").
    # Nor is the unit ("two weeks' notice" is about the notice, whatever the evidence counts it in).
    units = {stem(q.unit) for q in quantities(claim)}
    claim_stems = content_stems(LIGHT.sub(" ", claim)) - _value_words(claim) - units
    if not claim_stems or shared_share(claim_stems, content_stems(sentence)) < MIN_SHARED:
        return None
    if _another_kind(claim, sentence, evidence) or _unnamed_part(claim, evidence):
        return None
    own = clause_of(claim, sentence)
    unlimited = _contradicted_unlimited(claim, own or sentence)
    if unlimited is not None:
        return Quantity(float("inf"), "unlimited", unlimited.start, unlimited.end)
    stated = quantities(evidence)
    own_figures = quantities(own or "")
    in_sentence = quantities(sentence)
    claimed = [q for q in quantities(claim) if q.bound != "potential"]
    for q in claimed:
        # Only a claim with one figure of this kind: "bake 30 minutes, then 15 more" spans clauses.
        single = sum(1 for o in claimed if o.dim == q.dim) == 1
        if single and _refutes(own_figures, q):
            return q  # the claim's own clause gives this kind of figure another value
        if any(s.dim == q.dim and _bears_out(s, q) for s in stated):
            continue
        if _refutes(in_sentence, q):
            return q
    return None


def unstated_quantity(claim: str, evidence: str) -> Quantity | None:
    """A figure of the claim, in a unit that converts (time, money, mass, bytes) or a percentage,
    that no figure of the evidence admits: "answers calls within five minutes" against evidence
    that gives no time at all. An entailment the NLI model reads for such a claim rests on the
    rest of its words."""
    claimed = [
        q
        for q in quantities(claim)
        if q.bound != "potential" and (q.unit in _SCALE or q.unit in _CURRENCY.values() or q.unit == "%")
    ]
    if not claimed:
        return None
    # Every claim of a draft is checked against the same evidence: read its figures once.
    stated = _stated(evidence)
    for q in claimed:
        if not any(s.dim == q.dim and _admits(s, q) for s in stated):
            return q
    return None


@functools.lru_cache(maxsize=8)
def _stated(evidence: str) -> tuple[Quantity, ...]:
    return tuple(quantities(evidence))


def _confirms(stated: Quantity, claimed: Quantity) -> bool:
    """A stated figure that gives the claimed one (a bound only by the same bound)."""
    if stated.dim != claimed.dim or stated.bound == "potential":
        return False
    if claimed.bound in {"upper", "lower"}:
        if stated.bound == "range" and stated.low is not None:
            # "no more than five days" is what "3 to 5 days" says of its longest.
            end = stated.value if claimed.bound == "upper" else stated.low
            return _same(stated.base(end), claimed.base(claimed.value))
        return stated.bound == claimed.bound and _same(stated.base(stated.value), claimed.base(claimed.value))
    return _admits(stated, claimed)


# Verbs that carry a figure without saying what it is of ("it takes 5 to 7 days", "you get 2 GB",
# "costs $25", "once an order goes over $25", "offered on orders over £40"), the words of a
# figure's bound ("within", "a maximum of"), "of charge" after "free", and quantifiers.
_CARRIERS = re.compile(
    r"\b(?:takes?|took|gets?|got|ha(?:ve|s|d)|costs?|pa(?:y|ys|id)|charg(?:e|es|ed)|go(?:es)?|went|offer(?:s|ed)?|"
    r"(?<=free\s)of\s+charge|every|each|all|any|" + "|".join(_BEFORE[k] for k in ("upper", "lower", "approx")) + r")\b",
    re.IGNORECASE,
)


def _topic(text: str, figures: list[Quantity], units: set[str]) -> set[str]:
    """What `text` says its figures are of: its content words, less the figures (their words too,
    "the first year"), their units, pronouns, modals and verbs that only carry a figure."""
    for q in sorted(figures, key=lambda q: -q.start):
        text = text[: q.start] + " " + text[q.end :]
    stems = content_stems(_CARRIERS.sub(" ", LIGHT.sub(" ", text))) - _value_words(text) - units
    return {SYNONYMS.get(s, s) for s in stems}


def confirmed_quantities(claim: str, sentence: str) -> bool:
    """Every figure of the claim is given by its own clause of `sentence` (or the sentence), and the
    two are about the same thing (`scoring.text.same_topic`, figures aside)."""
    claimed = quantities(claim)
    if not claimed or any(q.bound == "potential" for q in claimed) or _UNLIMITED.search(claim):
        return False
    own = clause_of(claim, sentence) or sentence
    figures = quantities(own)
    # The units are part of the values: "invoices are kept for two years" shares "years" with
    # "your data is kept for two years" and is about something else all the same.
    units = {q.unit for q in (*claimed, *figures)}
    if not same_topic(_topic(claim, claimed, units), _topic(own, figures, units)):
        return False
    return all(any(_confirms(s, q) for s in figures) for q in claimed)
