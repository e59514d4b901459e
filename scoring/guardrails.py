"""Deterministic checks that fluency cannot fool.

Numbers, amounts, percentages, dates, times, durations, URLs, e-mails and ID-like tokens in the
draft must appear in at least one passage. Values are compared by value, not by string: "24
months" matches "two years", "$1,200" matches "1200 USD" and "1,200.00", "1.2 million" matches
"1,200,000", "50%" matches "50 percent" and "half", "3rd" matches "third", "8 PM" matches the
24-hour "20:00" (or "20:0") of a record, "1990s" matches 1990 and a bare year matches a full date
in that year.

What is structure rather than a claim never counts: citation markers ("(Passage 2)", "[1]",
"passages 1 and 3", "Source 3", "doc 1"), list numbering at a line start or after a colon ("1.",
"2)", "Step 3:", "(a)", "#1") and references to the draft's own steps ("repeat steps 7 and 8").

Per-queue `GuardrailRules` add block regexes and allow-lists (strings that never count as
unsupported: the company's own phone number, "24/7", a product code).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from scoring.errors import ConfigurationError
from scoring.text import CARDINALS

ALL_KINDS: tuple[str, ...] = ("number", "amount", "percentage", "date", "time", "duration", "url", "email", "id")
# Times were checked as plain numbers before the "time" kind existed, so stored rules that list
# "number" but predate "time" keep checking times (see `GuardrailRules.from_dict`).
_KINDS_BEFORE_TIME = frozenset(ALL_KINDS) - {"time"}

_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
    "fortieth": 40,
    "fiftieth": 50,
    "sixtieth": 60,
    "seventieth": 70,
    "eightieth": 80,
    "ninetieth": 90,
    "hundredth": 100,
}
_NUMBER_WORDS: dict[str, float] = {
    **CARDINALS,
    **_ORDINALS,
    "hundred": 100,
    "thousand": 1000,
    "dozen": 12,
    "half": 0.5,
    "single": 1,
    "double": 2,
    "twice": 2,
    "once": 1,
}
_SCALES = {
    "hundred": 1e2,
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
# Duration units → (dimension, factor to the base unit of that dimension).
_DURATION_UNITS = {
    "second": ("s", 1),
    "sec": ("s", 1),
    "minute": ("s", 60),
    "min": ("s", 60),
    "hour": ("s", 3600),
    "hr": ("s", 3600),
    "day": ("d", 1),
    "week": ("d", 7),
    "fortnight": ("d", 14),
    "month": ("mo", 1),
    "year": ("mo", 12),
    "decade": ("mo", 120),
    "century": ("mo", 1200),
    "centurie": ("mo", 1200),
}
# Fractions in words that state a share ("half of the users" supports "50%").
_FRACTION_WORDS = {
    "half": 0.5,
    "one half": 0.5,
    "a half": 0.5,
    "a quarter": 0.25,
    "one quarter": 0.25,
    "three quarters": 0.75,
    "a third": 0.33,
    "one third": 0.33,
    "two thirds": 0.67,
}

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_TENS = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
_UNITS = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_WORD_JOIN = r"(?:\s*-\s*|\s)"
_WORDNUM = (
    rf"(?:{_TENS}(?:{_WORD_JOIN}{_UNITS}\b)?|"
    + "|".join(sorted((w for w in CARDINALS if not w.endswith("ty")), key=len, reverse=True))
    + r")"
)
_ORDWORD = rf"(?:{_TENS}{_WORD_JOIN})?(?:" + "|".join(sorted(_ORDINALS, key=len, reverse=True)) + r")"
_SCALE_WORDS = r"(?:thousand|million|billion|trillion|bn|mn|mln|tn|[kKmMbB])"
_SCALE = rf"(?:\s?{_SCALE_WORDS}\b)?"
_CURRENCY_SYM = r"(?:US\$|A\$|C\$|R\$|[$€£¥₹])"
_CURRENCY_CODE = r"(?:USD|EUR|GBP|JPY|INR|CAD|AUD|CHF|dollars?|euros?|pounds?|yen|rupees?|bucks)"
_MONTH_RE = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR_SEP = r"(?:\s*,\s*|\s+)"
_MERIDIEM = r"(?:[ap]\.\s?m\.|[ap]\.?\s?m\b)"
_TIME_RE = (
    # "8:00 PM", "11 a.m.", "8pm", the 24-hour "20:00" and the "20:0" of business-hours records.
    rf"(?<![\w:.,/])\d{{1,2}}(?::\d{{2}})?(?::\d{{2}})?\s?{_MERIDIEM}|"
    rf"(?<![\w:.,/])\d{{1,2}}:\d{{1,2}}(?::\d{{2}})?(?![\d:/])|"
    # the bare start of a range whose end carries the meridiem: the "8" of "8 to 10pm".
    rf"(?<![\w:.,/$])\d{{1,2}}(?::\d{{2}})?(?=\s?(?:-|–|to|until|till)\s?\d{{1,2}}(?::\d{{2}})?\s?{_MERIDIEM})|"
    r"\b\d{1,2}\s?o['’]clock\b|\b(?:noon|midday|midnight)\b"
)

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("url", re.compile(r"\bhttps?://[^\s<>\"')\]]+|\bwww\.[^\s<>\"')\]]+", re.IGNORECASE)),
    ("email", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    (
        "date",
        re.compile(
            r"\b\d{4}-\d{1,2}-\d{1,2}(?!\d)|\b\d{1,2}/\d{1,2}/\d{2,4}\b|"
            rf"\b{_MONTH_RE}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:{_YEAR_SEP}\d{{4}})?\b|"
            rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_RE}(?:{_YEAR_SEP}\d{{4}})?\b|"
            rf"\b{_MONTH_RE}\s+(?:of\s+)?\d{{4}}\b",
            re.IGNORECASE,
        ),
    ),
    # A span of years ("2018–19", "1939-1945") and a decade ("1990s", "1990's", "'90s").
    ("date", re.compile(r"(?<![\w-])(?:1\d{3}|20\d{2})\s?[–-]\s?(?:\d{4}|\d{2})(?![\d–-])")),
    ("date", re.compile(r"\b(?:1\d{2}0|20\d0)['’]?s\b|(?<!\w)['’]\d0s\b")),
    ("time", re.compile(_TIME_RE, re.IGNORECASE)),
    (
        "amount",
        re.compile(
            rf"{_CURRENCY_SYM}\s?(?:{_NUM}){_SCALE}|\b(?:{_NUM}){_SCALE}\s?{_CURRENCY_CODE}\b|"
            rf"\b(?:USD|EUR|GBP|INR|CAD|AUD|CHF|Rs\.?)\s?(?:{_NUM}){_SCALE}",
            re.IGNORECASE,
        ),
    ),
    (
        "percentage",
        re.compile(
            rf"(?:\b(?:{_NUM})|\b{_WORDNUM})\s?(?:%|percent\b|per cent\b|pct\b|percentage points?\b)",
            re.IGNORECASE,
        ),
    ),
    (
        "id",
        # Letters and digits mixed, five characters or more ("INV-2024-0042", "A1B2C3", "SKU9921").
        re.compile(r"\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9_-]{4,}\b"),
    ),
    (
        "duration",
        re.compile(
            rf"(?:\b(?:{_NUM})|\b{_WORDNUM})[\s-]+"
            r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|fortnights?|months?|years?|"
            r"decades?|century|centuries)\b",
            re.IGNORECASE,
        ),
    ),
    # A number glued to letters by a hyphen ("COVID-19", "indole-3-carbinol", "F-16") is a name.
    ("number", re.compile(rf"(?<![\w.])(?<![A-Za-z]-)(?:{_NUM})(?:st|nd|rd|th)?{_SCALE}(?![\w])", re.IGNORECASE)),
]
# Spelled-out numbers, counted in the evidence only ("two years", "four billion", "third").
_WORD_NUMBER = re.compile(
    rf"\b(?:{_ORDWORD}|{_WORDNUM}(?:\s+hundred)?(?:\s+(?:thousand|million|billion|trillion))?)\b", re.IGNORECASE
)
_FRACTION = re.compile(r"\b(?:" + "|".join(sorted(_FRACTION_WORDS, key=len, reverse=True)) + r")\b", re.IGNORECASE)
# Spoken decimals in transcripts: "twelve dot fifty", "twelve euros and fifty cents".
_SPOKEN_DECIMAL = re.compile(
    rf"\b({_WORDNUM})\s+(?:(?:dot|point)\s+({_WORDNUM})|{_CURRENCY_CODE}\s+and\s+({_WORDNUM})\s+"
    r"(?:cents?|centimes?|pence))\b",
    re.IGNORECASE,
)
# A bare hour in the evidence where a time is meant ("let's make it 7", "open until 9."):
# it supports "7 pm" / "7 am" in the draft.
_BARE_HOUR = re.compile(
    r"\b(?:at|by|until|till|around|about|from|before|after|it|to)\s+(?:about\s+)?(\d{1,2})"
    r"(?![\d:,.]\d|\s?(?:%|[a-z\d]))",
    re.IGNORECASE,
)
# Phrases that look like numbers and are not factual claims about the world.
# "26-year-old", "60-days-a-year", "3rd-quarter" are a number with words, not identifiers;
# "COVID-19" and "H1N1" are names.
_ID_FALSE_POSITIVES = re.compile(
    r"^(?:\d+(?:st|nd|rd|th|s|am|pm|k|m|b|bn|mn|x)|[A-Za-z]+\d?|\d+(?:st|nd|rd|th)?(?:-[A-Za-z]+)+|"
    r"covid-?19|sars-cov-?2|h\d{1,2}n\d{1,2})$",
    re.IGNORECASE,
)

# Structure that is not a claim: citation markers, list numbering, references to own steps.
_CITE_NOUN = r"(?:passages?|sources?|documents?|docs?|references?|refs?|excerpts?|snippets?|contexts?)"
_NUM_LIST = r"#?\d{1,2}(?:\s*(?:,|&|and|or|to|through|-|–)\s*#?\d{1,2})*"
_STRUCTURE = re.compile(
    rf"\b{_CITE_NOUN}\s*(?:no\.?\s*)?{_NUM_LIST}\b|"
    r"\[\s*\d{1,3}(?:\s*[,;–-]\s*\d{1,3})*\s*\]|"
    rf"\bsteps?\s+{_NUM_LIST}\b|"
    r"(?:^|(?<=[\n:]))[ \t]*(?:(?:step|item|part|point|tip|option|method)\s+\d{1,2}\s*[:.)-]?|"
    r"\(?\d{1,2}[.)]|\(?[a-z][.)]|#\d{1,2}\b|\(\d{1,2}\))(?=\s)|"
    r"(?:^|(?<=[\s;,]))\(\d{1,2}\)(?=\s)",
    re.IGNORECASE,
)


def _structure_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of citation markers and list numbering: never checked."""
    return [(m.start(), m.end()) for m in _STRUCTURE.finditer(text) if m.end() > m.start()]


