"""`Field`, `ValueCheck`, `RecordCheck`, `KINDS`, the vocabularies parsers and checkers share, and field paths."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scoring.text import CARDINALS

KINDS = (
    "time_range",
    "time",
    "weekday",
    "money",
    "count",
    "number",
    "date",
    "boolean",
    "address",
    "name",
    "email",
    "phone",
    "id",
    "text",
)


@dataclass(frozen=True)
class Field:
    path: str
    key: str
    value: str
    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class ValueCheck:
    claim_start: int
    claim_end: int
    claim_text: str
    kind: str
    verdict: str  # "supported" | "refuted"
    field: Field
    reason: str


@dataclass(frozen=True)
class RecordCheck:
    checks: tuple[ValueCheck, ...]
    verdict: str | None
    coverage: float


# --------------------------------------------------------------------------------------------
# Shared vocabularies
# --------------------------------------------------------------------------------------------

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY_ALIASES: dict[str, int] = {}
for _i, _d in enumerate(DAYS):
    _DAY_ALIASES[_d.lower()] = _i
    _DAY_ALIASES[_d.lower()[:3]] = _i
for _alias, _i in {"tues": 1, "weds": 2, "thur": 3, "thurs": 3, "tu": 1, "th": 3}.items():
    _DAY_ALIASES[_alias] = _i

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_ALIASES: dict[str, int] = {}
for _i, _m in enumerate(MONTHS, start=1):
    _MONTH_ALIASES[_m] = _i
    _MONTH_ALIASES[_m[:3]] = _i
_MONTH_ALIASES["sept"] = 9

_NUMBER_WORDS = {**CARDINALS, "hundred": 100, "dozen": 12, "single": 1, "couple": 2, "pair": 2}

_STOP = frozenset(
    """
    a an the and or but if then else of to in on at by for with from as is are was were be been
    being it its this that these those there here he she they them his her their we our you your
    i me my not no do does did done have has had having will would can could should may might must
    shall so such than too very just also into over under about after before between during
    through up down out off again further once all any both each few more most other some own same
    only which who whom whose what when where why how while because until against above below s t
    don doesn didn isn aren wasn weren won wouldn currently per via well which around approximately
    about roughly just still yet get gets got let us please note noted listed shows show shown
    according record records data based say says said mentioned indicates indicated item
    """.split()  # noqa: SIM905 - a word list reads better as text
)

_STREET_ABBREV = {
    "street": "st",
    "str": "st",
    "avenue": "ave",
    "av": "ave",
    "road": "rd",
    "boulevard": "blvd",
    "drive": "dr",
    "lane": "ln",
    "court": "ct",
    "place": "pl",
    "parkway": "pkwy",
    "highway": "hwy",
    "terrace": "ter",
    "circle": "cir",
    "square": "sq",
    "suite": "ste",
    "apartment": "apt",
    "building": "bldg",
    "floor": "fl",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
    "mount": "mt",
    "saint": "st",
    "first": "1st",
    "second": "2nd",
    "third": "3rd",
    "fourth": "4th",
    "fifth": "5th",
    "sixth": "6th",
    "seventh": "7th",
    "eighth": "8th",
    "ninth": "9th",
    "tenth": "10th",
}
_STREET_TYPES = (
    r"Street|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Way|Court|Ct|Place|Pl|"
    r"Parkway|Pkwy|Highway|Hwy|Terrace|Ter|Circle|Cir|Square|Sq|Trail|Trl|Plaza|Pike|Row|Alley|Loop"
)

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")


# --------------------------------------------------------------------------------------------
# Field paths and values
# --------------------------------------------------------------------------------------------

_ROW = re.compile(r"^(?P<group>.*?)\[(?P<i>\d+)\]\.(?P<col>.+)$")
_ROW_NAME_KEYS = ("name", "title", "product", "plan", "item", "label", "store", "location", "tier", "sku_name")


def _humanise(key: str) -> str:
    key = re.sub(r"\[\d+\]$", "", key)
    if key.lower() in ("wifi", "wi-fi"):
        return key
    key = key.replace("_", " ").replace("-", " ")
    key = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z]{2,})|(?<=[A-Za-z])(?=\d)", " ", key)
    return " ".join(key.split())


def _last_key(path: str) -> str:
    p = re.sub(r"(\[\d+\])+$", "", path)
    last = p.rsplit(".", 1)[-1] if p else path
    return last or path


def _clean_value(value: str) -> str:
    v = value.strip()
    m = re.fullmatch(r"u?'(.*)'|u?\"(.*)\"", v, re.DOTALL)
    if m:
        v = m.group(1) if m.group(1) is not None else (m.group(2) or "")
    return v.strip()
