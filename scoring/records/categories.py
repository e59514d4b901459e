"""Checking the kind of business a claim calls a listing against its categories.

An overview says what a place is in one phrase ("Kaze Sushi Bar is a Japanese ramen shop at 1480
Robson St"), and a wrong word there is a common error of data-to-text drafts: another cuisine, a
dish the place does not serve, a winery for a wine bar. Only words that name a cuisine or a
specific kind of food or drink business are compared, each with the category words that confirm
it ("pizzeria": pizza); a word the listing's categories and name do not confirm refutes the claim.
Broad words ("restaurant", "shop", "cafe", "bar", "spot") are paraphrased too freely to compare.
"""

from __future__ import annotations

import re

from scoring.records.fields import _clean_value, _last_key
from scoring.records.matching import _Ctx

# Cuisines and specific kinds of food and drink business, each confirmed by itself.
_PLAIN_KINDS = """
    american italian mexican japanese chinese thai vietnamese korean indian french greek mediterranean
    spanish taiwanese cajun creole caribbean jamaican ethiopian peruvian cuban lebanese turkish persian
    german irish hawaiian filipino malaysian indonesian brazilian moroccan polish russian ukrainian
    pakistani nepalese afghan szechuan cantonese colombian venezuelan salvadoran vegan vegetarian kosher
    halal ramen sushi burger sandwich bagel taco pho noodle dumpling steakhouse seafood oyster tapas
    brewery distillery winery bakery dessert gelato smoothie cupcake tattoo
    """.split()  # noqa: SIM905 - a word list reads better as text
# Each word, with the words in the categories or name that confirm it.
_KINDS: dict[str, tuple[str, ...]] = {
    **{w: (w,) for w in _PLAIN_KINDS},
    "pizzeria": ("pizz",),
    "pizza": ("pizz",),
    "donut": ("donut", "doughnut"),
    "doughnut": ("donut", "doughnut"),
    "bbq": ("bbq", "barbe", "barbq"),
    "barbecue": ("bbq", "barbe"),
    "brewpub": ("brew", "pub"),
    "boba": ("boba", "bubble tea"),
    "creamery": ("ice cream", "creamery", "frozen yogurt", "dairy"),
    "optometry": ("optomet", "eye"),
    "veterinary": ("veterinar", "vet", "animal hospital"),
}
# A dish a cuisine's restaurant may well be known for: "a pho shop" for a listing categorised only
# "Vietnamese" is the cuisine's to say, unless the categories name another such dish ("Sushi Bars,
# Japanese" is no ramen shop).
_CUISINE_OF: dict[str, str] = {
    "pho": "vietnamese", "ramen": "japanese", "sushi": "japanese", "taco": "mexican", "dumpling": "chinese",
    "noodle": "asian", "pizza": "italian", "pizzeria": "italian", "tapas": "spanish", "burger": "american",
}  # fmt: skip
# "X is a Japanese ramen shop at …": the phrase after "is a", up to where the place is given.
_DESCRIBED = re.compile(
    r"\b(?:is|was)\s+(?:a|an)\s+(?P<d>[^.;,]*?)(?=\s+(?:at|located|in|on|with|that|which|rated|holding|near|"
    r"known|offering|serving|and\s+(?:has|holds|is))\b|[,.;]|$)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-zé-]+")


def _stem(word: str) -> str:
    """Enough of a word to find its plural and kin in the categories ("brewe" in "Breweries")."""
    return word if " " in word else word[: max(5, len(word) - 2)]


def _cuisine_says_so(dish: str, known: str) -> bool:
    cuisine = _CUISINE_OF.get(dish)
    if cuisine is None or cuisine not in known:
        return False
    others = (d for d in _CUISINE_OF if d != dish and _CUISINE_OF[d] == cuisine)
    return not any(_stem(d) in known for d in others)


def _check_categories(ctx: _Ctx) -> None:
    cats = next((f for f in ctx.record if _last_key(f.path).lower() == "categories"), None)
    if cats is None:
        return
    name = next((f for f in ctx.record if _last_key(f.path).lower() == "name"), None)
    known = f"{_clean_value(cats.value)} {_clean_value(name.value) if name else ''}".lower()
    for m in _DESCRIBED.finditer(ctx.claim):
        for w in _WORD.finditer(m.group("d")):
            s, e = m.start("d") + w.start(), m.start("d") + w.end()
            word = w.group().lower()
            kind = next((k for k in (word, word.removesuffix("s")) if k in _KINDS), None)
            if kind is None or not ctx.free(s, e):
                continue
            confirmed = any(_stem(c) in known for c in _KINDS[kind]) or _cuisine_says_so(kind, known)
            reason = f"record says categories {_clean_value(cats.value)}"
            ctx.add(s, e, "name", "supported" if confirmed else "refuted", cats, reason)
