"""Deterministic checks that fluency cannot fool.

Numbers, amounts, percentages, dates, durations, URLs, e-mails and ID-like tokens in the draft
must appear in at least one passage. Values are normalised before comparison, so "24 months"
matches "two years", "$1,200" matches "1200 USD" and "1.2 million" matches "1,200,000".
Per-queue `GuardrailRules` add block regexes and allow-lists (strings that never count as
unsupported: the company's own phone number, "24/7", a product code).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from scoring.errors import ConfigurationError

Kind = Literal["number", "amount", "percentage", "date", "duration", "url", "email", "id"]
ALL_KINDS: tuple[str, ...] = ("number", "amount", "percentage", "date", "duration", "url", "email", "id")

_NUMBER_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "thousand": 1000,
    "dozen": 12,
    "half": 0.5,
    "single": 1,
    "double": 2,
    "twice": 2,
    "once": 1,
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "tenth": 10,
}
_SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
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
    "minute": ("s", 60),
    "hour": ("s", 3600),
    "day": ("d", 1),
    "week": ("d", 7),
    "fortnight": ("d", 14),
    "month": ("mo", 1),
    "year": ("mo", 12),
    "decade": ("mo", 120),
}

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_WORDNUM = (
    r"(?:"
    + "|".join(
        sorted(
            (
                w
                for w in _NUMBER_WORDS
                if w
                not in {
                    "first",
                    "second",
                    "third",
                    "fourth",
                    "fifth",
                    "tenth",
                    "once",
                    "single",
                    "double",
                    "twice",
                    "half",
                    "hundred",
                    "thousand",
                }
            ),
            key=len,
            reverse=True,
        )
    )
    + r")(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
)
_SCALE = r"(?:\s?(?:thousand|million|billion|trillion|bn|mn|tn|[kKmMbB])\b)?"
_CURRENCY_SYM = r"(?:US\$|A\$|C\$|[$€£¥₹])"
_CURRENCY_CODE = r"(?:USD|EUR|GBP|JPY|INR|CAD|AUD|CHF|dollars?|euros?|pounds?|yen|rupees?)"
_MONTH_RE = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("url", re.compile(r"\bhttps?://[^\s<>\"')\]]+|\bwww\.[^\s<>\"')\]]+", re.IGNORECASE)),
    ("email", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    (
        "date",
        re.compile(
            r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|"
            rf"\b{_MONTH_RE}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b|"
            rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_RE}(?:,?\s+\d{{4}})?\b|"
            rf"\b{_MONTH_RE}\s+\d{{4}}\b",
            re.IGNORECASE,
        ),
    ),
    (
        "amount",
        re.compile(
            rf"{_CURRENCY_SYM}\s?(?:{_NUM}){_SCALE}|\b(?:{_NUM}){_SCALE}\s?{_CURRENCY_CODE}\b",
            re.IGNORECASE,
        ),
    ),
    ("percentage", re.compile(rf"(?:\b(?:{_NUM})|\b{_WORDNUM})\s?(?:%|percent\b|per cent\b|pct\b)", re.IGNORECASE)),
    (
        "id",
        # Letters and digits mixed, five characters or more ("INV-2024-0042", "A1B2C3", "SKU9921").
        re.compile(r"\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9_-]{4,}\b"),
    ),
    (
        "duration",
        re.compile(
            rf"(?:\b(?:{_NUM})|\b{_WORDNUM})[\s-]+"
            r"(?:seconds?|minutes?|hours?|days?|weeks?|fortnights?|months?|years?|decades?)\b",
            re.IGNORECASE,
        ),
    ),
    ("number", re.compile(rf"(?<![\w.])(?:{_NUM})(?:st|nd|rd|th)?{_SCALE}(?![\w])", re.IGNORECASE)),
]
_ORDINAL_WORD_NUMBER = re.compile(rf"\b{_WORDNUM}\b", re.IGNORECASE)
# Phrases that look like numbers and are not factual claims about the world.
# "26-year-old", "60-days-a-year", "3rd-quarter" are a number with words, not identifiers.
_ID_FALSE_POSITIVES = re.compile(
    r"^(?:\d+(?:st|nd|rd|th|s|am|pm|k|m|b|bn|mn|x)|[A-Za-z]+\d?|\d+(?:st|nd|rd|th)?(?:-[A-Za-z]+)+)$",
    re.IGNORECASE,
)


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
    _compiled: tuple[Any, ...] = field(default=(), repr=False, compare=False)

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> GuardrailRules:
        if not d:
            return cls()
        if not isinstance(d, dict):
            raise ConfigurationError("guardrail rules must be an object")
        check = tuple(d.get("check", ALL_KINDS))
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


def _parse_number(raw: str) -> float | None:
    s = raw.strip().lower().replace(",", "")
    s = re.sub(r"(?<=\d)(st|nd|rd|th)$", "", s)
    scale = 1.0
    m = re.match(r"^(.*?)\s?(thousand|million|billion|trillion|bn|mn|tn|k|m|b)$", s)
    if m and m.group(1) and re.search(r"\d", m.group(1)):
        s, scale = m.group(1).strip(), _SCALES[m.group(2)]
    try:
        return float(s) * scale
    except ValueError:
        pass
    parts = re.split(r"[- ]", s)
    if all(p in _NUMBER_WORDS for p in parts):
        return float(sum(_NUMBER_WORDS[p] for p in parts)) * scale
    if s in {"a", "an"}:
        return 1.0
    return None


def _number_forms(value: float) -> set[Any]:
    # Rounded so that 1.20 == 1.2 and float noise from scaling does not matter.
    return {("n", round(value, 6))}


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
    if kind in {"amount", "percentage", "number"}:
        m = re.search(rf"(?:{_NUM})(?:\s?(?:thousand|million|billion|trillion|bn|mn|tn|k|m|b)\b)?", low)
        raw = m.group() if m else None
        if raw is None:
            w = _ORDINAL_WORD_NUMBER.search(low)
            raw = w.group() if w else None
        value = _parse_number(raw) if raw else None
        return frozenset(_number_forms(value)) if value is not None else frozenset()
    if kind == "duration":
        m = re.match(r"^(.*?)[\s-]+([a-z]+?)s?$", low)
        if not m:
            return frozenset()
        value = _parse_number(m.group(1))
        unit = _DURATION_UNITS.get(m.group(2))
        if value is None or unit is None:
            return frozenset()
        dim, factor = unit
        forms: set[Any] = {(dim, round(value * factor, 6))}
        return frozenset(forms)
    return frozenset()


def _date_forms(low: str) -> set[Any]:
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


def extract_entities(text: str, *, kinds: tuple[str, ...] = ALL_KINDS, evidence: bool = False) -> list[Entity]:
    """Entities in text, longest/most specific kind first; spans never overlap."""
    taken: list[tuple[int, int]] = []
    out: list[Entity] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            a, b = m.start(), m.end()
            if any(a < tb and ta < b for ta, tb in taken):
                continue
            frag = m.group()
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
        # In the evidence, spelled-out numbers count too ("two years", "three people").
        for m in _ORDINAL_WORD_NUMBER.finditer(text):
            value = _parse_number(m.group())
            if value is not None:
                out.append(Entity("number", m.group(), m.start(), m.end(), frozenset(_number_forms(value))))
    return out


def evidence_forms(passage_texts: list[str]) -> set[Any]:
    """Every canonical form found anywhere in the evidence, plus the lower-cased text itself."""
    forms: set[Any] = set()
    for text in passage_texts:
        for ent in extract_entities(text, evidence=True):
            forms |= ent.values
            # A duration or amount also supports its bare number ("24 months" → 24).
            if ent.kind in {"duration", "amount", "percentage"}:
                n = _canonical("number", ent.text)
                forms |= n
                if ent.kind == "duration":
                    dim, v = next(iter(ent.values))
                    # Convert both ways within a dimension so months↔years and days↔weeks meet.
                    forms.add((dim, v))
    return forms


def _supported(ent: Entity, forms: set[Any], evidence_lower: str) -> bool:
    if ent.values & forms:
        return True
    if ent.kind == "duration":
        # A duration is also supported when its number appears bare in the evidence.
        num = _canonical("number", ent.text)
        if num and num & forms:
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
