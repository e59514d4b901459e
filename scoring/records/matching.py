"""The claim under check (`_Ctx`) and matching a value it mentions to a field (key words, `_pick`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from scoring.records.fields import _STOP, _WORD, Field, ValueCheck, _humanise
from scoring.records.statements import _context_label


@dataclass
class _Ctx:
    claim: str
    fields: list[Field]
    checks: list[ValueCheck]
    consumed: list[tuple[int, int]]
    unmatched: int = 0
    dropped: tuple[Field, ...] = ()
    record: tuple[Field, ...] = ()  # all the record's fields, whichever rows are in focus
    lead: str = ""  # the start of the sentence a claim cut from it continues

    def free(self, s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in self.consumed)

    def take(self, s: int, e: int) -> None:
        self.consumed.append((s, e))

    def add(self, s: int, e: int, kind: str, verdict: str, f: Field, reason: str) -> None:
        self.checks.append(ValueCheck(s, e, self.claim[s:e], kind, verdict, f, reason))
        self.take(s, e)


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
