"""Verify claims against structured records (JSON, "key: value" lines, Markdown/CSV tables).

An NLI model cannot entail "open until 8 PM on Mondays" from ``{"hours": {"Monday": "11:0-20:0"}}``
and never calls a wrong value refuted. This module is the deterministic layer in front of it:

* `parse_record` turns a passage into `Field`s (path, humanised key, raw value, value kind and the
  value's offsets in the passage, so the review page can highlight it), or None for prose.
* `field_statements` renders the non-free-text fields as short English statements for an NLI model;
  `text_fields` returns the long free-text fields that should go to the NLI as prose.
* `check_claim` finds value mentions in a claim (times and weekday schedules, money, counts and
  numbers, dates, booleans/attributes, addresses, emails, phones, ids, closed-class names),
  matches each to a field by type and nearby key words, and compares values by type, so that
  format-only differences ("20:0" vs "8 PM", "$1,200" vs "1200 USD") are never refuted.

Nothing here raises on any input; where no field plausibly matches a mention, no check is made
(a refutation is never guessed). Pure Python, stdlib only.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from scoring.cues import CONTRAST_WORDS, negation_pattern
from scoring.text import CARDINALS

__all__ = [
    "Field",
    "RecordCheck",
    "ValueCheck",
    "check_claim",
    "field_statements",
    "parse_record",
    "text_fields",
]

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


SUPPORTED_COVERAGE = 0.6
_MAX_TEXT = 200_000
_MAX_DEPTH = 40

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

# Boolean attribute keys (lower-cased, no separators) -> claim phrases (regex alternatives).
_BOOL_SYNONYMS: dict[str, tuple[str, ...]] = {
    "businessacceptscreditcards": (r"credit[- ]cards?", r"(?:debit|bank) cards?", r"card payments?", r"cards"),
    "acceptscreditcards": (r"credit[- ]cards?", r"card payments?", r"cards"),
    "businessacceptsbitcoin": (r"bitcoin", r"crypto(?:currency)?"),
    "restaurantstakeout": (r"take[- ]?out", r"takeaway", r"carry[- ]?out", r"to[- ]go orders?"),
    "restaurantsdelivery": (r"deliver(?:y|ies|s)?",),
    "goodforkids": (
        r"kid[- ]friendly",
        r"good for kids",
        r"family[- ]friendly",
        r"suitable for (?:kids|children|families)",
        r"children",
        r"kids",
    ),
    "wheelchairaccessible": (r"wheelchair[- ]accessible", r"wheelchair access", r"wheelchair", r"accessible"),
    "outdoorseating": (r"outdoor seating", r"outdoor tables?", r"patio", r"outdoors?", r"al fresco"),
    "bikeparking": (r"bike parking", r"bicycle parking", r"bike racks?", r"bicycle racks?"),
    "restaurantsreservations": (r"reservations?", r"book a table", r"table bookings?", r"reserve a table"),
    "hastv": (r"tvs?\b", r"televisions?", r"screens"),
    "restaurantsgoodforgroups": (r"good for groups", r"groups", r"large parties"),
    "dogsallowed": (r"dogs?", r"pet[- ]friendly", r"pets"),
    "happyhour": (r"happy hour",),
    "restaurantstableservice": (r"table service",),
    "byob": (r"byob", r"bring your own"),
    "drivethru": (r"drive[- ]?thr(?:u|ough)",),
    "caters": (r"cater(?:s|ing)?",),
    "autorenew": (r"auto[- ]?renew(?:s|al|ed|ing)?", r"renews? automatically", r"automatic(?:ally)? renew(?:s|al)?"),
    "autorenewal": (r"auto[- ]?renew(?:s|al|ed|ing)?", r"renews? automatically", r"automatic(?:ally)? renew(?:s|al)?"),
    "giftwrap": (r"gift[- ]wrap(?:ping|ped)?",),
    "isgift": (r"gift",),
    "expedited": (r"expedited", r"express shipping"),
    "paid": (r"paid",),
    "trialavailable": (r"(?:free )?trial",),
    "freeshipping": (r"free shipping", r"ships? free"),
    "refundable": (r"refundable", r"refunds?"),
    "ssoincluded": (r"sso", r"single sign[- ]on"),
    "sso": (r"sso", r"single sign[- ]on"),
    "prioritysupport": (r"priority support",),
    "apiaccess": (r"api access", r"\bapi\b"),
    "open24hours": (r"24 hours", r"24/7", r"around the clock"),
    "isopen": (r"open",),
}
_WIFI_PHRASE = r"wi[- ]?fi|wireless internet|internet access"

# A field's value said not to hold: the shared cues and the words a record's features are denied
# with ("lacks Wi-Fi", "parking is unavailable", "skips breakfast", "air conditioning is off").
_NEGATION = negation_pattern("without|lacks?|lacking|unavailable|skips?|excludes?|excluding|disabled|off", prefix=False)
_CLAUSE_BREAK = re.compile(
    rf"[;.!?]|,\s*(?:and|though|{CONTRAST_WORDS})\b|\b(?:but|while|whereas|although)\b", re.IGNORECASE
)

# A claim that reports what reviewers or customers said ("one reviewer found it a bit pricey") is
# read against the reviews, not against the business's attributes.
_REPORTED = re.compile(
    r"\b(?:reviewers?|customers?|diners?|guests?|patrons?|visitors?|people)\b[^.;]{0,40}?\b(?:says?|said|"
    r"praise[sd]?|loved?|loves|mention(?:s|ed)?|describe[sd]?|complain(?:s|ed)?|f(?:ou|i)nds?|found|note[sd]?|"
    r"rave[sd]?|recommend(?:s|ed)?|enjoy(?:s|ed)?|like[sd]?|call(?:s|ed)?|report(?:s|ed)?|fe(?:e|l)ls?|felt|"
    r"think|thought)\b|\baccording to\b|\b(?:one|a|some|several|many|most) reviews?\b|"
    r"\breviews? (?:says?|mention|praise|describe|note|highlight)",
    re.IGNORECASE,
)

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")

# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------


def parse_record(text: str) -> list[Field] | None:
    """Fields of a structured passage, or None when it is prose. Never raises."""
    try:
        return _parse_record(text)
    except Exception:  # a parser for untrusted passages must never take the scorer down
        return None


def _parse_record(text: str) -> list[Field] | None:
    if not isinstance(text, str) or not text.strip() or len(text) > _MAX_TEXT:
        return None
    stripped = text.lstrip()
    if stripped[:1] in "{[":
        leaves = _parse_json_positions(text)
        if leaves is not None:
            fields = [_make_field(p, v, s, e) for p, v, s, e in leaves]
            fields = _expand_python_dicts(text, fields)
            return fields or None
    table = _parse_markdown_table(text)
    if table is not None:
        return table
    kv = _parse_key_values(text)
    if kv is not None:
        return kv
    return _parse_csv(text)


class _JSONPosError(Exception):
    pass


_WS = re.compile(r"\s*")


def _parse_json_positions(text: str) -> list[tuple[str, str, int, int]] | None:
    """Leaves of a JSON document as (path, raw value text, start, end); None when not JSON."""
    decoder = json.JSONDecoder()
    out: list[tuple[str, str, int, int]] = []

    def ws(i: int) -> int:
        m = _WS.match(text, i)
        return m.end() if m else i

    def value(i: int, path: str, depth: int) -> int:
        if depth > _MAX_DEPTH:
            raise _JSONPosError("too deep")
        i = ws(i)
        if i >= len(text):
            raise _JSONPosError("eof")
        c = text[i]
        if c == "{":
            i = ws(i + 1)
            if i < len(text) and text[i] == "}":
                return i + 1
            while True:
                i = ws(i)
                if i >= len(text) or text[i] != '"':
                    raise _JSONPosError("key")
                key, i = decoder.raw_decode(text, i)
                i = ws(i)
                if i >= len(text) or text[i] != ":":
                    raise _JSONPosError("colon")
                sub = f"{path}.{key}" if path else str(key)
                i = value(i + 1, sub, depth + 1)
                i = ws(i)
                if i < len(text) and text[i] == ",":
                    i += 1
                    continue
                if i < len(text) and text[i] == "}":
                    return i + 1
                raise _JSONPosError("object end")
        if c == "[":
            i = ws(i + 1)
            if i < len(text) and text[i] == "]":
                return i + 1
            n = 0
            while True:
                i = value(i, f"{path}[{n}]", depth + 1)
                n += 1
                i = ws(i)
                if i < len(text) and text[i] == ",":
                    i += 1
                    continue
                if i < len(text) and text[i] == "]":
                    return i + 1
                raise _JSONPosError("array end")
        obj, j = decoder.raw_decode(text, i)
        if isinstance(obj, (dict, list)):
            raise _JSONPosError("unexpected container")
        if obj is None:
            return int(j)
        if isinstance(obj, str):
            s, e = i + 1, j - 1
            raw = obj
        elif isinstance(obj, bool):
            s, e = i, j
            raw = "true" if obj else "false"
        else:
            s, e = i, j
            raw = text[i:j]
        out.append((path or "value", raw, s, e))
        return int(j)

    try:
        end = value(0, "", 0)
    except (_JSONPosError, ValueError, RecursionError, IndexError):
        return None
    if text[end:].strip():
        return None
    return out


_PY_DICT_ITEM = re.compile(r"'([A-Za-z_][\w ]*)'\s*:\s*(True|False|None|'[^']*'|\"[^\"]*\"|-?\d+(?:\.\d+)?)")


def _expand_python_dicts(text: str, fields: list[Field]) -> list[Field]:
    """Yelp stores some attributes as Python dict literals in a string ("{'garage': False, ...}")."""
    out: list[Field] = []
    for f in fields:
        v = f.value.strip()
        if v.startswith("{") and v.endswith("}") and ":" in v:
            inner = text[f.start : f.end]
            items = list(_PY_DICT_ITEM.finditer(inner))
            if items:
                for m in items:
                    val = m.group(2)
                    if val == "None":
                        continue
                    s = f.start + m.start(2)
                    e = f.start + m.end(2)
                    if val[:1] in "'\"":
                        val, s, e = val[1:-1], s + 1, e - 1
                    out.append(_make_field(f"{f.path}.{m.group(1)}", val, s, e))
                continue
        out.append(f)
    return out


_KV_LINE = re.compile(
    r"^(?P<indent>[ \t]*)(?:[-*•]\s+)?(?P<key>[A-Za-z][\w .()/#&'-]{0,48}?)\s*(?::|=)(?:\s+|$)(?P<val>.*?)\s*$"
)


def _parse_key_values(text: str) -> list[Field] | None:
    lines = text.splitlines(keepends=True)
    fields: list[Field] = []
    nonempty = 0
    matched = 0
    section = ""
    offset = 0
    for line in lines:
        body = line.rstrip("\r\n")
        start_of_line = offset
        offset += len(line)
        if not body.strip():
            continue
        nonempty += 1
        m = _KV_LINE.match(body)
        if not m or len(m.group("key").split()) > 6:
            section = ""
            continue
        key = m.group("key").strip()
        val = m.group("val")
        indented = bool(m.group("indent")) or body.lstrip().startswith(("-", "*", "•"))
        if not val:
            section = key
            matched += 1
            continue
        if not indented:
            section = ""
        path = f"{section}.{key}" if section and indented else key
        vstart = start_of_line + m.start("val")
        v = val
        if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
            v, vstart = v[1:-1], vstart + 1
        fields.append(_make_field(path, v, vstart, vstart + len(v)))
        matched += 1
    if len(fields) < 2 or matched * 2 < nonempty:
        return None
    # Prose with a couple of "Note: ..." lines is not a record: the values must be short.
    long_values = sum(1 for f in fields if len(f.value.split()) > 25)
    if long_values * 2 > len(fields):
        return None
    return fields


def _split_pipe_row(line: str, base: int) -> list[tuple[str, int, int]]:
    cells: list[tuple[str, int, int]] = []
    s = line
    i = 0
    n = len(s)
    while i < n and s[i] in " \t":
        i += 1
    if i < n and s[i] == "|":
        i += 1
    cell_start = i
    while i <= n:
        if i == n or s[i] == "|":
            raw = s[cell_start:i]
            lead = len(raw) - len(raw.lstrip())
            txt = raw.strip()
            cells.append((txt, base + cell_start + lead, base + cell_start + lead + len(txt)))
            cell_start = i + 1
        i += 1
    if cells and cells[-1][0] == "" and s.rstrip().endswith("|"):
        cells.pop()
    return cells


_SEP_ROW = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _parse_markdown_table(text: str) -> list[Field] | None:
    lines = text.splitlines(keepends=True)
    offsets = []
    pos = 0
    for line in lines:
        offsets.append(pos)
        pos += len(line)
    rows: list[list[tuple[str, int, int]]] = []
    header: list[str] | None = None
    others: list[int] = []
    done = False
    for idx, line in enumerate(lines):
        body = line.rstrip("\r\n")
        if done or "|" not in body:
            if header is not None and body.strip():
                done = True
            if body.strip():
                others.append(idx)
            continue
        if _SEP_ROW.match(body):
            continue
        cells = _split_pipe_row(body, offsets[idx])
        if len(cells) < 2:
            continue
        if header is None:
            nxt = lines[idx + 1].rstrip("\r\n") if idx + 1 < len(lines) else ""
            if not _SEP_ROW.match(nxt):
                return None
            header = [c[0] for c in cells]
            continue
        rows.append(cells)
    if header is None or not rows:
        return None
    fields = _table_fields(header, rows) or []
    # Lines around the table ("Address: ...", "Acme - 12 Main St, Springfield. Phone (555) 123-4567.")
    for idx in others:
        fields.extend(_loose_line_fields(lines[idx].rstrip("\r\n"), offsets[idx]))
    return fields or None


def _loose_line_fields(body: str, base: int) -> list[Field]:
    m = _KV_LINE.match(body)
    if m and m.group("val") and len(m.group("key").split()) <= 6:
        v = m.group("val")
        return [_make_field(m.group("key").strip(), v, base + m.start("val"), base + m.start("val") + len(v))]
    out: list[Field] = []
    for rx, path in ((_PHONE, "phone"), (_EMAIL, "email")):
        for pm in rx.finditer(body):
            out.append(_make_field(path, pm.group(), base + pm.start(), base + pm.end()))
    am = _ADDRESS_CLAIM.search(body)
    if am:
        out.append(_make_field("address", am.group(), base + am.start(), base + am.end()))
    return out


def _table_fields(header: list[str], rows: list[list[tuple[str, int, int]]]) -> list[Field] | None:
    fields: list[Field] = []
    if len(header) == 2:
        # A two-column table is a key/value listing ("Field | Value", "Day | Hours").
        for cells in rows:
            if len(cells) < 2 or not cells[0][0] or not cells[1][0]:
                continue
            key = cells[0][0]
            fields.append(_make_field(key, cells[1][0], cells[1][1], cells[1][2]))
        return fields or None
    for r, cells in enumerate(rows):
        for c, (txt, s, e) in enumerate(cells):
            if c >= len(header) or not txt:
                continue
            col = header[c] or f"col{c}"
            path = f"rows[{r}].{col}" if len(rows) > 1 else col
            fields.append(_make_field(path, txt, s, e))
    return fields or None


def _parse_csv(text: str) -> list[Field] | None:
    lines = list(text.splitlines(keepends=True))
    nonempty = [ln for ln in lines if ln.strip()]
    if len(nonempty) < 2 or len(nonempty) > 5000:
        return None
    first = nonempty[0]
    delim = "\t" if first.count("\t") >= 1 and first.count("\t") >= first.count(",") else ","
    parsed: list[tuple[list[str], int, str]] = []
    pos = 0
    for line in lines:
        body = line.rstrip("\r\n")
        if body.strip():
            try:
                cells = next(csv.reader([body], delimiter=delim))
            except (csv.Error, StopIteration):
                return None
            parsed.append((cells, pos, body))
        pos += len(line)
    width = len(parsed[0][0])
    if width < 2 or any(len(c) != width for c, _, _ in parsed):
        return None
    header = [h.strip() for h in parsed[0][0]]
    if any(not h or len(h.split()) > 5 or re.fullmatch(r"[-\d.,$ ]+", h) for h in header):
        return None
    if any(h.endswith((".", "!", "?")) for h in header):
        return None
    rows: list[list[tuple[str, int, int]]] = []
    for cells, base, body in parsed[1:]:
        out: list[tuple[str, int, int]] = []
        cursor = 0
        for cell in cells:
            txt = cell.strip()
            k = body.find(txt, cursor) if txt else -1
            if k < 0:
                k = cursor
            out.append((txt, base + k, base + k + len(txt)))
            cursor = k + len(txt)
        rows.append(out)
    return _table_fields(header, rows)


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


_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(r"(?<![\w-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?!\w)")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\b")
_TIME24_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{1,2})\s*[-–—]\s*(\d{1,2}):(\d{1,2})\s*$")
_TIME24 = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::\d{2})?\s*$")
_NUMERIC = re.compile(r"^\s*[-+]?\d[\d,]*(?:\.\d+)?\s*$")
_MONEY_VALUE = re.compile(
    r"^\s*(?:[$€£]\s?[-+]?\d[\d,]*(?:\.\d+)?|[-+]?\d[\d,]*(?:\.\d+)?\s?(?:USD|EUR|GBP|CAD|AUD|dollars?)"
    r"|(?:USD|EUR|GBP|CAD)\s?\d[\d,]*(?:\.\d+)?)\s*(?:/\s*(?:mo|month|yr|year|user|seat))?\s*$",
    re.IGNORECASE,
)
_MONEY_KEY = re.compile(
    r"price|total|amount|balance|cost|fee|subtotal|tax|shipping|refund|credit|charge|paid|due|mrr|arr|spend|"
    r"discount|deposit|payment|invoice|revenue|salary|rate",
    re.IGNORECASE,
)
_COUNT_KEY = re.compile(
    r"count|qty|quantity|seats|licen[cs]es|users|members|items|units|number of|num|days|months|weeks|years|"
    r"limit|max|projects|reviews|stock|employees|locations|rooms|guests|size|capacity|storage|gb|tb",
    re.IGNORECASE,
)
_ID_KEY = re.compile(
    r"(?:^|[ _])(?:id|sku|code|number|no|ref|reference|tracking|zip|postal|postcode|confirmation|invoice)$|^id$",
    re.IGNORECASE,
)


def _make_field(path: str, value: str, start: int, end: int) -> Field:
    last = _last_key(path)
    key = _humanise(last)
    return Field(path=path, key=key, value=value, kind=_infer_kind(path, last, value), start=start, end=end)


def _infer_kind(path: str, last: str, value: str) -> str:
    v = _clean_value(value)
    low = last.lower().replace("_", " ").replace("-", " ")
    lowkey = re.sub(r"[^a-z0-9]", "", last.lower())
    vl = v.lower()
    if _TIME24_RANGE.match(v) or _parse_range_text(v) is not None:
        return "time_range"
    if _TIME24.match(v) or re.fullmatch(r"\d{1,2}(?::\d{2})?\s*[ap]\.?m\.?", vl):
        return "time"
    if vl in _DAY_ALIASES and len(vl) >= 3:
        return "weekday"
    if lowkey in ("wifi",) or vl in ("true", "false"):
        return "boolean"
    if vl in ("yes", "no", "y", "n") and not _NUMERIC.match(v):
        return "boolean"
    if _EMAIL.fullmatch(v):
        return "email"
    if ("phone" in low or "tel" in low.split() or "mobile" in low or "fax" in low) or (
        _PHONE.fullmatch(v) and not _ISO_DATE.match(v)
    ):
        return "phone"
    if _ISO_DATE.fullmatch(v) or (("date" in low or low.endswith((" at", " on"))) and _parse_date_text(v) is not None):
        return "date"
    if _parse_date_text(v) is not None and re.search(r"[A-Za-z]", v) and len(v) < 40:
        return "date"
    if "pricerange" in lowkey:
        return "number"
    if _MONEY_VALUE.match(v) or (_NUMERIC.match(v) and _MONEY_KEY.search(low) and "rate" not in low.split()[-1:]):
        return "money"
    if _ID_KEY.search(low) or lowkey.endswith("id"):
        return "id"
    if _NUMERIC.match(v):
        if re.fullmatch(r"\s*\d+\s*", v) and _COUNT_KEY.search(low):
            return "count"
        return "number"
    if ("address" in low or "street" in low or low in ("line1", "line 1", "address1", "location")) and re.match(
        r"\s*\d", v
    ):
        return "address"
    if re.match(rf"\s*\d+[A-Za-z]?\s+\S.*\b(?:{_STREET_TYPES})\b", v):
        return "address"
    if re.fullmatch(r"\d+\s+[a-z]+(?:\s[a-z]+)?", vl) and _first_int(vl) is not None:
        return "count"
    if re.fullmatch(r"[A-Z]{1,5}[-#]?\d{3,}[A-Z0-9-]*|[A-Z0-9]{2,}-[A-Z0-9-]{3,}|\d[A-Z0-9]{8,}", v):
        return "id"
    if len(v) > 80 or len(v.split()) > 12:
        return "text"
    return "name"


def _first_int(s: str) -> int | None:
    m = re.search(r"\d+", s)
    return int(m.group()) if m else None


# --------------------------------------------------------------------------------------------
# Value normalisation
# --------------------------------------------------------------------------------------------


def _fmt_time(minutes: int) -> str:
    minutes %= 1440
    h, m = divmod(minutes, 60)
    suffix = "AM" if h < 12 else "PM"
    h12 = h % 12 or 12
    return f"{h12}:{m:02d} {suffix}"


def _record_range(value: str) -> tuple[int, int] | None:
    v = _clean_value(value)
    m = _TIME24_RANGE.match(v)
    if m:
        h1, m1, h2, m2 = (int(x) for x in m.groups())
        if h1 > 24 or h2 > 24 or m1 > 59 or m2 > 59:
            return None
        return h1 * 60 + m1, h2 * 60 + m2
    r = _parse_range_text(v)
    if r is not None:
        a, b = r
        if len(a) == 1 and len(b) == 1:
            return next(iter(a)), next(iter(b))
    return None


def _record_time(value: str) -> int | None:
    v = _clean_value(value)
    m = _TIME24.match(v)
    if m:
        h, mi = int(m.group(1)), int(m.group(2))
        if h <= 24 and mi <= 59:
            return h * 60 + mi
        return None
    c = _claim_time_candidates(v)
    if c is not None and len(c) == 1:
        return next(iter(c))
    return None


_TIME_TEMPLATE = (
    r"(?:(?P<{p}h>\d{{1,2}})(?:[:.](?P<{p}m>\d{{2}}))?\s*(?P<{p}ap>[ap]\.?\s?m\b\.?)?"
    r"|(?P<{p}w>noon|midday|midnight))"
)
_TIME_ONE = re.compile(_TIME_TEMPLATE.format(p="a"), re.IGNORECASE)


def _claim_time_candidates(s: str) -> set[int] | None:
    m = _TIME_ONE.fullmatch(s.strip())
    if not m:
        return None
    return _candidates_from(m.group("ah"), m.group("am"), m.group("aap"), m.group("aw"))


def _candidates_from(h: str | None, mi: str | None, ap: str | None, w: str | None) -> set[int] | None:
    if w:
        wl = w.lower()
        return {0, 1440} if wl == "midnight" else {720}
    if h is None:
        return None
    hh = int(h)
    mm = int(mi) if mi else 0
    if mm > 59 or hh > 24:
        return None
    if ap:
        if hh < 1 or hh > 12:
            return None
        pm = ap.lower().startswith("p")
        hh = hh % 12 + (12 if pm else 0)
        return {hh * 60 + mm}
    if hh > 12 or hh == 0:
        return {hh * 60 + mm}
    return {hh * 60 + mm, (hh + 12) * 60 + mm} if hh != 12 else {720, 0}


_RANGE_SEP = r"\s*(?:-|–|—|to|until|till|til|through|thru|and)\s*"
_RANGE_TEXT = re.compile(
    _TIME_TEMPLATE.format(p="a") + _RANGE_SEP + _TIME_TEMPLATE.format(p="b"),
    re.IGNORECASE,
)


def _parse_range_text(v: str) -> tuple[set[int], set[int]] | None:
    m = _RANGE_TEXT.fullmatch(v.strip())
    if not m or not (m.group("aap") or m.group("bap") or ":" in v or m.group("aw") or m.group("bw")):
        return None
    a = _candidates_from(m.group("ah"), m.group("am"), m.group("aap"), m.group("aw"))
    b = _candidates_from(m.group("bh"), m.group("bm"), m.group("bap"), m.group("bw"))
    if a is None or b is None:
        return None
    return a, b


def _times_equal(cands: set[int], record: int) -> bool:
    r = record % 1440
    return any(c % 1440 == r for c in cands)


def _parse_number(s: str) -> float | None:
    s = s.strip().lower().replace(",", "")
    s = re.sub(r"^[$€£]|\s*(?:usd|eur|gbp|cad|aud|dollars?)$|^(?:usd|eur|gbp|cad)\s*", "", s).strip()
    s = re.sub(r"\s*/\s*(?:mo|month|yr|year|user|seat)$", "", s)
    try:
        return float(s)
    except ValueError:
        pass
    return _words_to_number(s)


def _words_to_number(s: str) -> float | None:
    parts = re.split(r"[\s-]+", s.strip().lower())
    if not parts or not all(p in _NUMBER_WORDS or p == "and" or p == "a" for p in parts):
        return None
    total = 0
    current = 0
    seen = False
    for p in parts:
        if p in ("and", "a"):
            continue
        n = _NUMBER_WORDS[p]
        seen = True
        if n == 100:
            current = max(current, 1) * 100
        else:
            current += n
    total += current
    return float(total) if seen else None


def _parse_date_text(s: str) -> tuple[int | None, int, int] | None:
    """(year or None, month, day) from ISO, "March 3, 2025", "3 March 2025", "03/03/2025"."""
    v = s.strip()
    m = _ISO_DATE.fullmatch(v) or _ISO_DATE.match(v)
    if m and m.start() == 0:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        return (y, mo, d) if _valid_date(y, mo, d) else None
    m = _DATE_MDY.fullmatch(v)
    if m:
        return _named_month_date(m)
    m = _DATE_DMY.fullmatch(v)
    if m:
        return _named_month_date(m)
    m = _DATE_NUM.fullmatch(v)
    if m:
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if y < 100:
            y += 2000
        if _valid_date(y, a, b):
            return (y, a, b)
        if _valid_date(y, b, a):
            return (y, b, a)
    return None


def _named_month_date(m: re.Match[str]) -> tuple[int | None, int, int] | None:
    month = _MONTH_ALIASES.get(m.group("mon").lower().rstrip("."))
    day = int(m.group("day"))
    year = int(m.group("year")) if m.group("year") else None
    if month and _valid_date(year or 2000, month, day):
        return (year, month, day)
    return None


def _valid_date(y: int, mo: int, d: int) -> bool:
    try:
        date(y, mo, d)
    except ValueError:
        return False
    return 1900 <= y <= 2200


_MON = (
    r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DATE_MDY = re.compile(_MON + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{4}))?", re.IGNORECASE)
_DATE_DMY = re.compile(
    r"(?:the\s+)?(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MON + r"(?:,?\s+(?P<year>\d{4}))?", re.IGNORECASE
)
_DATE_NUM = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2,4})")
_DATE_ANY = re.compile(
    r"\b(?:\d{4}-\d{1,2}-\d{1,2}(?:T[\d:.]+Z?)?"
    r"|(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|"
    r"Nov(?:ember)?|Dec(?:ember)?)\.?\s+\d{1,2}(?:st|nd|rd|th)?\b(?:,?\s+\d{4})?"
    r"|(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|"
    r"July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b\.?(?:,?\s+\d{4})?"
    r"|\d{1,2}/\d{1,2}/\d{2,4})",
    re.IGNORECASE,
)


def _fmt_date(value: str) -> str:
    d = _parse_date_text(_clean_value(value))
    if d is None:
        return value
    y, mo, day = d
    base = f"{MONTHS[mo - 1].capitalize()} {day}"
    return f"{base}, {y}" if y else base


def _fmt_money(value: str) -> str:
    n = _parse_number(_clean_value(value))
    if n is None:
        return value
    cur = "$"
    vu = value.upper()
    if "EUR" in vu or "€" in value:
        cur = "€"
    elif "GBP" in vu or "£" in value:
        cur = "£"
    return f"{cur}{n:,.2f}"


def _norm_text(s: str) -> str:
    s = s.lower().replace("&", " and ")
    toks = re.findall(r"[a-z0-9]+", s)
    return " ".join(_STREET_ABBREV.get(t, t) for t in toks)


def _bool_value(value: str) -> bool | None:
    v = _clean_value(value).lower()
    if v in ("true", "yes", "y", "1", "free", "paid", "on", "enabled", "available"):
        return True
    if v in ("false", "no", "n", "0", "none", "off", "disabled", "unavailable"):
        return False
    return None


# --------------------------------------------------------------------------------------------
# Statements for the NLI model
# --------------------------------------------------------------------------------------------


def _bool_label(f: Field) -> str:
    k = re.sub(r"[^a-z0-9]", "", _last_key(f.path).lower())
    labels = {
        "businessacceptscreditcards": "Accepts credit cards",
        "businessacceptsbitcoin": "Accepts bitcoin",
        "restaurantstakeout": "Offers take-out",
        "restaurantsdelivery": "Offers delivery",
        "goodforkids": "Good for kids",
        "wheelchairaccessible": "Wheelchair accessible",
        "outdoorseating": "Outdoor seating",
        "bikeparking": "Bike parking",
        "restaurantsreservations": "Takes reservations",
        "hastv": "Has TV",
        "restaurantsgoodforgroups": "Good for groups",
        "restaurantstableservice": "Table service",
        "dogsallowed": "Dogs allowed",
        "happyhour": "Happy hour",
        "autorenew": "Auto-renew",
    }
    if k in labels:
        return labels[k]
    words = _humanise(_last_key(f.path)).split()
    while len(words) > 1 and words[0].lower() in ("business", "restaurants", "is"):
        words = words[1:]
    label = " ".join(words)
    return label[:1].upper() + label[1:].lower() if label else f.key


def _context_label(f: Field, fields: list[Field]) -> str:
    """A sibling name for fields inside arrays ("items[0].price" -> "Wireless Mouse")."""
    m = re.match(r"(.*\[\d+\])\.[^.\[]+$", f.path)
    if not m:
        return ""
    prefix = m.group(1) + "."
    for g in fields:
        if g is not f and g.path.startswith(prefix) and _last_key(g.path).lower() in _ROW_NAME_KEYS:
            return _clean_value(g.value)
    return ""


def field_statements(fields: list[Field]) -> list[tuple[Field, str]]:
    out: list[tuple[Field, str]] = []
    for f in fields:
        try:
            s = _statement(f, fields)
        except Exception:
            s = f"{f.key}: {f.value}"
        if s:
            out.append((f, s))
    return out


def _statement(f: Field, fields: list[Field]) -> str:
    if f.kind == "text":
        return ""
    ctx = _context_label(f, fields)
    key = f"{ctx} {f.key.lower()}" if ctx else f.key
    v = _clean_value(f.value)
    if f.kind == "time_range":
        r = _record_range(v)
        if r is None:
            return f"{key} hours: {v}"
        if r[0] == r[1] == 0:
            return f"{key} hours: listed as 0:00-0:00 (closed or open 24 hours)"
        label = f"{key} hours" if _day_index(f.key) is not None else key
        return f"{label}: {_fmt_time(r[0])} to {_fmt_time(r[1])}"
    if f.kind == "time":
        t = _record_time(v)
        return f"{key}: {_fmt_time(t) if t is not None else v}"
    if f.kind == "boolean":
        if re.sub(r"[^a-z]", "", f.key.lower()) == "wifi":
            return f"{f.key}: {v}"
        b = _bool_value(v)
        if b is None:
            return f"{_bool_label(f)}: {v}"
        return f"{_bool_label(f)}: {'yes' if b else 'no'}"
    if f.kind == "money":
        return f"{key}: {_fmt_money(f.value)}"
    if f.kind == "date":
        return f"{key}: {_fmt_date(f.value)}"
    return f"{key}: {v}"


def text_fields(fields: list[Field]) -> list[Field]:
    return [f for f in fields if f.kind == "text"]


def _day_index(s: str) -> int | None:
    return _DAY_ALIASES.get(s.strip().lower().rstrip("s.").rstrip()) if s else None


# --------------------------------------------------------------------------------------------
# Claim checking
# --------------------------------------------------------------------------------------------


@dataclass
class _Ctx:
    claim: str
    fields: list[Field]
    checks: list[ValueCheck]
    consumed: list[tuple[int, int]]
    unmatched: int = 0
    dropped: tuple[Field, ...] = ()

    def free(self, s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in self.consumed)

    def take(self, s: int, e: int) -> None:
        self.consumed.append((s, e))

    def add(self, s: int, e: int, kind: str, verdict: str, f: Field, reason: str) -> None:
        self.checks.append(ValueCheck(s, e, self.claim[s:e], kind, verdict, f, reason))
        self.take(s, e)


def check_claim(claim: str, fields: list[Field], context: str = "") -> RecordCheck:
    """Check the values a claim mentions against the record's fields.

    `context` (optional) is the draft text before the claim; it is only used to tell which row of
    an array of records ("the Pro plan", "the USB-C Hub") a claim is about when the claim itself
    does not name one.
    """
    try:
        return _check_claim(claim, fields, context)
    except Exception:
        return RecordCheck((), None, 0.0)


_CONDITIONAL = re.compile(r"\b(?:if|unless|in case|should you|once|when(?:ever)?)\b[^,;.]*", re.IGNORECASE)
_ROW = re.compile(r"^(?P<group>.*?)\[(?P<i>\d+)\]\.(?P<col>.+)$")
_ROW_NAME_KEYS = ("name", "title", "product", "plan", "item", "label", "store", "location", "tier", "sku_name")


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


def _stem_text(s: str) -> str:
    return " ".join(_stem(t) for t in _norm_text(s).split())


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
    ctx = _Ctx(claim, focused, [], [], dropped=_partly_named(claim, [f for f in fields if id(f) not in kept]))
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


# ---- helpers for matching mentions to fields ----


def _field_keywords(f: Field, fields: list[Field]) -> set[str]:
    words: set[str] = set()
    for part in re.split(r"[.\[\]]+", f.path):
        if not part or part.isdigit():
            continue
        for w in _humanise(part).lower().split():
            words.add(_stem(w))
            words.add(w)
    ctx = _context_label(f, fields)
    for w in _WORD.findall(ctx.lower()):
        if w not in _STOP and len(w) > 2:
            words.add(_stem(w))
    extra = {
        "total": {"total", "altogether", "overall", "charged", "came", "grand"},
        "price": {"cost", "price", "priced", "costs", "each", "per"},
        "balance": {"balance", "owe", "outstanding", "due"},
        "star": {"star", "rated", "rating"},
        "review": {"review", "reviews", "reviewer", "reviewers", "ratings"},
        "used": {"use", "used", "occupied"},
        "seat": {"seat", "license", "user"},
        "ship": {"ship", "shipped", "dispatched", "sent", "shipping", "picked", "left", "warehouse", "handed"},
        "delivery": {"deliver", "delivered", "arrive", "arrival", "expected", "estimated"},
        "renewal": {"renew", "renews", "renewal"},
        "trial": {"trial"},
        "postal": {"zip", "postal"},
        "zip": {"zip", "postal"},
        "order": {"order", "ordered", "placed"},
        "placed": {"order", "ordered", "placed"},
    }
    for w in list(words):
        if w in extra:
            words |= {_stem(x) for x in extra[w]}
    words = {_stem(w) for w in words}
    words.discard("")
    return words


def _stem(w: str) -> str:
    """A crude, consistent stemmer: "cables"/"cable", "placed"/"place", "shipped"/"ship" agree."""
    w = w.lower()
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 5 and w.endswith("ing"):
        w = w[:-3]
    elif (len(w) > 5 and w.endswith("ed")) or (len(w) > 4 and w.endswith("es")):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    if len(w) >= 4 and w[-1] == w[-2] and w[-1] not in "aeiouls":
        w = w[:-1]
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    return w


def _claim_words(claim: str) -> list[tuple[str, int, int]]:
    return [(_stem(m.group()), m.start(), m.end()) for m in _WORD.finditer(claim)]


def _clause_bounds(claim: str, s: int, e: int) -> tuple[int, int]:
    left = 0
    for m in re.finditer(r"[;,()]|\b(?:and|but|while|whereas)\b", claim[:s]):
        left = m.end()
    right = len(claim)
    m2 = re.search(r"[;,()]|\b(?:and|but|while|whereas)\b", claim[e:])
    if m2:
        right = e + m2.start()
    return left, right


def _key_score(claim: str, s: int, e: int, f: Field, fields: list[Field]) -> float:
    kws = _field_keywords(f, fields)
    if not kws:
        return 0.0
    cl, cr = _clause_bounds(claim, s, e)
    score = 0.0
    for w, ws, we in _claim_words(claim):
        if w in kws and not (ws >= s and we <= e):
            if ws >= cl and we <= cr:
                score += 2.0
            else:
                dist = min(abs(ws - e), abs(s - we))
                score += 1.0 / (1.0 + dist / 20.0)
    return score


def _pick(
    ctx: _Ctx, s: int, e: int, cands: list[Field], equal: Any, *, fallback_single: bool = True
) -> tuple[Field | None, bool]:
    """The field a mention refers to and whether their values agree.

    A mention equal to some candidate whose key words are present (or to the only candidate)
    is supported by it; otherwise the best key-word match decides, and a refutation needs a
    key-word match or a single candidate of the type.
    """
    if not cands:
        return None, False
    scored = [(_key_score(ctx.claim, s, e, f, ctx.fields), i, f) for i, f in enumerate(cands)]
    eq = [(sc, i, f) for sc, i, f in scored if equal(f)]
    scored.sort(key=lambda t: (-t[0], t[1]))
    if eq:
        eq.sort(key=lambda t: (-t[0], t[1]))
        top = scored[0]
        # Equal to some field, but the key words clearly point at another whose value differs.
        if (
            not equal(top[2])
            and top[0] >= 1.5
            and top[0] > eq[0][0] + 1.0
            and (len(scored) < 2 or top[0] > scored[1][0])
        ):
            return top[2], False
        return eq[0][2], True
    # A value that another row of the same array holds (rows set aside as not named) is not refuted.
    if any(f.kind == cands[0].kind and _safe_equal(equal, f) for f in ctx.dropped):
        return None, False
    best = scored[0]
    if best[0] > 0 and (len(scored) == 1 or best[0] > scored[1][0]):
        return best[2], False
    if fallback_single and len(cands) == 1:
        return cands[0], False
    return None, False


def _safe_equal(equal: Any, f: Field) -> bool:
    try:
        return bool(equal(f))
    except Exception:
        return False


# ---- emails, phones ----


def _check_emails(ctx: _Ctx) -> None:
    cands = [f for f in ctx.fields if f.kind == "email"]
    for m in _EMAIL.finditer(ctx.claim):
        if not cands:
            continue
        val = m.group().lower().rstrip(".")
        f, ok = _pick(ctx, m.start(), m.end(), cands, lambda f, v=val: _clean_value(f.value).lower() == v)
        if f is None:
            ctx.unmatched += 1
            ctx.take(m.start(), m.end())
            continue
        ctx.add(m.start(), m.end(), "email", "supported" if ok else "refuted", f, f"record says {f.key} {f.value}")


def _digits(s: str) -> str:
    d = re.sub(r"\D", "", s)
    return d[-10:]


def _check_phones(ctx: _Ctx) -> None:
    cands = [f for f in ctx.fields if f.kind == "phone"]
    for m in _PHONE.finditer(ctx.claim):
        if not ctx.free(m.start(), m.end()):
            continue
        if not cands:
            ctx.take(m.start(), m.end())
            continue
        val = _digits(m.group())
        f, ok = _pick(ctx, m.start(), m.end(), cands, lambda f, v=val: _digits(f.value) == v)
        if f is None:
            ctx.unmatched += 1
            ctx.take(m.start(), m.end())
            continue
        ctx.add(m.start(), m.end(), "phone", "supported" if ok else "refuted", f, f"record says {f.key} {f.value}")


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


# ---- hours and weekdays ----

_DAY_WORD = (
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)s?|"
    r"(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\b\.?"
)
_DAY_TOKEN = re.compile(r"\b(?:" + _DAY_WORD + r")", re.IGNORECASE)
_DAY_RANGE = re.compile(
    r"\b(?P<a>" + _DAY_WORD + r")\s*(?:-|–|—|to|through|thru|until|till)\s*(?P<b>" + _DAY_WORD + r")",
    re.IGNORECASE,
)
_DAY_GROUPS = re.compile(
    r"\b(?P<g>weekdays?|weekends|(?<=on\s)weekend|(?<=the\s)weekend|(?<=every\s)weekend|every\s+day|everyday|daily|all\s+week(?:\s+long)?|seven\s+days\s+a\s+week|"
    r"7\s+days\s+a\s+week|each\s+day|the\s+whole\s+week|24/7|around\s+the\s+clock|any\s+day(?:\s+of\s+the\s+week)?)\b",
    re.IGNORECASE,
)
_OPEN_CONTEXT = re.compile(
    r"\b(?:open|opens|opened|opening|close|closes|closing|closed|shuts?|hours|doors|operat(?:e|es|ing)|"
    r"visit|serves|serving|staffed)\b",
    re.IGNORECASE,
)
_HOURS_TRIGGER = re.compile(
    r"\b(?:open|opens|opening|closes|close|closing|closed|hours|from|until|till|til|between|serves?|"
    r"operates?|operating|available|staffed|business)\b",
    re.IGNORECASE,
)

_T = r"(?:\d{1,2}(?:[:.]\d{2})?\s*(?:[ap]\.?\s?m\b\.?)?|noon|midday|midnight)"
_TIME_RANGE_CLAIM = re.compile(
    r"(?P<pre>\b(?:from|between|open|opens|hours(?:\s+are)?|hours\s+of)\s+)?"
    r"(?P<a>" + _T + r")\s*(?:-|–|—|to|until|till|til|through|thru|and)\s*(?P<b>" + _T + r")(?![\d:/])",
    re.IGNORECASE,
)
_TIME_SINGLE_CLAIM = re.compile(
    r"(?P<pre>\b(?:until|till|til|closes|closing|close|closed|shuts|opens|opening|open|starts?|starting|"
    r"begins?|last\s+call|by)(?:\s+(?:at|around|by|up|from))?\s+)?(?P<a>" + _T + r")(?![\d:/])",
    re.IGNORECASE,
)
_TIME_EXACT = re.compile(r"[ap]\.?\s?m\b|:|noon|midday|midnight", re.IGNORECASE)


def _day_set_from(text: str) -> set[int]:
    m = _DAY_RANGE.fullmatch(text.strip())
    if m:
        a = _day_index(m.group("a"))
        b = _day_index(m.group("b"))
        if a is None or b is None:
            return set()
        out = {a}
        i = a
        while i != b:
            i = (i + 1) % 7
            out.add(i)
        return out
    g = text.strip().lower()
    if g.startswith("weekday"):
        return {0, 1, 2, 3, 4}
    if g.startswith("weekend"):
        return {5, 6}
    if _DAY_GROUPS.fullmatch(text.strip()):
        return set(range(7))
    d = _day_index(text)
    return {d} if d is not None else set()


@dataclass
class DayMention:
    start: int
    end: int
    days: set[int]
    closed: bool
    excluded: bool


@dataclass
class _TimeMention:
    start: int
    end: int
    open_c: set[int] | None
    close_c: set[int] | None
    role: str  # range | open | close | unknown


def day_mentions(claim: str) -> list[DayMention]:
    spans: list[tuple[int, int, set[int]]] = []
    taken: list[tuple[int, int]] = []
    for rx in (_DAY_RANGE, _DAY_GROUPS):
        for m in rx.finditer(claim):
            if any(not (m.end() <= a or m.start() >= b) for a, b in taken):
                continue
            ds = _day_set_from(m.group())
            if ds:
                spans.append((m.start(), m.end(), ds))
                taken.append((m.start(), m.end()))
    for m in _DAY_TOKEN.finditer(claim):
        if any(not (m.end() <= a or m.start() >= b) for a, b in taken):
            continue
        word = m.group()
        if len(word.rstrip(".")) <= 4 and not word[0].isupper():
            continue
        if word.lower().rstrip(".") in ("sun", "sat", "wed") and not word[0].isupper():
            continue
        ds = _day_set_from(word)
        if ds:
            spans.append((m.start(), m.end(), ds))
    spans.sort()
    # Merge lists: "Monday, Wednesday and Friday".
    merged: list[tuple[int, int, set[int]]] = []
    for s, e, ds in spans:
        if merged:
            ps, pe, pds = merged[-1]
            gap = claim[pe:s]
            if re.fullmatch(r"\s*(?:,|&|and|or|,\s*and|,\s*or|/)\s*", gap):
                merged[-1] = (ps, e, pds | ds)
                continue
        merged.append((s, e, ds))
    out: list[DayMention] = []
    for s, e, ds in merged:
        before = claim[max(0, s - 40) : s].lower()
        after = claim[e : e + 30].lower()
        cl_before = re.split(r"[;.]|,\s*(?:but|and|while)\b|\bbut\b|\bwhile\b|\band\b", before)[-1]
        closed = bool(re.search(r"\bclosed\b|\bshut\b|\bnot open\b|\bdoes not open\b|\bdoesn't open\b", cl_before))
        closed = closed or bool(re.match(r"\s*(?:[:,-]\s*)?(?:is |are |it(?:'s| is) )?(?:closed|shut)\b", after))
        excluded = bool(
            re.search(r"\b(?:except|other than|but not|excluding|apart from|besides)\s*(?:on\s+)?$", before)
        )
        out.append(DayMention(s, e, ds, closed, excluded))
    return out


def _time_mentions(claim: str, blocked: list[tuple[int, int]]) -> list[_TimeMention]:
    out: list[_TimeMention] = []
    taken: list[tuple[int, int]] = list(blocked)

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    for m in _TIME_RANGE_CLAIM.finditer(claim):
        s, e = m.start("a"), m.end("b")
        if not free(s, e):
            continue
        a_txt, b_txt = m.group("a"), m.group("b")
        exact = _TIME_EXACT.search(a_txt) or _TIME_EXACT.search(b_txt)
        if not exact and not m.group("pre"):
            continue
        sep = claim[m.end("a") : m.start("b")].strip().lower()
        if sep == "and" and not (m.group("pre") or "").lower().startswith("between"):
            continue
        a = _claim_time_candidates(a_txt)
        b = _claim_time_candidates(b_txt)
        if a is None or b is None:
            continue
        # "11 to 8 PM": the bare side takes the meridiem pattern loosely (either reading).
        out.append(_TimeMention(s, e, a, b, "range"))
        taken.append((s, e))
    for m in _TIME_SINGLE_CLAIM.finditer(claim):
        s, e = m.start("a"), m.end("a")
        if not free(s, e):
            continue
        a_txt = m.group("a")
        pre = (m.group("pre") or "").lower().strip()
        exact = _TIME_EXACT.search(a_txt)
        if not exact and not pre:
            continue
        if not exact and re.match(r"\s*(?:items?|days?|years?|months?|weeks?|stars?|reviews?|%|percent)", claim[e:]):
            continue
        c = _claim_time_candidates(a_txt)
        if c is None:
            continue
        if re.match(r"(?:until|till|til|clos|shut|last|by)", pre):
            role = "close"
        elif re.match(r"(?:open|start|begin)", pre):
            role = "open"
        else:
            before = claim[max(0, s - 30) : s].lower()
            if re.search(r"\b(?:clos\w*|until|till|shuts?)\b[^,;]*$", before):
                role = "close"
            elif re.search(r"\b(?:opens?|opening|starts?)\b[^,;]*$", before):
                role = "open"
            else:
                role = "unknown"
        out.append(_TimeMention(s, e, c if role != "close" else None, c if role != "open" else None, role))
        taken.append((s, e))
    out.sort(key=lambda t: t.start)
    return out


def _record_schedule(fields: list[Field]) -> dict[int, tuple[Field, tuple[int, int] | None]]:
    sched: dict[int, tuple[Field, tuple[int, int] | None]] = {}
    for f in fields:
        if f.kind != "time_range" and not re.fullmatch(r"\s*closed\s*", _clean_value(f.value).lower()):
            continue
        d = _day_index(_last_key(f.path))
        if d is None:
            continue
        if re.fullmatch(r"\s*(?:closed|none|n/?a|-+)?\s*", _clean_value(f.value).lower()):
            continue  # listed as closed: the same as a day missing from the mapping
        r = _record_range(f.value)
        if r is not None and r[0] == r[1] == 0:
            r = None  # Yelp's "0:0-0:0": closed or open 24 hours; never compared
        sched[d] = (f, r)
    return sched


def _range_text(r: tuple[int, int] | None) -> str:
    if r is None:
        return "0:00-0:00 (closed or 24 hours)"
    return f"{_fmt_time(r[0])}-{_fmt_time(r[1])}"


def _check_hours(ctx: _Ctx) -> None:
    claim = ctx.claim
    sched = _record_schedule(ctx.fields)
    time_fields = [f for f in ctx.fields if f.kind in ("time", "time_range") and _day_index(_last_key(f.path)) is None]
    days = [d for d in day_mentions(claim) if ctx.free(d.start, d.end)]
    blocked = list(ctx.consumed) + [(d.start, d.end) for d in days]
    times = _time_mentions(claim, blocked)
    if not sched and not time_fields:
        for t in times:
            ctx.take(t.start, t.end)
            ctx.unmatched += 1
        return
    if not sched:
        _check_plain_times(ctx, times, time_fields)
        return
    hours_context = bool(_OPEN_CONTEXT.search(re.sub(r"(?i)happy\s+hours?", " ", claim)))
    if not hours_context:
        # "busiest around 7 PM", "happy hour from 3 to 6 PM": times that are not opening hours.
        for t in times:
            ctx.take(t.start, t.end)
            ctx.unmatched += 1
        return
    # Pair each time mention with a day group, in the order the claim uses.
    positive = [d for d in days if not d.closed and not d.excluded]
    first_is_day = bool(days) and (not times or days[0].start < times[0].start)
    assigned: dict[int, list[DayMention]] = {}
    for ti, t in enumerate(times):
        prev_t_end = times[ti - 1].end if ti > 0 else -1
        next_t_start = times[ti + 1].start if ti + 1 < len(times) else len(claim) + 1
        left = [d for d in positive if prev_t_end <= d.start and d.end <= t.start]
        right = [d for d in positive if t.end <= d.start and d.end <= next_t_start]
        pick = (left or right) if first_is_day else (right or left)
        if not pick and positive and len(times) == 1:
            pick = positive
        assigned[ti] = pick
    # Exclusions ("every day except Sunday") remove days from the groups before them.
    excluded: set[int] = set()
    for d in days:
        if d.excluded:
            excluded |= d.days
    used_day_mentions: set[int] = set()
    for ti, t in enumerate(times):
        groups = assigned.get(ti) or []
        dayset: set[int] = set()
        for g in groups:
            dayset |= g.days
            used_day_mentions.add(id(g))
        dayset -= excluded
        _check_time_against_days(ctx, t, dayset, sched, groups)
    # Day mentions with no time: "open Monday through Saturday", "closed on Sundays".
    if not hours_context:
        return
    for d in days:
        if id(d) in used_day_mentions and not d.closed:
            continue
        if d.excluded and not d.closed:
            # "every day except Monday": the excluded day is claimed closed.
            d = DayMention(d.start, d.end, d.days, True, False)
        targets = d.days - (excluded if not d.closed else set())
        bad = None
        for day in sorted(targets):
            present = day in sched
            if d.closed:
                if present and sched[day][1] is not None:
                    bad = day
                    break
            elif not present:
                bad = day
                break
        if bad is not None:
            if d.closed:
                f = sched[bad][0]
                ctx.add(
                    d.start, d.end, "weekday", "refuted", f, f"record lists {DAYS[bad]} {_range_text(sched[bad][1])}"
                )
            else:
                f = _nearest_day_field(sched, bad)
                ctx.add(d.start, d.end, "weekday", "refuted", f, f"record has no {DAYS[bad]} hours (closed)")
            continue
        if d.closed:
            if any(day in sched for day in targets):
                ctx.take(d.start, d.end)  # listed as 0:0-0:0: not comparable
                continue
            f = next(iter(sched.values()))[0]
            ctx.add(d.start, d.end, "weekday", "supported", f, "record lists no hours for " + _day_names(targets))
        elif id(d) not in used_day_mentions:
            day0 = min(targets) if targets else None
            if day0 is None:
                continue
            f = sched[day0][0]
            ctx.add(d.start, d.end, "weekday", "supported", f, f"record lists hours for {_day_names(targets)}")


def _day_names(days: set[int]) -> str:
    return ", ".join(DAYS[d] for d in sorted(days))


def _nearest_day_field(sched: dict[int, tuple[Field, tuple[int, int] | None]], day: int) -> Field:
    for k in range(1, 8):
        for cand in ((day - k) % 7, (day + k) % 7):
            if cand in sched:
                return sched[cand][0]
    return next(iter(sched.values()))[0]


def _time_matches(t: _TimeMention, r: tuple[int, int]) -> bool:
    ok_open = t.open_c is None or _times_equal(t.open_c, r[0])
    ok_close = t.close_c is None or _times_equal(t.close_c, r[1])
    if t.role == "unknown":
        assert t.open_c is not None
        return _times_equal(t.open_c, r[0]) or _times_equal(t.open_c, r[1])
    return ok_open and ok_close


def _check_time_against_days(
    ctx: _Ctx,
    t: _TimeMention,
    dayset: set[int],
    sched: dict[int, tuple[Field, tuple[int, int] | None]],
    groups: list[DayMention],
) -> None:
    comparable = {d: v for d, v in sched.items() if v[1] is not None}
    if dayset:
        wrong_day = [d for d in sorted(dayset) if d not in sched]
        if wrong_day:
            d = wrong_day[0]
            g = next((g for g in groups if d in g.days), None)
            f = _nearest_day_field(sched, d)
            s, e = (g.start, g.end) if g else (t.start, t.end)
            ctx.add(s, e, "weekday", "refuted", f, f"record has no {DAYS[d]} hours (closed)")
            ctx.take(t.start, t.end)
            return
        checked = [d for d in sorted(dayset) if sched[d][1] is not None]
        if not checked:
            ctx.take(t.start, t.end)  # only 0:0-0:0 days: not comparable
            return
        for d in checked:
            f, r = sched[d]
            assert r is not None
            if not _time_matches(t, r):
                ctx.add(t.start, t.end, "time_range", "refuted", f, f"record says {DAYS[d]} {_range_text(r)}")
                return
        f, r = sched[checked[0]]
        days_txt = DAYS[checked[0]] if len(checked) == 1 else f"{DAYS[checked[0]]}-{DAYS[checked[-1]]}"
        ctx.add(t.start, t.end, "time_range", "supported", f, f"record says {days_txt} {_range_text(r)}")
        return
    # No day named: the claim is about the usual hours.
    if not comparable:
        ctx.take(t.start, t.end)
        return
    matching = [d for d, (_, r) in comparable.items() if r is not None and _time_matches(t, r)]
    if matching:
        d = min(matching)
        f, r = comparable[d]
        ctx.add(t.start, t.end, "time_range", "supported", f, f"record says {DAYS[d]} {_range_text(r)}")
        return
    d = min(comparable)
    f, r = comparable[d]
    ctx.add(
        t.start,
        t.end,
        "time_range",
        "refuted",
        f,
        f"no day in the record has these hours; {DAYS[d]} is {_range_text(r)}",
    )


def _check_plain_times(ctx: _Ctx, times: list[_TimeMention], fields: list[Field]) -> None:
    for t in times:
        if t.role == "range":
            cands = [f for f in fields if f.kind == "time_range"]

            def eq_range(f: Field, t: _TimeMention = t) -> bool:
                r = _record_range(f.value)
                return r is not None and _time_matches(t, r)

            f, ok = _pick(ctx, t.start, t.end, cands, eq_range)
            if f is not None and _record_range(f.value) in (None, (0, 0)):
                ctx.take(t.start, t.end)
                continue
        else:
            cands = [f for f in fields if f.kind in ("time", "time_range")]
            cands_t = t.open_c if t.open_c is not None else t.close_c
            assert cands_t is not None

            def eq_one(f: Field, c: set[int] = cands_t, role: str = t.role) -> bool:
                if f.kind == "time":
                    v = _record_time(f.value)
                    return v is not None and _times_equal(c, v)
                r = _record_range(f.value)
                if r is None:
                    return False
                if role == "open":
                    return _times_equal(c, r[0])
                if role == "close":
                    return _times_equal(c, r[1])
                return _times_equal(c, r[0]) or _times_equal(c, r[1])

            f, ok = _pick(ctx, t.start, t.end, cands, eq_one, fallback_single=t.role != "unknown")
        if f is None:
            ctx.take(t.start, t.end)
            ctx.unmatched += 1
            continue
        if not ok and t.role == "unknown":
            ctx.take(t.start, t.end)
            ctx.unmatched += 1
            continue
        ctx.add(
            t.start, t.end, "time", "supported" if ok else "refuted", f, f"record says {f.key} {_clean_value(f.value)}"
        )


# ---- ids ----

_ID_CLAIM = re.compile(
    r"(?<![\w/])#?\s?(?:[A-Z]{1,5}[-#]?\d{3,}[A-Z0-9-]*|\d{5,}[A-Z0-9-]*|[A-Z0-9]{2,}-[A-Z0-9-]{3,})\b"
)


def _norm_id(s: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", _clean_value(s).upper())


def _check_ids(ctx: _Ctx) -> None:
    cands = [f for f in ctx.fields if f.kind == "id"]
    for m in _ID_CLAIM.finditer(ctx.claim):
        s, e = m.start(), m.end()
        if not ctx.free(s, e) or not re.search(r"\d", m.group()):
            continue
        val = _norm_id(m.group())
        if not cands:
            continue
        f, ok = _pick(ctx, s, e, cands, lambda f, v=val: _norm_id(f.value) == v or _norm_id(f.value).endswith(v))
        if f is None:
            ctx.take(s, e)
            ctx.unmatched += 1
            continue
        if not ok and not _same_shape(_norm_id(f.value), val):
            ctx.take(s, e)
            ctx.unmatched += 1
            continue
        ctx.add(s, e, "id", "supported" if ok else "refuted", f, f"record says {f.key} {_clean_value(f.value)}")


def _same_shape(a: str, b: str) -> bool:
    pa = re.match(r"[A-Z]*", a)
    pb = re.match(r"[A-Z]*", b)
    return bool(pa and pb and pa.group() == pb.group() and abs(len(a) - len(b)) <= 1)


# ---- booleans and categorical attributes ----


def _polarity(claim: str, s: int, e: int) -> bool:
    """True when the phrase at claim[s:e] is asserted, False when it is negated."""
    before = claim[max(0, s - 60) : s]
    parts = _CLAUSE_BREAK.split(before)
    before_clause = parts[-1] if parts else before
    after = claim[e : e + 40]
    m = _CLAUSE_BREAK.search(after)
    after_clause = after[: m.start()] if m else after
    neg_before = bool(_NEGATION.search(before_clause))
    neg_after = bool(
        re.match(
            r"\s*(?:is|are|was|has been|have been)\s+(?:currently\s+)?(?:turned|switched|set)\s+off\b|"
            r"\s*(?:is|are)\s+(?:currently\s+)?(?:disabled|off|unavailable)\b",
            after_clause,
            re.IGNORECASE,
        )
        or re.match(
            r"\s*(?:is|are|was|were)?\s*(?:not|n't|never|unavailable|aren't|isn't)\b|"
            r"\s*(?:is|are)\s+(?:not\s+)?(?:offered|available|accepted|allowed|provided|supported)\s+not\b|"
            r"\s*(?:is|are)n't\b|\s*(?:are|is)\s+not\b",
            after_clause,
            re.IGNORECASE,
        )
    )
    return not (neg_before or neg_after)


def _bool_phrases(f: Field) -> tuple[str, ...]:
    k = re.sub(r"[^a-z0-9]", "", _last_key(f.path).lower())
    if "parking" in f.path.lower() and "bikeparking" not in k:
        if k == "lot":
            own_lot = r"(?:in|at|into) (?:a|the|its|their|our) (?:own |private |on-?site )?lot"
            return (r"parking lot", r"lot parking", own_lot)
        if k == "street":
            return (r"(?:on[- ])?street parking", r"parking on the street", r"on the street")
        if k == "valet":
            return (r"valet(?: parking)?",)
        return (re.escape(k) + r" parking", r"parking " + re.escape(k))
    if k in _BOOL_SYNONYMS:
        return _BOOL_SYNONYMS[k]
    words = [w.lower() for w in _humanise(_last_key(f.path)).split()]
    while len(words) > 1 and words[0] in ("business", "restaurants", "is", "has", "accepts", "allow", "allows"):
        words = words[1:]
    if not words or all(len(w) < 3 for w in words):
        return ()
    return (r"[- ]?".join(re.escape(w) for w in words),)


def _check_attributes(ctx: _Ctx) -> None:
    """Booleans ("offers delivery"), WiFi, and the listing levels (alcohol, price, noise, attire)."""
    claim = ctx.claim
    if _REPORTED.search(claim):
        return  # "guests enjoyed the patio" is read against the reviews, not the listing's attributes
    for f in ctx.fields:
        lk = re.sub(r"[^a-z0-9]", "", _last_key(f.path).lower())
        if lk == "alcohol":
            _check_alcohol(ctx, f)
            continue
        if "pricerange" in lk:
            _check_price_level(ctx, f)
            continue
        if lk == "noiselevel":
            _check_named_level(ctx, f, _NOISE_LEVELS, _NOISE_WORDS, "noise level")
            continue
        if lk == "restaurantsattire":
            _check_named_level(ctx, f, _ATTIRE_LEVELS, _ATTIRE_WORDS, "attire")
            continue
        if f.kind != "boolean":
            continue
        if lk in ("lot", "street") and "parking" in f.path.lower() and not re.search(r"\bpark", claim, re.I):
            continue  # "a lot", "on the street" speak of parking only in a claim about parking
        if lk == "wifi":
            _check_wifi(ctx, f)
            continue
        truth = _bool_value(f.value)
        if truth is None:
            continue
        for phrase in _bool_phrases(f):
            rx = re.compile(r"(?<![\w-])(?:" + phrase + r")(?![\w-])", re.IGNORECASE)
            hit = next((m for m in rx.finditer(claim) if ctx.free(m.start(), m.end())), None)
            if hit is None:
                continue
            asserted = _polarity(claim, hit.start(), hit.end())
            if not asserted and re.match(
                r"\s+(?:after|before|past|beyond|outside|until|till|on|in|to|for|within|over|during|at)\b",
                claim[hit.end() :],
                re.IGNORECASE,
            ):
                ctx.take(hit.start(), hit.end())  # "doesn't deliver after 9 PM": a qualified negation
                ctx.unmatched += 1
                break
            label = _bool_label(f)
            verdict = "supported" if asserted == truth else "refuted"
            ctx.add(hit.start(), hit.end(), "boolean", verdict, f, f"record says {label}: {'yes' if truth else 'no'}")
            break


def _check_wifi(ctx: _Ctx, f: Field) -> None:
    claim = ctx.claim
    m = next((m for m in re.finditer(_WIFI_PHRASE, claim, re.IGNORECASE) if ctx.free(m.start(), m.end())), None)
    if m is None:
        return
    v = _clean_value(f.value).lower()
    before = claim[max(0, m.start() - 25) : m.start()].lower()
    after = claim[m.end() : m.end() + 25].lower()
    asserted = _polarity(claim, m.start(), m.end())
    says_free = bool(re.search(r"\bfree\b|complimentary|no[- ]charge", before + " " + after))
    says_paid = bool(re.search(r"\bpaid\b|\bfee\b|\bcharge[sd]?\b|\bfor a fee\b|\bextra\b", before + " " + after))
    if v in ("no", "none", "false"):
        ok = not asserted
    elif v == "free":
        ok = asserted and not says_paid
    elif v == "paid":
        ok = asserted and not (says_free and not says_paid)
    else:
        return
    ctx.add(m.start(), m.end(), "boolean", "supported" if ok else "refuted", f, f"record says WiFi: {v}")


# What a claim can say about Yelp's `Alcohol` ("none", "beer_and_wine", "full_bar"), most specific
# first, with the values under which it holds: a full bar serves beer and wine too.
_ALCOHOL_MENTIONS: tuple[tuple[re.Pattern[str], frozenset[str]], ...] = tuple(
    (re.compile(rf"(?<![\w-])(?:{rx})(?![\w-])", re.IGNORECASE), frozenset(values))
    for rx, values in (
        (r"alcohol[- ]free|no[- ]alcohol|dry (?:restaurant|venue|establishment)", {"none"}),
        (r"full[- ]bar|cocktails?|liquor|spirits|mixed drinks", {"full_bar"}),
        (r"beer(?:s)? and wines?|wines? and beers?", {"beer_and_wine", "full_bar"}),
        (r"beers?|wines?", {"beer_and_wine", "full_bar"}),
        (r"alcohol(?:ic (?:drinks|beverages))?|booze", {"beer_and_wine", "full_bar"}),
    )
)


def _level_value(f: Field) -> str:
    """A listing level as one token: "u'full_bar'" → "full_bar", "Very Loud" → "very_loud"."""
    return re.sub(r"[^a-z]+", "_", _clean_value(f.value).lower()).strip("_")


def _check_alcohol(ctx: _Ctx, f: Field) -> None:
    v = _level_value(f)
    if v not in ("none", "beer_and_wine", "full_bar"):
        return
    claim = ctx.claim
    for rx, holds_for in _ALCOHOL_MENTIONS:
        m = next((m for m in rx.finditer(claim) if ctx.free(m.start(), m.end())), None)
        if m is None:
            continue
        holds = v in holds_for
        clause = claim[max(0, m.start() - 40) : m.end() + 20]
        if holds_for == {"beer_and_wine", "full_bar"} and v == "full_bar" and re.search(r"\bonly\b", clause, re.I):
            holds = m.group().lower().startswith(("alcohol", "booze"))  # "only beer and wine"
        ok = _polarity(claim, m.start(), m.end()) == holds
        ctx.add(m.start(), m.end(), "boolean", "supported" if ok else "refuted", f, f"record says Alcohol: {v}")
        return


_LevelTable = tuple[tuple[re.Pattern[str], frozenset[Any], frozenset[Any]], ...]


def _level_table(rows: tuple[tuple[str, set[Any], set[Any]], ...]) -> _LevelTable:
    """(wording, levels it fits, levels it contradicts) rows, each wording matched as a whole phrase."""
    return tuple(
        (re.compile(rf"(?<![\w-])(?:{rx})(?![\w-])", re.IGNORECASE), frozenset(fits), frozenset(contradicts))
        for rx, fits, contradicts in rows
    )


# Yelp's price range (1 "$" inexpensive, 2 "$$" moderate, 3 "$$$" pricey, 4 "$$$$" ultra high-end)
# as drafts word it: the levels each wording fits and those it contradicts; a level in neither
# ("moderately priced" for a 3) is left to the model.
_PRICE_WORDS = _level_table(
    (
        (r"(?:very |super )?(?:cheap|inexpensive|budget[- ]friendly|low[- ](?:cost|priced))", {1}, {3, 4}),
        (r"(?:very |quite |reasonably |fairly )?(?:affordable|reasonably priced|wallet[- ]friendly)", {1, 2}, {3, 4}),
        (
            r"moderately[- ]priced|moderate(?:ly)? pric(?:es|ing|ed)|moderate price range|mid[- ](?:range|priced)",
            {2},
            {4},
        ),
        (r"(?:price range|prices) (?:is|are) (?:moderate|mid[- ]range)", {2}, {4}),
        (r"(?:very |quite |rather )?(?:expensive|pricey|high[- ]end|luxury|splurge)", {3, 4}, {1, 2}),
    )
)
_DOLLAR_LEVEL = re.compile(r"(?<![\w$])(\${1,4})(?![\w$\d])")


def _check_price_level(ctx: _Ctx, f: Field) -> None:
    level = _first_int(_clean_value(f.value))
    if level is None or not 1 <= level <= 4:
        return
    claim = ctx.claim
    reason = f"record says price range {'$' * level}"
    dollars = next((d for d in _DOLLAR_LEVEL.finditer(claim) if ctx.free(d.start(), d.end())), None)
    if dollars is not None:
        verdict = "supported" if len(dollars.group(1)) == level else "refuted"
        ctx.add(dollars.start(), dollars.end(), "number", verdict, f, reason)
        return
    _check_level_words(ctx, f, level, _PRICE_WORDS, "number", reason)


def _check_level_words(
    ctx: _Ctx,
    f: Field,
    level: object,
    table: _LevelTable,
    kind: str,
    reason: str,
) -> None:
    """The first wording of `table` the claim asserts decides: supported where it fits the
    record's level, refuted where it contradicts it, left to the model where it does neither."""
    claim = ctx.claim
    for rx, fits, contradicts in table:
        m = next((m for m in rx.finditer(claim) if ctx.free(m.start(), m.end())), None)
        if m is None or not _polarity(claim, m.start(), m.end()):
            continue  # "not expensive" says less than "cheap", "not too loud" less than "quiet"
        if level in fits or level in contradicts:
            ctx.add(m.start(), m.end(), kind, "supported" if level in fits else "refuted", f, reason)
        return


