"""Synthetic NLI pairs made from real passages: the project's own training data, unbounded.

A sentence of a passage, checked against a window of that passage (the sentence and up to two
neighbours), gives a pair whose label follows from how the hypothesis was made:

- entailment: the sentence copied (`copy`) or lightly reworded (`paraphrase`: parentheticals
  dropped, a leading phrase dropped, synonyms, small numbers spelled out; `reword`: the same
  polarity in other words, "is not refundable" / "isn't refundable" / "is non-refundable", and
  a policy's "Customers can ..." as an answer's "You can ..."), shortened as a summary shortens it
  (`compress`: a non-restrictive clause or an example list dropped), or two neighbouring sentences
  told as one (`merge`: a claim that needs both);
- contradiction: one detail inside the otherwise copied sentence changed: a number, a date, a
  weekday, a name, a negation added or removed, a quantifier's scope, or an attribute turned into
  its opposite. Some of these (and of the invented details) are made from a reworded sentence, so
  that how closely a hypothesis copies its premise is no cue to its label;
- neutral: a sentence of another document (`other_doc`), or the copied sentence with a detail
  from another document added (`invented_detail`: what RAG drafts most often get wrong).

Every kind is seeded and deterministic given (documents, n, seed).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from scoring.text import split_sentences, words
from scoring.train import LABEL2ID
from scoring.train.data import _COMPARATIVE, Pair, _perturb_number

ENTAIL_KINDS = ("copy", "paraphrase", "reword", "compress", "merge")
CONTRADICT_KINDS = ("number", "date", "weekday", "name", "negation", "scope", "attribute")
NEUTRAL_KINDS = ("other_doc", "invented_detail")
KINDS = ENTAIL_KINDS + CONTRADICT_KINDS + NEUTRAL_KINDS
LABEL_OF = {
    **dict.fromkeys(ENTAIL_KINDS, "entailment"),
    **dict.fromkeys(CONTRADICT_KINDS, "contradiction"),
    **dict.fromkeys(NEUTRAL_KINDS, "neutral"),
}


@dataclass(frozen=True)
class Doc:
    group: str  # the source document (pairs of one document share a group)
    text: str


_NUMBER = re.compile(r"(?<![\w.,$])\d[\d,]*(?:\.\d+)?(?![\w])")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_MONTHS = (
    "January February March April May June July August September October November December".split()  # noqa: SIM905
)
_MONTH = re.compile(r"\b(" + "|".join(_MONTHS) + r")\b")
_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()  # noqa: SIM905
_WEEKDAY = re.compile(r"\b(" + "|".join(_WEEKDAYS) + r")s?\b")
_NAME = re.compile(r"(?<=[a-z,] )([A-Z][a-z]+(?: [A-Z][a-z]+){0,2})\b")
_AUX = re.compile(r"\b(is|are|was|were|can|could|will|would|should|has|have|had|does|do|did|must|may)\b(?! not\b| n't)")
_NEGATED = re.compile(r"\b(is|are|was|were|can|could|will|would|should|has|have|had|does|do|did|must) not\b")
_NEVER = re.compile(r"\bnever\b")
_PAREN = re.compile(r"\s*\([^()]{1,80}\)")
_LEAD = re.compile(r"^(?:[A-Z][^,]{2,40}),\s+(?=[a-zA-Z])")

SCOPE_SWAPS: dict[str, tuple[str, ...]] = {
    "all": ("only some",),
    "every": ("no",),
    "everyone": ("no one",),
    "always": ("never", "rarely"),
    "both": ("neither of the",),
    "none": ("all",),
    "many": ("few",),
    "most": ("few",),
    "each": ("no",),
    "any": ("no",),
}
ANTONYMS: dict[str, str] = {
    "increase": "decrease",
    "increased": "decreased",
    "increases": "decreases",
    "rise": "fall",
    "rose": "fell",
    "higher": "lower",
    "larger": "smaller",
    "largest": "smallest",
    "more": "less",
    "before": "after",
    "first": "last",
    "earliest": "latest",
    "open": "closed",
    "free": "paid",
    "allowed": "prohibited",
    "included": "excluded",
    "available": "unavailable",
    "refundable": "non-refundable",
    "won": "lost",
    "win": "lose",
    "north": "south",
    "east": "west",
    "male": "female",
    "older": "younger",
    "oldest": "youngest",
    "longer": "shorter",
    "longest": "shortest",
    "maximum": "minimum",
    "above": "below",
    "success": "failure",
    "successful": "unsuccessful",
    "accepted": "rejected",
    "public": "private",
    "positive": "negative",
    "domestic": "international",
    "full-time": "part-time",
    "permanent": "temporary",
    "strong": "weak",
    "early": "late",
    "earlier": "later",
    "gained": "lost",
    "approved": "denied",
    "legal": "illegal",
    "possible": "impossible",
    "easy": "difficult",
    "cheaper": "more expensive",
    "faster": "slower",
    "best": "worst",
    "new": "old",
    "inside": "outside",
    "upper": "lower",
    "start": "end",
    "began": "ended",
    "supports": "opposes",
    "supported": "opposed",
    "agreed": "refused",
    "entered": "left",
    "joined": "left",
    "born": "died",
}
ANTONYMS.update({v: k for k, v in list(ANTONYMS.items()) if " " not in v and v not in ANTONYMS})
# Plan, tier and class names: a claim that gives one tier's terms to another is false.
TIERS = {
    *("Basic", "Standard", "Plus", "Pro", "Premium", "Premier", "Business", "Enterprise", "Starter", "Scale"),
    *("Free", "Gold", "Silver", "Platinum", "Bronze", "economy", "business", "first-class"),
}
SYNONYMS: dict[str, str] = {
    "purchase": "buy",
    "purchased": "bought",
    "approximately": "about",
    "large": "big",
    "begin": "start",
    "began": "started",
    "assist": "help",
    "receive": "get",
    "received": "got",
    "require": "need",
    "requires": "needs",
    "numerous": "many",
    "prior to": "before",
    "commenced": "started",
    "obtain": "get",
    "additional": "extra",
    "however": "but",
    "located in": "in",
    "in order to": "to",
    "individuals": "people",
    "children": "kids",
    "currently": "now",
    "utilize": "use",
    "used": "employed",
    "demonstrated": "showed",
    "stated": "said",
    "reported": "said",
    "announced": "said",
    "completed": "finished",
    "attempted": "tried",
    "sufficient": "enough",
    "vehicle": "car",
    "residence": "home",
}
_SMALL = {str(i): w for i, w in enumerate("zero one two three four five six seven eight nine ten".split())}  # noqa: SIM905
_FRAGMENT = re.compile(r"\b(?:in|with|for|after|because|including|during|near|without|which|who|since) [^,.;:]{8,60}")


def _word_swap(text: str, table: dict[str, str | tuple[str, ...]], rng: random.Random) -> str | None:
    hits = [m for m in re.finditer(r"\b[\w-]+\b", text) if m.group().lower() in table]
    if not hits:
        return None
    m = rng.choice(hits)
    options = table[m.group().lower()]
    new = options if isinstance(options, str) else rng.choice(options)
    if m.group()[0].isupper():
        new = new[0].upper() + new[1:]
    return text[: m.start()] + new + text[m.end() :]


def _number(s: str, rng: random.Random, window: str) -> str | None:
    if _COMPARATIVE.search(s):
        return None
    nums = [m for m in _NUMBER.finditer(s) if not _YEAR.fullmatch(m.group())]
    if not nums:
        return None
    m = rng.choice(nums)
    new = _perturb_number(m.group(), rng)
    if new == m.group() or re.search(rf"(?<![\d,.]){re.escape(new)}(?![\d])", window):
        return None
    return s[: m.start()] + new + s[m.end() :]


def _date(s: str, rng: random.Random, window: str) -> str | None:
    if _COMPARATIVE.search(s):
        return None
    options: list[tuple[int, int, str]] = []
    for m in _YEAR.finditer(s):
        y = int(m.group()) + rng.choice([-3, -2, -1, 1, 2, 3, 10])
        if str(y) not in window:
            options.append((m.start(), m.end(), str(y)))
    for m in _MONTH.finditer(s):
        other = rng.choice([x for x in _MONTHS if x != m.group() and x not in window] or [m.group()])
        if other != m.group():
            options.append((m.start(), m.end(), other))
    if not options:
        return None
    a, b, new = rng.choice(options)
    return s[:a] + new + s[b:]


def _weekday(s: str, rng: random.Random, window: str) -> str | None:
    hits = list(_WEEKDAY.finditer(s))
    if not hits:
        return None
    m = rng.choice(hits)
    day = m.group(1)
    other = rng.choice([d for d in _WEEKDAYS if d != day and d not in window] or [day])
    if other == day:
        return None
    return s[: m.start(1)] + other + s[m.end(1) :]


def _name(s: str, rng: random.Random, window: str, others: Sequence[str]) -> str | None:
    hits = [m for m in _NAME.finditer(s) if m.group(1) not in _MONTHS and m.group(1) not in _WEEKDAYS]
    pool = [n for n in others if n not in window and n not in _MONTHS and n not in _WEEKDAYS]
    if not hits or not pool:
        return None
    m = rng.choice(hits)
    return s[: m.start(1)] + rng.choice(pool) + s[m.end(1) :]


def _negation(s: str, rng: random.Random, window: str) -> str | None:
    neg = list(_NEGATED.finditer(s)) + list(_NEVER.finditer(s))
    if neg:
        m = rng.choice(neg)
        new = m.group(1) if m.lastindex else "always"
        return s[: m.start()] + new + s[m.end() :]
    aux = list(_AUX.finditer(s))
    if not aux:
        return None
    m = aux[0]
    return s[: m.end()] + " not" + s[m.end() :]


def _scope(s: str, rng: random.Random, window: str) -> str | None:
    return _word_swap(s, SCOPE_SWAPS, rng)  # type: ignore[arg-type]


def _attribute(s: str, rng: random.Random, window: str) -> str | None:
    tiers = [m for m in re.finditer(r"\b[\w-]+\b", s) if m.group() in TIERS]
    if tiers and rng.random() < 0.5:
        m = rng.choice(tiers)
        other = rng.choice(sorted(t for t in TIERS if t != m.group() and t[0].isupper() == m.group()[0].isupper()))
        return s[: m.start()] + other + s[m.end() :]
    new = _word_swap(s, ANTONYMS, rng)  # type: ignore[arg-type]
    # The premise must not already state the new wording elsewhere (it would not contradict).
    return new if new is not None and new not in window else None


def _paraphrase(s: str, rng: random.Random) -> str | None:
    out = s
    steps: list[Callable[[str], str | None]] = [
        lambda t: _PAREN.sub("", t) if _PAREN.search(t) else None,
        lambda t: (t[_LEAD.match(t).end() :][0].upper() + t[_LEAD.match(t).end() + 1 :]) if _LEAD.match(t) else None,  # type: ignore[union-attr]
        lambda t: _word_swap(t, SYNONYMS, rng),  # type: ignore[arg-type]
        lambda t: (
            re.sub(r"\b([2-9])\b(?![.,]\d)", lambda m: _SMALL[m.group(1)], t, count=1)
            if re.search(r"\b[2-9]\b(?![.,]\d)", t)
            else None
        ),
    ]
    rng.shuffle(steps)
    changed = 0
    for step in steps:
        new = step(out)
        if new and new != out and len(words(new)) >= 5:
            out, changed = new, changed + 1
        if changed == 2:
            break
    return out if changed else None


# What a summary leaves out without changing what the sentence says: a non-restrictive clause
# (", which ...", ", who ..."), an appositive between commas, an example list (", including ..."),
# an attribution (", according to ..."). A restrictive clause ("Customers who ... can") is never
# dropped: without it the sentence speaks of everyone, which is the scope error of a bad draft;
# nor is a clause that limits or negates ("except", "only", "not"): dropping it changes the claim.
_DROPPABLE = re.compile(
    r",\s+(?:which|who|whose)\s[^,;()]{4,90}(?=,|[.!?]?$)"
    r"|,\s+(?:including|such as|for example|for instance|according to)\s[^;()]{3,100}(?=[.!?]?$)"
    r"|(?P<appositive>(?<=[a-z]),\s+(?:a|an|the)\s[^,;()]{3,60},(?=\s))"
)
_NAMED = re.compile(r"\b[A-Z][a-z]+$")  # an appositive follows a name: "Monet, a French painter, ..."
_LIMITING = re.compile(r"\b(?:not|no|never|only|except|unless|without|but|until|if)\b|n't\b", re.IGNORECASE)


def _compress(s: str, rng: random.Random) -> str | None:
    hits = [
        m
        for m in _DROPPABLE.finditer(s)
        if not _LIMITING.search(m.group()) and (m.group("appositive") is None or _NAMED.search(s[: m.start()]))
    ]
    if not hits:
        return None
    m = rng.choice(hits)
    end = m.end() + 1 if s[m.end() : m.end() + 1] == "," else m.end()  # the clause's closing comma
    new = (s[: m.start()] + s[end:]).rstrip()
    if not re.search(r"[.!?]$", new):
        new += "."
    if len(words(new)) < 5:
        return None
    # A summary often rewords what it keeps, too.
    return (_paraphrase(new, rng) or new) if rng.random() < 0.4 else new


_OPENINGS = frozenset(
    "the it its they their this these those he his she her there a an in on at all most some many we our "  # noqa: SIM905
    "after before during when while since however also both each one as for by with from if because "
    "although though but so then now today later until".split()
)


def _merge(s: str, following: str | None, window: str, rng: random.Random) -> str | None:
    """Two neighbouring sentences as one: "The shop opened in 2015. It sells shoes." → "The shop
    opened in 2015, and it sells shoes." A claim that needs both sentences of its window."""
    if not following or len(words(s)) + len(words(following)) > 40:
        return None
    first = s.rstrip().rstrip(".!?")
    second = following.strip()
    if not re.search(r"[.!?]$", second) or "?" in first + second:
        return None
    # The second sentence's first word is lower-cased when it is a common opening word, kept when
    # the window also writes it capitalised inside a sentence (a name); otherwise no merge.
    head = second.split()[0]
    if head.lower() in _OPENINGS:
        second = second[0].lower() + second[1:]
    elif not re.search(rf"[\w,] {re.escape(head)}\b", window):
        return None
    return first + rng.choice((", and ", "; ", ", and ")) + second