@dataclass(frozen=True)
class Entity:
    kind: str
    text: str
    start: int
    end: int
    values: frozenset[Any]  # canonical forms; any overlap with the evidence's forms is support


@dataclass(frozen=True)
class GuardrailHit:
    kind: str  # unsupported_<entity kind> | blocked_pattern
    text: str
    start: int
    end: int
    rule: str
    action: str = "review"  # review | block

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "rule": self.rule,
            "action": self.action,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> GuardrailHit:
        return cls(**d)


@dataclass(frozen=True)
class BlockRule:
    name: str
    pattern: str
    action: str = "block"  # block | review
    ignore_case: bool = True

    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.pattern, re.IGNORECASE if self.ignore_case else 0)


@dataclass(frozen=True)
class GuardrailRules:
    version: str = "default"
    check: tuple[str, ...] = ALL_KINDS
    block: tuple[BlockRule, ...] = ()
    allow: tuple[str, ...] = ()  # literal strings (case-insensitive) that never count
    allow_patterns: tuple[str, ...] = ()
    min_number: float = 2  # plain numbers below this (0, 1) are too common to check

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> GuardrailRules:
        if not d:
            return cls()
        if not isinstance(d, dict):
            raise ConfigurationError("guardrail rules must be an object")
        check = tuple(d.get("check", ALL_KINDS))
        if "number" in check and "time" not in check and set(check) <= _KINDS_BEFORE_TIME and "check" in d:
            # Rules stored before the "time" kind checked times as numbers: keep checking them.
            check = (*check, "time")
        unknown = set(check) - set(ALL_KINDS)
        if unknown:
            raise ConfigurationError(f"unknown guardrail kinds: {sorted(unknown)}")
        block = []
        for i, raw in enumerate(d.get("block", [])):
            if isinstance(raw, str):
                raw = {"name": f"block_{i}", "pattern": raw}
            rule = BlockRule(
                name=str(raw.get("name", f"block_{i}")),
                pattern=str(raw["pattern"]),
                action=str(raw.get("action", "block")),
                ignore_case=bool(raw.get("ignore_case", True)),
            )
            if rule.action not in {"block", "review"}:
                raise ConfigurationError(f"block rule {rule.name}: action must be block or review")
            try:
                rule.compiled()
            except re.error as exc:
                raise ConfigurationError(f"block rule {rule.name}: bad regex: {exc}") from exc
            block.append(rule)
        allow_patterns = tuple(str(p) for p in d.get("allow_patterns", []))
        for p in allow_patterns:
            try:
                re.compile(p)
            except re.error as exc:
                raise ConfigurationError(f"allow pattern {p!r}: bad regex: {exc}") from exc
        return cls(
            version=str(d.get("version", "custom")),
            check=check,
            block=tuple(block),
            allow=tuple(str(a) for a in d.get("allow", [])),
            allow_patterns=allow_patterns,
            min_number=float(d.get("min_number", 2)),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "check": list(self.check),
            "block": [
                {"name": r.name, "pattern": r.pattern, "action": r.action, "ignore_case": r.ignore_case}
                for r in self.block
            ],
            "allow": list(self.allow),
            "allow_patterns": list(self.allow_patterns),
            "min_number": self.min_number,
        }

    def merged(self, other: GuardrailRules | None) -> GuardrailRules:
        """Per-queue rules layered on the scorer's defaults: lists are concatenated."""
        if other is None:
            return self
        return GuardrailRules(
            version=f"{self.version}+{other.version}",
            check=other.check,
            block=self.block + other.block,
            allow=self.allow + other.allow,
            allow_patterns=self.allow_patterns + other.allow_patterns,
            min_number=other.min_number,
        )

    def is_allowed(self, text: str) -> bool:
        low = text.lower().strip()
        if any(low == a.lower().strip() for a in self.allow):
            return True
        return any(re.fullmatch(p, text, re.IGNORECASE) for p in self.allow_patterns)


