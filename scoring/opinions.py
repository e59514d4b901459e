"""What reviewers said, compared in prose: "One reviewer loved the service" against "Service was
painfully slow".

Overviews written from customer reviews go wrong on opinions: they turn a complaint into praise,
or move the praise to another aspect ("praised the room, complained about the location" where
the review loved the location and hated the room). The NLI model reads both sentences as about
the same service and often calls them compatible: of the 30 contradictions of
`tests/scoring/data/review_pairs_blind.jsonl` it called 9 entailed and refuted 13.

A claim that reports an opinion ("reviewers praise …", "one guest found … cramped", "a customer
complained about …") is cut into clauses ("… loved the curry but found the service slow"), and a
reviewer's list into its items ("praise the saag, the naan and the biryani, and mention
unfriendly staff"), each with its own sentiment or the one stated before it. An opinion with a
clear sentiment and an aspect (its content words that are neither sentiment, reporting nor the
business's name: "the green curry", "the front office") is refuted when the evidence speaks of
that aspect only with the opposite sentiment: every clause of the evidence that names the aspect
(and, for a word that judges one facet such as "overpriced", that facet) and has a clear sentiment
has the other sign. Reviews that disagree, or say nothing of the aspect, are left to the model.

Sentiment is VADER's (Hutto & Gilbert 2014, the `vaderSentiment` package, MIT): a valence
lexicon with rules for negation ("not good"), intensifiers and "but". Its lexicon comes from
social-media text and lacks much of the vocabulary of reviews ("bland", "cramped", "attentive",
"overpriced"); `REVIEW_VALENCE` adds those words at valences on VADER's scale.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from scoring.parts import claim_parts
from scoring.text import CARDINALS, STOPWORDS, iter_sentence_spans, stem, word_spans

# A claim that reports what reviewers or customers said ("one reviewer found it a bit pricey").
REPORTED = re.compile(
    r"\b(?:reviewers?|customers?|diners?|guests?|patrons?|visitors?|people|clients?|shoppers?|users?)\b"
    r"[^.;]{0,40}?\b(?:says?|said|"
    r"praise[sd]?|loved?|loves|mention(?:s|ed)?|describe[sd]?|complain(?:s|ed)?|f(?:ou|i)nds?|found|note[sd]?|"
    r"rave[sd]?|recommend(?:s|ed)?|enjoy(?:s|ed)?|like[sd]?|call(?:s|ed)?|report(?:s|ed)?|fe(?:e|l)ls?|felt|"
    r"think|thought)\b|\baccording to\b|\b(?:one|a|some|several|many|most) reviews?\b|"
    r"\breviews? (?:says?|mention|praise|describe|note|highlight)|"
    # "… struck one diner as pricey", "seemed to some guests a bit dated"
    r"\b(?:struck|strikes|seemed\s+to|seems\s+to)\s+(?:one|a|some|several|many|most|other)?\s*"
    r"(?:reviewers?|customers?|diners?|guests?|patrons?|visitors?)\b",
    re.IGNORECASE,
)
# A reviewer's feeling or verdict stated as a noun or an adjective ("the reviewer's main complaint
# was …", "one guest was disappointed by …").
_FELT = re.compile(
    r"\b(?:reviewers?|customers?|diners?|guests?|patrons?|visitors?|clients?)(?:['’]s?)?\s+(?:\w+\s+){0,2}?"
    r"(?:complaints?|gripes?|praise|favou?rite|highlight|(?:was|were|is|are|seemed)\s+(?:\w+\s+)?"
    r"(?:un)?(?:happy|pleased|impressed|disappointed|satisfied|dissatisfied|delighted|bothered|annoyed|frustrated))\b",
    re.IGNORECASE,
)
# An opinion reported without its reviewer: "the green curry drew a complaint", "Sam earns raves",
# "the cheese board is called a must". Not in `REPORTED`, which also keeps a claim from being
# read against a listing's attributes: "the room is described as casual" may give the listing's
# own ambience.
_RECEIVED = re.compile(
    r"\b(?:draws?|drew|drawn|earn(?:s|ed)?|wins?|won|gets?|got|garner(?:s|ed)?|receive[sd]?)\s+"
    r"(?:(?:a|an|some|high|good|mixed|strong|special|glowing|several|many)\s+){0,2}"
    r"(?:complaints?|praise|raves?|criticism|compliments?|thumbs[- ]ups?|marks|mentions?|kudos|nods?)\b"
    r"|\b(?:is|are|was|were)\s+(?:often\s+|widely\s+|repeatedly\s+)?(?:praised|critici[sz]ed|panned|singled out|"
    r"described\s+as|called|considered|deemed|rated)\b"
    # "… was slow for another reviewer"
    r"|\bfor\s+(?:one|another|a|some|several|many|most|other)\s+"
    r"(?:reviewers?|diners?|guests?|visitors?|customers?|clients?|patrons?)\b",
    re.IGNORECASE,
)
# An opinion claimed for every reviewer ("reviewers agree", "climbers unanimously love", "every
# diner found", "universally loved"): one review saying otherwise refutes it, and so does a
# single review saying it (the evidence's passages, one per line, are its reviews).
_UNIVERSAL = re.compile(
    r"\b(?:reviewers|customers|diners|guests|visitors|members|patrons|clients|climbers|people|critics|"
    r"readers|users|fans|regulars|everyone|everybody|all)\s+(?:\w+\s+)?"
    r"(?:agree[sd]?|unanimously|uniformly|universally|consistently|all\s+(?:love|praise|agree))\b"
    r"|\b(?:universally|unanimously|uniformly)\s+(?:loved|praised|liked|disliked|hated|panned|admired|"
    r"criticized|criticised|acclaimed)\b"
    r"|\b(?:every|each|all(?:\s+the)?)\s+(?:reviewers?|diners?|guests?|visitors?|critics?)\b",
    re.IGNORECASE,
)
# Review vocabulary VADER's lexicon lacks, on its scale (-4 … +4).
REVIEW_VALENCE: dict[str, float] = {
    **dict.fromkeys(("attentive", "thorough", "knowledgeable", "tender", "juicy", "crisp", "spotless"), 2.0),
    **dict.fromkeys(("cozy", "comfy", "spacious", "prompt", "affordable", "tasty", "flavorful"), 1.8),
    **dict.fromkeys(("flavourful", "quick", "fast", "reasonable", "courteous", "polite", "gentle"), 1.5),
    **dict.fromkeys(("cosy", "speedy", "roomy", "homemade", "fluffy", "crispy", "succulent", "fragrant"), 1.5),
    **dict.fromkeys(("patient", "professional", "immaculate", "stunning", "gorgeous", "superb"), 2.0),
    **dict.fromkeys(("unhelpful", "overpriced", "filthy", "tasteless", "flavorless", "flavourless"), -2.0),
    **dict.fromkeys(("undercooked", "overcooked", "inedible", "unprofessional", "dismissive"), -2.0),
    **dict.fromkeys(("bland", "burnt", "cramped", "lukewarm", "soggy", "stale", "greasy", "smelly"), -1.5),
    **dict.fromkeys(("slow", "pricey", "mediocre", "watery", "crowded", "understaffed", "disorganized"), -1.3),
    **dict.fromkeys(("disorganised", "overwhelmed", "letdown", "gripe", "chaotic", "sloppy", "tiny"), -1.3),
    **dict.fromkeys(("loud", "noisy", "steep", "expensive", "rushed", "cold", "dated", "shabby"), -1.0),
    **dict.fromkeys(("unimpressed", "rip-off", "ripoff", "underwhelming", "underwhelmed", "inattentive"), -1.5),
    **dict.fromkeys(("skimpy", "fatty", "weak", "overcrowded", "annoyed", "gummy", "rubbery"), -1.3),
    "dry": -1.0,  # of food: "the brisket was dry"
    **dict.fromkeys(("rave", "raves", "raved", "raving"), 2.0),
    "killer": 2.0,  # "a killer margherita": praise in a review, -3.3 in VADER's lexicon
    # Dishes and praise that VADER's social-media lexicon reads as insults: "jerk chicken", "fiery
    # wings", "deviled eggs", "crushed red pepper", "the tacos are the bomb", "insanely good".
    **dict.fromkeys(("jerk", "devil", "deviled", "devilled", "crushed", "crazy", "guilty", "ridiculous"), 0.0),
    # "Reviewers agree the coffee is burnt": who agrees is no opinion of the coffee.
    **dict.fromkeys(("agree", "agrees", "agreed"), 0.0),
    **dict.fromkeys(("fiery", "sinful", "wicked", "insane", "dangerously", "bomb"), 1.0),
}
_POSSESSIVE = re.compile(r"['’]s?$")
# Sentiment words that judge one facet of a thing: "overpriced cocktails" says nothing of how they
# taste, so a review that praises the cocktails' look does not answer it. A clause judged by such
# a word is compared only with the evidence clauses that speak of the same facet.
_FACETS: dict[str, tuple[frozenset[str], re.Pattern[str]]] = {
    name: (frozenset(judging.split()), re.compile(rf"(?:{marks})", re.IGNORECASE))
    for name, judging, marks in (
        (
            "price",
            "overpriced pricey expensive cheap affordable reasonable steep rip-off ripoff bargain",
            r"\$|\b(?:pric\w*|cost\w*|expensive|cheap\w*|overpriced|affordable|value|steep|bill|charg\w*|"
            r"rip-?off|bargain|dollars?|bucks)\b",
        ),
        (
            "speed",
            "slow quick fast speedy prompt rushed",
            r"\b(?:slow\w*|quick\w*|fast|speedy|prompt\w*|wait\w*|minutes?|hours?|took|forever|ages|rushed)\b",
        ),
        ("noise", "loud noisy quiet", r"\b(?:loud|noisy|noise|quiet|music|hear\w*|thin\s+walls?)\b"),
        ("size", "tiny cramped spacious roomy", r"\b(?:tiny|cramped|spacious|roomy|small|big|large|huge|space)\b"),
    )
}
CLEAR = 0.3  # |VADER compound| from which a clause has a sentiment
# Clause breaks, in a claim and in the reviews: a contrast, a semicolon or a dash.
# ("However" is left out: mid-sentence it is parenthetical, "the coffee, however, tasted burnt".)
_CLAUSE = re.compile(r"\s*(?:[;:–—]|\s-\s|,?\s+\b(?:but|though|although|while|whereas|yet)\b,?)\s*", re.I)
_AND_CLAUSE = re.compile(r",\s+and\b\s*", re.IGNORECASE)
# Who lists opinions item by item: reviewers, not "people" or a study ("according to …").
_REVIEWER = re.compile(
    r"\b(?:reviewers?|reviews?|customers?|diners?|guests?|patrons?|visitors?|clients?|shoppers?|"
    r"complaints?|criticisms?)\b",
    re.IGNORECASE,
)
# A clause's opening connective, which is no opinion ("On the other hand, one reviewer found …").
_DISCOURSE = re.compile(
    r"\s*(?:on\s+the\s+other\s+hand|however|still|that\s+said|meanwhile|overall|in\s+addition|also)\b\s*,?\s*",
    re.IGNORECASE,
)
_LIST_LEAD = 15  # characters before the reviewer at most, in a clause that lists opinions ("One reviewer …")
# The items of a list of opinions: "the lamb saag, the garlic naan and the biryani".
_ITEM_BREAK = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+", re.IGNORECASE)
# Words that say who reported or how, not what about.
_REPORTING = frozenset(
    stem(w)
    for w in """
    reviewer reviewers review reviews customer customers diner diners guest guests patron patrons visitor
    visitors people client clients shopper shoppers user users one some several many most few other others another
    found find finds felt feel feels thought think said say says described describe noted note mentioned
    mention called call reported report draw draws drew drawn earn earns earned win wins won get gets got
    garner garners garnered receive receives received complaint complaints mentions marks kudos nod nods
    thumbs unanimously uniformly universally agree agrees agreed every each all everyone everybody
    consistently generally overall also especially particularly contrast comparison
    really very quite bit little main only thing things place spot experience visit time everything
    anything something stay business
    """.split()  # noqa: SIM905 - a word list reads better as text
)


@dataclass(frozen=True)
class OpinionMismatch:
    start: int  # the clause of the claim, offsets into the claim
    end: int
    reason: str
    # The first clause of the evidence that says otherwise, offsets into it (None: no clause does;
    # no review speaks of it at all).
    evidence_start: int | None = None
    evidence_end: int | None = None


@functools.cache
def _analyzer() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(REVIEW_VALENCE)
    # In reviews "like" compares more often than it likes ("tastes like cardboard", "felt like a
    # chain"); "liked" and "likes" keep their valence.
    analyzer.lexicon.pop("like", None)
    return analyzer


# "too sweet", "too loud": in a review, too much of anything is a complaint, whatever the word's
# own valence (VADER reads "too sweet and gummy" as praise).
_TOO = re.compile(r"\btoo\s+(?:\w+ly\s+)?(?!many\b|much\b|bad\b)[a-z]+\b(?!\s+to\b)", re.IGNORECASE)


# A capitalised word inside a sentence names someone or something: "Rob", "Joy", "Grace" carry
# no opinion, whatever the lower-case word's valence.
_NAME = re.compile(r"(?<=[\w,;)]\s)[A-Z][a-z]+(?:['’]s)?\b")


def sentiment(text: str) -> float:
    """VADER's compound score of `text` with the review vocabulary added (-1 … 1)."""
    return float(_analyzer().polarity_scores(_TOO.sub("bad", _NAME.sub("", text)))["compound"])


