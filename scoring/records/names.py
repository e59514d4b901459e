"""Checking the names a claim mentions: a field's exact value, or another member of a closed class."""

from __future__ import annotations

import re

from scoring.records.fields import _STREET_ABBREV, Field, _clean_value
from scoring.records.matching import _Ctx, _key_score
from scoring.records.values import _norm_text

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