def _parse_words(s: str) -> float | None:
    """ "twenty - five" → 25, "one hundred" → 100, "four billion" → 4e9, "twenty-first" → 21."""
    parts = [p for p in re.split(r"[\s-]+", s) if p]
    if not parts:
        return None
    total = current = 0.0
    for p in parts:
        if p in _SCALES and p not in {"k", "m", "b", "mn", "mln", "bn", "tn"} and p != "hundred":
            total += (current or 1) * _SCALES[p]
            current = 0
        elif p == "hundred":
            current = (current or 1) * 100
        elif p in _NUMBER_WORDS:
            current += _NUMBER_WORDS[p]
        else:
            return None
    return total + current


def _parse_number(raw: str) -> float | None:
    s = raw.strip().lower().replace(",", "")
    s = re.sub(r"(?<=\d)(st|nd|rd|th)$", "", s)
    scale = 1.0
    m = re.match(r"^(.*?)\s?(thousand|million|billion|trillion|bn|mn|mln|tn|k|m|b)$", s)
    if m and m.group(1) and re.search(r"\d", m.group(1)):
        s, scale = m.group(1).strip(), _SCALES[m.group(2)]
    try:
        return float(s) * scale
    except ValueError:
        pass
    if s in {"a", "an"}:
        return 1.0
    value = _parse_words(s)
    return value * scale if value is not None else None