# Yelp's NoiseLevel (quiet, average, loud, very_loud) and RestaurantsAttire (casual, dressy,
# formal) as drafts word them, most specific first. "Quiet" against "average" is left to the model.
_NOISE_WORDS = _level_table(
    (
        (r"(?:very|extremely|really) (?:loud|noisy)", {"very_loud"}, {"quiet", "average"}),
        (
            r"(?:moderate|average|normal) (?:noise|volume)(?: levels?)?|noise levels? (?:is|are) (?:moderate|average)",
            {"average"},
            {"very_loud"},
        ),
        # "a quiet street" speaks of the neighbourhood, not of the room
        (
            r"(?:quite |fairly |very |relatively )?(?:quiet|peaceful|tranquil|hushed)"
            r"(?!\s+(?:street|road|neighbou?rhood|area|part of town|suburb|corner of))",
            {"quiet"},
            {"loud", "very_loud"},
        ),
        (r"(?:quite |fairly |rather )?(?:loud|noisy|boisterous)", {"loud", "very_loud"}, {"quiet"}),
    )
)
_ATTIRE_WORDS = _level_table(
    (
        (r"formal (?:attire|dress(?: code)?|wear)|jackets? (?:are |is )?required|black[- ]tie", {"formal"}, {"casual"}),
        (r"dressy|dress(?:ed)? up|upscale (?:attire|dress(?: code)?)", {"dressy", "formal"}, {"casual"}),
        (
            r"casual (?:attire|dress(?: code)?|wear|clothing|clothes)|dress(?: code)? is casual|dress casually|"
            r"attire is casual",
            {"casual"},
            {"dressy", "formal"},
        ),
    )
)
_NOISE_LEVELS = ("quiet", "average", "loud", "very_loud")
_ATTIRE_LEVELS = ("casual", "dressy", "formal")