def _sign(score: float) -> int:
    return 1 if score >= CLEAR else -1 if score <= -CLEAR else 0


def _pieces(text: str, start: int, end: int, breaks: re.Pattern[str]) -> list[tuple[int, int]]:
    """text[start:end] cut at each match of `breaks`, as (start, end) of the non-empty pieces."""
    out, cursor = [], start
    for m in breaks.finditer(text, start, end):
        if m.start() > cursor:
            out.append((cursor, m.start()))
        cursor = m.end()
    if end > cursor:
        out.append((cursor, end))
    return out


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return _pieces(text, start, end, _CLAUSE)


def _claim_clauses(claim: str) -> list[tuple[int, int]]:
    """The claim's clauses: at the evidence's breaks, and where ", and" starts a statement of its
    own (`scoring.parts`: "the beer garden welcomes dogs, and bartender Kayla was criticised …"),
    so that each speaks of its own aspect."""
    out = []
    for a, b in _clauses(claim, 0, len(claim)):
        out += _pieces(claim, a, b, _AND_CLAUSE) if len(claim_parts(claim[a:b])) > 1 else [(a, b)]
    return out


def _aspect(text: str, start: int, end: int) -> dict[str, str]:
    """The clause's aspect: its content words that carry no sentiment, report no one and name
    nothing (a capitalised word past the clause's first), by stem, each with the word as written,
    in the clause's order."""
    lexicon = _analyzer().lexicon
    out: dict[str, str] = {}
    for k, (a, b) in enumerate(word_spans(text[start:end])):
        word = text[start + a : start + b]
        lower = _POSSESSIVE.sub("", word.lower())
        if lower in STOPWORDS or lower in lexicon or lower in CARDINALS or len(lower) < 3 or (k and word[0].isupper()):
            continue
        if lower.endswith(("n't", "n’t")):
            continue  # "didn't work": the negation is the sentiment's, not the aspect's
        s = stem(lower)
        if s not in _REPORTING:
            out.setdefault(s, lower)
    return out