def _number_forms(value: float) -> set[Any]:
    # Rounded so that 1.20 == 1.2 and float noise from scaling does not matter.
    return {("n", round(value, 6))}


def _time_forms(low: str) -> set[Any]:
    """Minutes after midnight; without a meridiem an hour up to 12 may be either half of the day."""
    low = low.strip()
    if low in {"noon", "midday"}:
        return {("t", 720)}
    if low == "midnight":
        return {("t", 0)}
    m = re.match(r"^(\d{1,2})(?::(\d{1,2}))?(?::\d{2})?\s?(?:o['’]clock|([ap])\.?\s?m\.?)?$", low)
    if not m:
        return set()
    h, mi = int(m.group(1)), int(m.group(2) or 0)
    if h > 24 or mi > 59:
        return set()
    if m.group(3):
        if not 1 <= h <= 12:
            return set()
        h = h % 12 + (12 if m.group(3) == "p" else 0)
        return {("t", h * 60 + mi)}
    h %= 24
    forms = {("t", h * 60 + mi)}
    if h <= 12:
        forms.add(("t", ((h + 12) % 24) * 60 + mi))
    return forms


def _canonical(kind: str, text: str) -> frozenset[Any]:
    low = text.lower()
    if kind == "url":
        u = re.sub(r"^https?://", "", low.rstrip(".,;:!?"))
        u = re.sub(r"^www\.", "", u).rstrip("/")
        return frozenset({("url", u)})
    if kind == "email":
        return frozenset({("email", low)})
    if kind == "id":
        return frozenset({("id", re.sub(r"[-_]", "", low))})
    if kind == "date":
        return frozenset(_date_forms(low))
    if kind == "time":
        return frozenset(_time_forms(low))
    if kind in {"amount", "percentage", "number"}:
        m = re.search(rf"(?:{_NUM})(?:\s?(?:thousand|million|billion|trillion|bn|mn|mln|tn|k|m|b)\b)?", low)
        raw = m.group() if m else None
        if raw is None:
            w = re.search(_WORDNUM, low)
            raw = w.group() if w else None
        value = _parse_number(raw) if raw else None
        if value is None:
            return frozenset()
        forms = _number_forms(value)
        if kind == "percentage":
            forms.add(("frac", round(value / 100, 2)))
        return frozenset(forms)
    if kind == "duration":
        m = re.match(r"^(.*?)[\s-]+([a-z]+?)s?$", low)
        if not m:
            return frozenset()
        value = _parse_number(m.group(1))
        unit = _DURATION_UNITS.get(m.group(2))
        if value is None or unit is None:
            return frozenset()
        dim, factor = unit
        return frozenset({(dim, round(value * factor, 6))})
    return frozenset()