def _check_named_level(
    ctx: _Ctx,
    f: Field,
    levels: tuple[str, ...],
    table: _LevelTable,
    label: str,
) -> None:
    v = _level_value(f)
    if v in levels:
        _check_level_words(ctx, f, v, table, "boolean", f"record says {label}: {v.replace('_', ' ')}")


# A business listing's attributes (Yelp's): a claim that gives one the listing does not have
# ("it offers take-out" where no take-out field exists) says what the record cannot confirm.
_LISTING_ATTRIBUTES = frozenset(
    (
        "businessacceptscreditcards",
        "restaurantstakeout",
        "restaurantsdelivery",
        "goodforkids",
        "wheelchairaccessible",
        "outdoorseating",
        "bikeparking",
        "restaurantsreservations",
        "hastv",
        "restaurantsgoodforgroups",
        "dogsallowed",
        "happyhour",
        "restaurantstableservice",
        "byob",
        "drivethru",
        "caters",
    )
)
_LISTING_MENTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    *(
        (key, re.compile(r"(?<![\w-])(?:" + "|".join(_BOOL_SYNONYMS[key]) + r")(?![\w-])", re.I))
        for key in sorted(_LISTING_ATTRIBUTES)
    ),
    ("wifi", re.compile(rf"(?<![\w-])(?:{_WIFI_PHRASE})(?![\w-])", re.IGNORECASE)),
    ("alcohol", re.compile("|".join(rx.pattern for rx, _ in _ALCOHOL_MENTIONS), re.IGNORECASE)),
    ("businessparking", re.compile(r"(?<![\w-])(?:parking|valet)(?![\w-])", re.IGNORECASE)),
)