# The same polarity in other words. A model taught only that an added or removed "not"
# contradicts reads "can't be refunded" against "non-refundable" as a contradiction; these pairs
# say a negation written another way is still the same statement. Each side is matched as a
# whole phrase, and the table is read both ways.
POLARITY_EQUIVALENTS: tuple[tuple[str, str], ...] = (
    ("cannot", "can't"),
    ("do not", "don't"),
    ("does not", "doesn't"),
    ("did not", "didn't"),
    ("is not", "isn't"),
    ("are not", "aren't"),
    ("was not", "wasn't"),
    ("were not", "weren't"),
    ("will not", "won't"),
    ("has not", "hasn't"),
    ("have not", "haven't"),
    ("should not", "shouldn't"),
    ("not refundable", "non-refundable"),
    ("not transferable", "non-transferable"),
    ("not available", "unavailable"),
    ("not eligible", "ineligible"),
    ("not possible", "impossible"),
    ("not permitted", "prohibited"),
    ("not allowed", "prohibited"),
    ("not included", "excluded"),
    ("not required", "optional"),
    ("free of charge", "at no charge"),
    ("at no extra cost", "at no additional cost"),
    ("at least", "no less than"),
    ("at most", "no more than"),
)
_EQUIVALENT = [
    (re.compile(rf"\b{re.escape(a)}\b", re.IGNORECASE), b) for x, y in POLARITY_EQUIVALENTS for a, b in ((x, y), (y, x))
]
# A policy speaks of its customers, an answer to the customer: "Members can ..." → "You can ...".
# Plural subjects only, so the verb agrees with "you" as written.
_AUDIENCE = re.compile(
    r"^(?:(?:All|Our)\s+)?(?!(?:The|These|Those|Some|Many|Most|Such|Other|Both|Each|Any|No)\b)(?P<q>(?:[A-Z][\w-]*|[a-z][\w-]*-\w+)\s+(?:plan\s+|class\s+|tier\s+)?)?"
    r"(?P<n>customer|member|subscriber|user|account holder|cardholder|passenger|guest|visitor|student|client|"
    r"buyer|shopper|owner|traveller|traveler|patient|resident)s\b(?=\s+(?!who\b|that\b|with\b|of\b))",
    re.IGNORECASE,
)