def _facets(clause: str) -> list[re.Pattern[str]]:
    """The markers of each facet a word of the clause judges ("overpriced": the price)."""
    said = {w.lower() for w in re.findall(r"[\w-]+", clause)}
    return [marks for judging, marks in _FACETS.values() if said & judging]


def _on_facet(clause: str, facets: list[re.Pattern[str]]) -> bool:
    """Whether an evidence clause speaks of one of the facets the claim judges (any, if none)."""
    return not facets or any(marks.search(clause) for marks in facets)


def _about(aspect: dict[str, str], stems: frozenset[str]) -> bool:
    """Whether a clause with these stems speaks of the aspect: it names at least half its words
    ("the green curry" in "the curry was bland"; not "noise from the next room" in "our room was
    spotless")."""
    return 2 * len(aspect.keys() & stems) >= len(aspect)


@dataclass(frozen=True)
class _Clause:
    start: int
    end: int
    stems: frozenset[str]
    sign: int


@functools.lru_cache(maxsize=16)
def _evidence_clauses(evidence: str) -> tuple[_Clause, ...]:
    """Each clause of the evidence, with its words' stems and its sentiment's sign (kept for the
    next claim of the same draft, which reads the same reviews)."""
    out = []
    for s_start, s_end in iter_sentence_spans(evidence):
        for a, b in _clauses(evidence, s_start, s_end):
            piece = evidence[a:b]
            stems = frozenset(stem(_POSSESSIVE.sub("", piece[x:y].lower())) for x, y in word_spans(piece))
            out.append(_Clause(a, b, stems, _sign(sentiment(piece))))
    return tuple(out)