def _check_unlisted_attributes(ctx: _Ctx, fields: list[Field]) -> None:
    keys = {re.sub(r"[^a-z0-9]", "", part.lower()) for f in fields for part in re.split(r"[.\[\]]+", f.path)}
    if not keys & _LISTING_ATTRIBUTES or _REPORTED.search(ctx.claim):
        return  # not a business listing, or a claim about what reviewers said
    for key, rx in _LISTING_MENTIONS:
        if key in keys or (key == "businessparking" and "bikeparking" in keys and "bike" in ctx.claim.lower()):
            continue
        if any(ctx.free(m.start(), m.end()) for m in rx.finditer(ctx.claim)):
            ctx.unmatched += 1


# ---- counts and numbers ----

_NUM_WORD_RX = "|".join(
    sorted((w for w in _NUMBER_WORDS if w not in ("single", "couple", "pair")), key=len, reverse=True)
)
_COUNT_CLAIM = re.compile(
    r"(?<![\w$€£.,:/-])(?P<n>\d[\d,]*(?:\.\d+)?|(?:" + _NUM_WORD_RX + r")(?:[- ](?:" + _NUM_WORD_RX + r"))*)"
    r"(?![\d:/])(?P<pct>\s?%|\s?percent)?(?:[- ](?P<noun>[A-Za-z][A-Za-z-]*)(?:\s(?P<noun2>[A-Za-z][A-Za-z-]*))?)?",
    re.IGNORECASE,
)
_UNITS = {"day": 1, "week": 7, "month": 30, "year": 365}


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