def _date_forms(low: str) -> set[Any]:
    m = re.match(r"^(\d{4})\s?[–-]\s?(\d{2}|\d{4})$", low)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        if len(m.group(2)) == 2:
            b += a // 100 * 100
        if not a < b <= a + 100:
            return set()
        return {("years", a, b)}
    m = re.match(r"^(?:(\d{2})(\d0)|['’](\d0))['’]?s$", low)
    if m:
        decade = int(m.group(1) + m.group(2)) if m.group(1) else int(m.group(3)) + 1900
        return {("decade", decade), ("n", float(decade))}
    y = mo = d = None
    m = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", low)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{2,4})$", low)
        if m:
            # Ambiguous US/EU order: both readings are kept as possible forms.
            a, b, yy = int(m.group(1)), int(m.group(2)), int(m.group(3))
            yy = yy + 2000 if yy < 100 else yy
            return {("date", yy, a, b), ("date", yy, b, a), ("date", None, a, b), ("date", None, b, a)}
        month = next((v for k, v in _MONTHS.items() if re.search(rf"\b{k}\b", low)), None)
        nums = [int(x) for x in re.findall(r"\d+", low)]
        mo = month
        for n in nums:
            if n >= 1000:
                y = n
            elif 1 <= n <= 31:
                d = n
    forms: set[Any] = {("date", y, mo, d)}
    # A partial date in the draft is supported by a fuller one in the evidence and vice versa,
    # so every projection is added: (year, month), (month, day), (year,) ...
    forms.add(("date", None, mo, d))
    forms.add(("date", y, mo, None))
    return {f for f in forms if any(x is not None for x in f[1:])}


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    """text with the given ranges blanked out; offsets are unchanged."""
    if not spans:
        return text
    chars = list(text)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def extract_entities(text: str, *, kinds: tuple[str, ...] = ALL_KINDS, evidence: bool = False) -> list[Entity]:
    """Entities in text, longest/most specific kind first; spans never overlap.

    In a draft, citation markers and list numbering are skipped; in the evidence (`evidence=True`)
    every value counts, spelled-out ones included.
    """
    scan = text if evidence else _masked(text, _structure_spans(text))
    taken: list[tuple[int, int]] = []
    out: list[Entity] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(scan):
            a, b = m.start(), m.end()
            if any(a < tb and ta < b for ta, tb in taken):
                continue
            frag = text[a:b]  # from the original: the scan has citations blanked out
            if kind == "url":
                stripped = frag.rstrip(".,;:!?")
                b = a + len(stripped)
                frag = stripped
            if kind == "id" and _ID_FALSE_POSITIVES.match(frag):
                continue
            values = _canonical(kind, frag)
            if not values:
                continue
            taken.append((a, b))
            if kind in kinds or evidence:
                out.append(Entity(kind, frag, a, b, values))
    if evidence:
        # In the evidence, spelled-out numbers count too ("two years", "three people", "third").
        for m in _WORD_NUMBER.finditer(text):
            value = _parse_words(m.group().lower())
            if value is not None:
                out.append(Entity("number", m.group(), m.start(), m.end(), frozenset(_number_forms(value))))
        for m in _BARE_HOUR.finditer(text):
            hour = int(m.group(1))
            if 1 <= hour <= 12:
                hours = {("t", hour % 12 * 60), ("t", (hour % 12 + 12) * 60)}
                out.append(Entity("time", m.group(1), m.start(1), m.end(1), frozenset(hours)))
        for m in _FRACTION.finditer(text):
            share = _FRACTION_WORDS[re.sub(r"\s+", " ", m.group().lower())]
            out.append(Entity("number", m.group(), m.start(), m.end(), frozenset({("frac", share)})))
        for m in _SPOKEN_DECIMAL.finditer(text):
            whole, frac = _parse_words(m.group(1).lower()), _parse_words((m.group(2) or m.group(3)).lower())
            if whole is not None and frac is not None and frac < 100:
                value = whole + frac / (10 if frac < 10 and m.group(2) else 100)
                out.append(Entity("number", m.group(), m.start(), m.end(), frozenset(_number_forms(value))))
    return out