def reports_opinion(claim: str) -> bool:
    """Whether the claim reports what reviewers said or felt ("one reviewer found …", "the
    reviewer's main complaint was …")."""
    return any(p.search(claim) for p in (REPORTED, _FELT, _RECEIVED, _UNIVERSAL))


def _opinions(claim: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """The opinions of one clause, (start, end, sign): the clause itself, or, where it lists what
    reviewers thought ("Reviewers praise the lamb saag, the garlic naan and the biryani, and
    mention unfriendly staff"), each item, with its own sentiment or else the last one stated
    before it (the verb's: "praise")."""
    lead = _DISCOURSE.match(claim, start, end)
    start = lead.end() if lead else start
    items = _pieces(claim, start, end, _ITEM_BREAK)
    # A list follows its reviewer ("Reviewers praise A, B and C"); a clause whose subject comes
    # first ("The karaage, by contrast, struck one reviewer as dry and greasy") is one opinion.
    who = _REVIEWER.search(claim, start, end)
    if len(items) < 2 or not _REVIEWER.search(claim) or (who is not None and who.start() - start > _LIST_LEAD):
        return [(start, end, _sign(sentiment(claim[start:end])))]
    out, carried = [], 0
    for a, b in items:
        own = _sign(sentiment(claim[a:b]))
        carried = own or carried
        out.append((a, b, carried))
    return out


def contradicted_opinion(claim: str, evidence: str) -> OpinionMismatch | None:
    """The opinion of a reported-opinion claim that the evidence states only the other way, if
    any."""
    if not reports_opinion(claim):
        return None
    for c_start, c_end in _claim_clauses(claim):
        for start, end, sign in _opinions(claim, c_start, c_end):
            aspect = _aspect(claim, start, end) if sign else {}
            if not aspect:
                continue
            facets = _facets(claim[start:end])
            about = [
                c
                for c in _evidence_clauses(evidence)
                if c.sign and _about(aspect, c.stems) and _on_facet(evidence[c.start : c.end], facets)
            ]
            said = "praised" if sign < 0 else "criticised"
            named = " ".join(aspect.values())
            if about and all(c.sign == -sign for c in about):
                return OpinionMismatch(start, end, f"the reviews {said} the {named}", about[0].start, about[0].end)
            if _UNIVERSAL.search(claim, c_start, c_end):
                against = [c for c in about if c.sign == -sign]
                if against:
                    reason = f"not every review agrees: one {said} the {named}"
                    return OpinionMismatch(start, end, reason, against[0].start, against[0].end)
                sources = {evidence.count("\n", 0, c.start) for c in about}
                if len(sources) < 2 <= evidence.count("\n") + 1:
                    if not about:
                        return OpinionMismatch(start, end, f"no review says so of the {named}")
                    reason = f"only one review speaks of the {named}"
                    return OpinionMismatch(start, end, reason, about[0].start, about[0].end)
    return None