def _check_numbers(ctx: _Ctx) -> None:
    claim = ctx.claim
    cands_all = [f for f in ctx.fields if f.kind in ("count", "number")]
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
            ctx.add(s, e, _kind_for(f), "supported", f, f"record says {f.key} {_clean_value(f.value)}")
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
        ctx.add(s, e, _kind_for(f), "refuted", f, f"record says {f.key} {_clean_value(f.value)}")


def _kind_for(f: Field) -> str:
    return f.kind


# ---- names (closed classes and exact value mentions) ----

_CLOSED_CLASSES: tuple[frozenset[str], ...] = (
    frozenset({"ups", "fedex", "usps", "dhl", "ontrac", "lasership", "royal mail", "canada post", "amazon logistics"}),
    frozenset(
        {
            "shipped",
            "delivered",
            "processing",
            "pending",
            "cancelled",
            "canceled",
            "returned",
            "in transit",
            "out for delivery",
            "on hold",
            "refunded",
            "awaiting shipment",
            "confirmed",
            "backordered",
        }
    ),
    frozenset(
        {
            "free",
            "basic",
            "starter",
            "standard",
            "plus",
            "pro",
            "professional",
            "premium",
            "business",
            "team",
            "enterprise",
            "growth",
            "essentials",
            "advanced",
            "ultimate",
            "gold",
            "silver",
            "bronze",
            "platinum",
        }
    ),
    frozenset({"monthly", "annual", "annually", "yearly", "quarterly", "weekly"}),
    frozenset({"active", "suspended", "past due", "trialing", "expired", "paused", "closed"}),
    frozenset({"visa", "mastercard", "amex", "american express", "paypal", "discover", "apple pay", "google pay"}),
)
_NAME_CLASS_KEYS = re.compile(
    r"carrier|status|plan|tier|level|billing|cycle|frequency|interval|payment|method|card", re.I
)


