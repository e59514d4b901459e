"""The share of a claim's content words that its checks, the spans read and the record's words cover."""

from __future__ import annotations

import re

from scoring.records.attributes import _bool_phrases
from scoring.records.fields import (
    _STOP,
    _STREET_ABBREV,
    _WORD,
    DAYS,
    Field,
    ValueCheck,
    _clean_value,
    _humanise,
    _last_key,
)
from scoring.records.matching import _field_keywords, _stem
from scoring.records.statements import _day_index

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
    accepted accept accepts take takes guests sit assigned services
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