def _polarity_reword(s: str, rng: random.Random) -> str | None:
    hits = [(m, b) for rx, b in _EQUIVALENT for m in rx.finditer(s)]
    if not hits:
        return None
    m, new = rng.choice(hits)
    if m.group()[0].isupper():
        new = new[0].upper() + new[1:]
    return s[: m.start()] + new + s[m.end() :]


def to_second_person(s: str) -> str | None:
    """ "Customers can cancel their plan." → "You can cancel your plan."; a qualified group keeps
    its qualifier: "Premium members can ..." → "As a Premium member, you can ..." (dropping it would
    widen the statement). None when the sentence has no such subject."""
    m = _AUDIENCE.match(s)
    if m is None:
        return None
    rest = s[m.end() :]
    rest = re.sub(r"\btheir\b", "your", rest)
    rest = re.sub(r"\bthemselves\b", "yourself", rest)
    rest = re.sub(r"\bthey\b", "you", rest)
    qualifier = (m.group("q") or "").strip()
    if not qualifier:
        return "You" + rest
    if qualifier.split()[0] not in TIERS and not qualifier.split()[0].isupper():
        qualifier = qualifier[0].lower() + qualifier[1:]  # capitalised only by its place in the sentence
    noun = f"{qualifier} {m.group('n').lower()}"
    article = "an" if noun[0].lower() in "aeiou" else "a"
    return f"As {article} {noun}, you{rest}"