def _check_names(ctx: _Ctx) -> None:
    claim = ctx.claim
    low = claim.lower()
    for f in ctx.fields:
        if f.kind not in ("name", "weekday", "id"):
            continue
        v = _clean_value(f.value)
        nv = _norm_text(v)
        if not nv or len(nv) < 2:
            continue
        # Exact mention of the value: supported.
        rx = re.compile(r"(?<![a-z0-9])" + r"\s+".join(re.escape(t) for t in nv.split()) + r"(?![a-z0-9])")
        norm_claim, back = _norm_with_map(claim)
        mm = rx.search(norm_claim)
        if mm and f.kind == "name" and len(nv) >= 3:
            s, e = back[mm.start()], back[mm.end() - 1] + 1
            # A lower-case value ("average", "quiet") is a common word: its key must be near.
            common = v == v.lower() and _key_score(claim, s, e, f, ctx.fields) <= 0
            if ctx.free(s, e) and _NAME_CLASS_KEYS.search(f.path) and not common:
                ctx.add(s, e, "name", "supported", f, f"record says {f.key} {v}")
            continue
        if f.kind != "name" or not _NAME_CLASS_KEYS.search(f.path):
            continue
        cls = next((c for c in _CLOSED_CLASSES if nv in {_norm_text(x) for x in c}), None)
        if cls is None:
            continue
        for alt in sorted(cls, key=len, reverse=True):
            na = _norm_text(alt)
            if na == nv:
                continue
            am = re.search(r"(?<![a-z0-9])" + re.escape(alt) + r"(?![a-z0-9])", low)
            if am is None or not ctx.free(am.start(), am.end()):
                continue
            # The alternative must sit near the field's key word ("plan", "carrier", "status"...).
            if _key_score(claim, am.start(), am.end(), f, ctx.fields) <= 0 and not _carrier_like(f, alt):
                continue
            ctx.add(am.start(), am.end(), "name", "refuted", f, f"record says {f.key} {v}")
            break


