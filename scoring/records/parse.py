"""Parsing a passage into `Field`s (JSON, "key: value" lines, Markdown and CSV tables) and each value's kind."""

from __future__ import annotations

import csv
import json
import re

from scoring.records.addresses import _ADDRESS_CLAIM
from scoring.records.fields import _DAY_ALIASES, _STREET_TYPES, Field, _clean_value, _humanise, _last_key
from scoring.records.values import _ISO_DATE, _TIME24, _TIME24_RANGE, _first_int, _parse_date_text, _parse_range_text

# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------

_MAX_TEXT = 200_000
_MAX_DEPTH = 40


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


_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(r"(?<![\w-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?!\w)")


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


# Keys whose values are someone's prose however short ("review_text", "description", "notes").
_PROSE_KEY = re.compile(
    r"(?:^|\s)(?:text|review|description|comments?|notes?|summary|body|message|feedback|tip)$", re.IGNORECASE
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
    if _PROSE_KEY.search(low) and len(v.split()) >= 4:
        return "text"  # a short review is still what a reviewer wrote, not a name
    return "name"