def evidence_forms(passage_texts: list[str]) -> set[Any]:
    """Every canonical form found anywhere in the evidence."""
    forms: set[Any] = set()
    for text in passage_texts:
        for ent in extract_entities(text, evidence=True):
            forms |= ent.values
            # A duration, amount, percentage or time also supports its bare number ("24 months"
            # → 24, "8:00" → 8 and 20); a date supports its year ("January 3, 1977" → 1977).
            if ent.kind in {"duration", "amount", "percentage"}:
                forms |= _canonical("number", ent.text)
            elif ent.kind == "time":
                for _, minutes in ent.values:
                    forms.add(("n", float(minutes // 60)))
                    forms.add(("n", float((minutes // 60) % 12 or 12)))
            elif ent.kind == "date":
                for v in ent.values:
                    if v[0] == "date" and v[1] is not None:
                        forms.add(("n", float(v[1])))
                    elif v[0] == "years":
                        forms.add(("n", float(v[1])))
                        forms.add(("n", float(v[2])))
            if ent.kind == "number":
                for v in ent.values:
                    if v[0] == "n" and 1000 <= v[1] <= 2100 and float(v[1]).is_integer():
                        forms.add(("decade", int(v[1]) // 10 * 10))
    for form in list(forms):
        if form[0] == "n" and 1000 <= form[1] <= 2100 and float(form[1]).is_integer():
            forms.add(("decade", int(form[1]) // 10 * 10))
    return forms


def _supported(ent: Entity, forms: set[Any], evidence_lower: str) -> bool:
    if ent.values & forms:
        return True
    if ent.kind == "duration":
        # A duration is also supported when its number appears bare in the evidence.
        num = _canonical("number", ent.text)
        if num and num & forms:
            return True
    if ent.kind == "date":
        # A span of years is supported when both of its ends are.
        for v in ent.values:
            if v[0] == "years" and ("n", float(v[1])) in forms and ("n", float(v[2])) in forms:
                return True
    if ent.kind in {"url", "email", "id"}:
        return ent.text.lower() in evidence_lower
    return False


def check_guardrails(
    draft: str,
    passages: list[str],
    rules: GuardrailRules | None = None,
    *,
    spans: list[tuple[int, int]] | None = None,
    context: tuple[str, ...] = (),
) -> list[GuardrailHit]:
    """Guardrail hits in the draft.

    `spans` limits the evidence checks to those ranges (the checkable claims: a number in
    "Here's the summary in 50 words:" is not a claim about the world); block rules always
    apply to the whole draft. `context` holds texts whose values count as given, though they
    are not evidence for the verifier (the user's own question: echoing "$50" from it is not
    a hallucination).
    """
    rules = rules or GuardrailRules()
    hits: list[GuardrailHit] = []
    for rule in rules.block:
        for m in rule.compiled().finditer(draft):
            if m.end() > m.start():
                hits.append(GuardrailHit("blocked_pattern", m.group(), m.start(), m.end(), rule.name, rule.action))
    if passages is not None and rules.check:
        known = [*passages, *context]
        forms = evidence_forms(known)
        evidence_lower = "\n".join(known).lower()
        for ent in extract_entities(draft, kinds=rules.check):
            if spans is not None and not any(a <= ent.start and ent.end <= b for a, b in spans):
                continue
            if rules.is_allowed(ent.text):
                continue
            if ent.kind == "number":
                vals = [v for v in ent.values if v[0] == "n"]
                if vals and abs(vals[0][1]) < rules.min_number:
                    continue
            if _supported(ent, forms, evidence_lower):
                continue
            hits.append(
                GuardrailHit(f"unsupported_{ent.kind}", ent.text, ent.start, ent.end, f"unsupported:{ent.kind}")
            )
    hits.sort(key=lambda h: (h.start, h.end))
    return hits