def _carrier_like(f: Field, alt: str) -> bool:
    return "carrier" in f.path.lower() and alt in {"ups", "fedex", "usps", "dhl", "ontrac"}


def _norm_with_map(s: str) -> tuple[str, list[int]]:
    """Lower-cased text with punctuation as spaces and street words abbreviated, and a map back."""
    out: list[str] = []
    back: list[int] = []
    for m in re.finditer(r"[A-Za-z0-9]+", s):
        tok = m.group().lower()
        tok = _STREET_ABBREV.get(tok, tok)
        if out:
            out.append(" ")
            back.append(m.start())
        for k, ch in enumerate(tok):
            out.append(ch)
            back.append(min(m.start() + k, m.end() - 1))
    return "".join(out), back


# ---- coverage ----


def _record_vocab(fields: list[Field]) -> set[str]:
    vocab: set[str] = set()
    for f in fields:
        for part in re.split(r"[.\[\]]+", f.path):
            for w in _humanise(part).lower().split():
                vocab.add(_stem(w))
        for w in _WORD.findall(_clean_value(f.value).lower().replace("_", " ")):
            vocab.add(_stem(w))
            vocab.add(_stem(_STREET_ABBREV.get(w, w)))
        if f.kind == "boolean":
            for ph in _bool_phrases(f):
                for w in re.findall(r"[a-z]{3,}", ph):
                    vocab.add(_stem(w))
        if f.kind == "time_range":
            vocab |= {
                _stem(w) for w in ("open", "hour", "close", "closed", "am", "pm", "until", "week", "weekday", "weekend")
            }
            vocab |= {_stem(d.lower()) for d in DAYS}
        d = _day_index(_last_key(f.path))
        if d is not None:
            vocab.add(_stem(DAYS[d].lower()))
    return vocab


