"""Checking the booleans, WiFi and listing levels (alcohol, price, noise, attire) a claim mentions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from scoring.cues import CONTRAST_WORDS, negation_pattern
from scoring.opinions import REPORTED
from scoring.records.fields import Field, _clean_value, _humanise, _last_key
from scoring.records.matching import _Ctx
from scoring.records.statements import _bool_label
from scoring.records.values import _bool_value, _first_int

# ---- booleans and categorical attributes ----

_AUTORENEW = (r"auto[- ]?renew(?:s|al|ed|ing)?", r"renews? automatically", r"automatic(?:ally)? renew(?:s|al)?")
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
    "autorenew": _AUTORENEW,
    "autorenewal": _AUTORENEW,
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
    "byappointmentonly": (r"by appointment(?: only)?", r"appointment[- ]only", r"appointments? (?:are )?required"),
    "isopen": (r"open",),
}
_WIFI_PHRASE = r"wi[- ]?fi|wireless internet|internet access"

# A field's value said not to hold: the shared cues and the words a record's features are denied
# with ("lacks Wi-Fi", "parking is unavailable", "skips breakfast", "air conditioning is off").
_NEGATION = negation_pattern("without|lacks?|lacking|unavailable|skips?|excludes?|excluding|disabled|off", prefix=False)
_CLAUSE_BREAK = re.compile(
    rf"[;.!?]|,\s*(?:and|though|{CONTRAST_WORDS})\b|\b(?:but|while|whereas|although)\b", re.IGNORECASE
)

# A clause that reports what reviewers or customers said ("one reviewer found it a bit pricey",
# `scoring.opinions.REPORTED`) is read against the reviews, not against the business's attributes;
# the claim's other clauses still are ("cards are accepted (though one visitor found the reader
# down), and it offers delivery").
_REPORT_BREAK = re.compile(
    rf"[;!?()]|\.(?!\d)|,\s*(?:and|though|{CONTRAST_WORDS})\b|\b(?:but|while|whereas|although)\b", re.IGNORECASE
)


def _reported(claim: str) -> list[tuple[int, int]]:
    """The clauses of the claim that report what someone said, as (start, end): from the break
    before the reporter to the first break after the report ("One diner, however, thought $62 …
    was steep")."""
    breaks = [(m.start(), m.end()) for m in _REPORT_BREAK.finditer(claim)]
    out = []
    for m in REPORTED.finditer(claim):
        start = max((e for s, e in breaks if e <= m.start()), default=0)
        end = min((s for s, e in breaks if s >= m.end()), default=len(claim))
        out.append((start, end))
    return out


@contextmanager
def _reports_set_aside(ctx: _Ctx) -> Iterator[None]:
    """The claim's reported clauses held as consumed while the attributes are read, so no
    attribute check matches a mention inside one; released after."""
    reported = _reported(ctx.claim)
    ctx.consumed.extend(reported)
    try:
        yield
    finally:
        for region in reported:
            ctx.consumed.remove(region)


# A list of predicates ("does not require appointments, is wheelchair accessible, and offers a
# lot") or of clauses ("appointments are not required, credit cards are accepted"): a negation
# holds only up to the next one.
_PREDICATE_BREAK = re.compile(
    # (a verb of its own, not a bare one a negation governs: "does not take reservations, serve
    # alcohol, or offer Wi-Fi")
    r",\s*(?=(?:and\s+)?(?:is|are|has|have|does|doesn't|don't|isn't|aren't|offers|accepts|takes|serves|"
    r"welcomes|allows|provides|features|requires|includes|sells|carries|stocks|caters|delivers|"
    r"hosts|boasts|gets|runs|lets)\b"
    # or one with its own subject: ", credit cards are accepted"
    r"|(?:and\s+)?(?:[\w-]+\s+){1,3}(?:is|are|was|were)\b)",
    re.IGNORECASE,
)


def _polarity(claim: str, s: int, e: int) -> bool:
    """True when the phrase at claim[s:e] is asserted, False when it is negated."""
    start = max([max(0, s - 60), *(m.end() for m in _PREDICATE_BREAK.finditer(claim) if m.end() <= s)])
    before_clause = _CLAUSE_BREAK.split(claim[start:s])[-1]
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


# Phrases that assert the opposite of a boolean attribute: "walk-ins welcome" is a listing that
# is not by appointment only.
_BOOL_OPPOSITES: dict[str, tuple[str, ...]] = {
    "byappointmentonly": (r"walk[- ]ins?(?: (?:are |is )?(?:welcome|accepted|taken|available))?",),
}


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
    with _reports_set_aside(ctx):  # "guests enjoyed the patio" is read against the reviews
        _check_listing_attributes(ctx)


def _check_listing_attributes(ctx: _Ctx) -> None:
    claim = ctx.claim
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
        opposites = _BOOL_OPPOSITES.get(lk, ())
        for phrase in (*_bool_phrases(f), *opposites):
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
            if phrase in opposites:
                asserted = not asserted
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
        (r"on the (?:higher|pricier|more expensive|expensive|high) side|higher[- ]end|upscale prices", {3, 4}, {1, 2}),
        (r"on the (?:lower|cheaper|less expensive|inexpensive|low) side", {1}, {3, 4}),
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
    if not keys & _LISTING_ATTRIBUTES:
        return  # not a business listing
    with _reports_set_aside(ctx):  # a clause about what reviewers said is not the listing's
        _count_unlisted(ctx, keys)


def _count_unlisted(ctx: _Ctx, keys: set[str]) -> None:
    for key, rx in _LISTING_MENTIONS:
        if key in keys or (key == "businessparking" and "bikeparking" in keys and "bike" in ctx.claim.lower()):
            continue
        if any(ctx.free(m.start(), m.end()) for m in rx.finditer(ctx.claim)):
            ctx.unmatched += 1