def _reword(s: str, rng: random.Random) -> str | None:
    steps: list[Callable[[str], str | None]] = [lambda t: _polarity_reword(t, rng), to_second_person]
    rng.shuffle(steps)
    out, changed = s, False
    for step in steps:
        new = step(out)
        if new and new != out:
            out, changed = new, True
    return out if changed else None


def _invented(s: str, rng: random.Random, fragments: Sequence[str]) -> str | None:
    if not fragments:
        return None
    body = s.rstrip(" .!?")
    return f"{body} {rng.choice(fragments)}."


SUPPORT_KB = Path(__file__).with_name("support_kb.txt")


def support_documents() -> list[Doc]:
    """Short support knowledge-base passages written for the generator (policies, plans, hours):
    the wording of the product's own domain, which the public dev files lack."""
    lines = SUPPORT_KB.read_text(encoding="utf-8").splitlines()
    return [Doc(f"support:{i}", line) for i, line in enumerate(lines) if line.strip()]


def _other_doc(sentences: Sequence[tuple[int, list[str]]], di: int, rng: random.Random) -> str | None:
    dj, other = rng.choice(sentences)
    hyp = rng.choice(other).strip()
    return hyp if dj != di and 6 <= len(words(hyp)) <= 45 else None


def make_pairs(docs: Sequence[Doc], n: int, *, seed: int, source: str = "synthetic") -> list[Pair]:
    """About `n` pairs, labels balanced over entailment / contradiction / neutral."""
    rng = random.Random(seed)
    sentences: list[tuple[int, list[str]]] = []
    names: list[str] = []
    fragments: list[str] = []
    for di, doc in enumerate(docs):
        sents = [doc.text[a:b] for a, b in split_sentences(doc.text)]
        if sents:
            sentences.append((di, sents))
        if len(names) < 20000:
            names.extend(m.group(1) for m in _NAME.finditer(doc.text))
        if len(fragments) < 20000:
            fragments.extend(m.group() for m in _FRAGMENT.finditer(doc.text))
    if len(sentences) < 2:
        return []
    following: str | None = None  # the sentence after the drawn one, for `merge`
    makers: dict[str, Callable[[str, str], str | None]] = {
        "number": lambda s, w: _number(s, rng, w),
        "date": lambda s, w: _date(s, rng, w),
        "weekday": lambda s, w: _weekday(s, rng, w),
        "name": lambda s, w: _name(s, rng, w, names),
        "negation": lambda s, w: _negation(s, rng, w),
        "scope": lambda s, w: _scope(s, rng, w),
        "attribute": lambda s, w: _attribute(s, rng, w),
        "paraphrase": lambda s, w: _paraphrase(s, rng),
        "reword": lambda s, w: _reword(s, rng),
        "compress": lambda s, w: _compress(s, rng),
        "merge": lambda s, w: _merge(s, following, w, rng),
        "copy": lambda s, w: s,
        "invented_detail": lambda s, w: _invented(s, rng, fragments),
    }
    out: list[Pair] = []
    made = dict.fromkeys(("entailment", "contradiction", "neutral"), 0)
    tries = 0
    while len(out) < n and tries < n * 20:
        tries += 1
        di, sents = rng.choice(sentences)
        si = rng.randrange(len(sents))
        s = sents[si].strip()
        if not 6 <= len(words(s)) <= 45:
            continue
        lo = max(0, si - rng.choice([0, 0, 1, 1, 2]))
        hi = min(len(sents), si + 1 + rng.choice([0, 0, 1, 1, 2]))
        window = " ".join(x.strip() for x in sents[lo:hi])
        # Labels stay balanced: a label whose share is filled is not drawn again.
        label = rng.choice(
            [lab for lab in ("entailment", "contradiction", "neutral") if made[lab] * 3 < n] or ["neutral"]
        )
        if label == "entailment" and hi - lo == 1 and len(sents) > 1:
            # A copied sentence needs context around it, or the pair is premise == hypothesis.
            lo, hi = (si - 1, si + 1) if si > 0 else (si, si + 2)
            window = " ".join(x.strip() for x in sents[lo:hi])
        following = sents[si + 1].strip() if si + 1 < len(sents) else None
        if label == "entailment":
            # Copies are a minority (about 15% on the dev passages): a model taught mostly on copies
            # reads any rewording as neutral.
            r = rng.random()
            kinds = (
                ["reword", "paraphrase", "compress", "copy"]
                if r < 0.25
                else ["paraphrase", "compress", "copy"]
                if r < 0.5
                else ["compress", "paraphrase", "copy"]
                if r < 0.7
                else ["merge", "compress", "copy"]
                if r < 0.85
                else ["copy"]
            )
            if "merge" in kinds and following and hi < si + 2:
                hi = si + 2  # the window holds both sentences the merged claim needs
                window = " ".join(x.strip() for x in sents[lo:hi])
        elif label == "contradiction":
            kinds = list(CONTRADICT_KINDS)
        else:
            kinds = list(NEUTRAL_KINDS)
        # Every kind of the label in turn, on the same sentence: rare kinds (a weekday, a date)
        # get their share wherever the sentence allows them.
        if label != "entailment":
            rng.shuffle(kinds)
        # A third of the changed details are made in a reworded sentence (see the module's docstring).
        base = s
        if label != "entailment" and rng.random() < 0.33:
            base = _paraphrase(s, rng) or _compress(s, rng) or s
        for kind in kinds:
            hyp = _other_doc(sentences, di, rng) if kind == "other_doc" else makers[kind](base, window)
            if hyp and LABEL_OF[kind] == "contradiction" and rng.random() < 0.25:
                # Answers say "you" whatever their label: the second person is no cue to entailment.
                hyp = to_second_person(hyp) or hyp
            if hyp and hyp != window:
                out.append(Pair(window, hyp, LABEL2ID[LABEL_OF[kind]], f"{source}:{kind}", docs[di].group))
                made[LABEL_OF[kind]] += 1
                break
    return out