_GLUE = frozenset(
    """
    open opens located location offer offers offered available includes include including come comes has have
    costs cost priced price set scheduled currently total totals totaling totalling arrive arrives arriving expected
    estimated ship ships shipped shipping order ordered placed account plan your customer customers business
    place spot store shop restaurant also contains contain consists includes which were was will be
    included part package gets give gives try free new billing starts start workspace room teams team really
    note plan accordingly find visit welcome bring today right now due nothing need needs manually there
    total overall apiece each per month monthly week daily day days stays stay keeps keep doors runs run
    currently set turned thanks patience looked way time times like good great nice well sure happy
    accepted accept accepts take takes guests sit assigned
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def _coverage(
    claim: str, fields: list[Field], checks: tuple[ValueCheck, ...], consumed: list[tuple[int, int]] | None = None
) -> float:
    vocab = _record_vocab(fields)
    for c in checks:
        vocab |= _field_keywords(c.field, fields)
    spans = [(c.claim_start, c.claim_end) for c in checks] + list(consumed or [])
    content = 0
    covered = 0
    for m in _WORD.finditer(claim):
        w = re.split(r"['’]", m.group().lower())[0]
        if w in _STOP or w in _GLUE or len(w) < 2:
            continue
        content += 1
        if (
            any(a <= m.start() and m.end() <= b for a, b in spans)
            or _stem(w) in vocab
            or _stem(_STREET_ABBREV.get(w, w)) in vocab
        ):
            covered += 1
    if content == 0:
        return 1.0 if checks else 0.0
    return covered / content
