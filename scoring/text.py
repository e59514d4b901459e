"""Text helpers shared by claims, log-prob alignment, guardrails and verification.

Everything here works on character offsets into the original string, so a span can always be
re-sliced from the text it came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Abbreviations whose trailing period does not end a sentence (lower-cased, without the dot).
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof sr jr st vs etc e.g i.e cf al approx dept est fig inc ltd co corp
    jan feb mar apr jun jul aug sep sept oct nov dec no nos vol pp u.s u.k a.m p.m mt ft
    gen col lt sgt capt gov sen rep rev
    """.split()  # noqa: SIM905 - a word list reads better as text
)

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) then whitespace,
# or at a line break. Decimal points ("3.5") and abbreviations are filtered afterwards.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|\n+")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")

# Spelled-out cardinals, for the checks that compare values written as words ("two years").
CARDINALS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}

# Words that multiply the figure before them: "five hundred", "2 thousand", "1.5 million".
MULTIPLIERS = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}
_SPELLED_WORDS = "|".join(sorted(CARDINALS, key=len, reverse=True))
_ONES = "|".join(w for w, n in CARDINALS.items() if 1 <= n <= 9)
# A figure as drafts write it: digits ("1,200", "4.5") or spelled ("twenty-five"), either maybe
# followed by a multiplier and, for spelled ones, the rest ("five hundred and fifty").
_SPELLED_FIGURE = r"\b(?:" + _SPELLED_WORDS + r")(?:-(?:" + _ONES + r"))?\b"
NUMBER_PATTERN = (
    r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|" + _SPELLED_FIGURE + r")"
    r"(?:\s+(?:" + "|".join(MULTIPLIERS) + r")\b(?:\s+(?:and\s+)?" + _SPELLED_FIGURE + r")?){0,2}"
)


def number_value(text: str) -> float | None:
    """The value of a figure matched by `NUMBER_PATTERN` ("1,200", "twenty-five", "five hundred
    and fifty", "2 million"); None for anything else."""
    total = 0.0
    current: float | None = None
    for part in re.split(r"[\s-]+", text.strip().lower()):
        if part == "and" and current is not None:
            continue
        if part in MULTIPLIERS and current is not None:
            current *= MULTIPLIERS[part]
            if MULTIPLIERS[part] > 100:
                total, current = total + current, 0.0
            continue
        if part in CARDINALS:
            current = (current or 0.0) + CARDINALS[part]
            continue
        try:
            value = float(part.replace(",", ""))
        except ValueError:
            return None
        if current is not None:
            return None  # digits after another figure: not one number
        current = value
    if current is None:
        return None
    return total + current


STOPWORDS = frozenset(
    """
    a an the and or but if then else of to in on at by for with from as is are was were be
    been being it its this that these those there here he she they them his her their we our
    you your i me my mine not no do does did done have has had having will would can could
    should may might must shall so such than too very just also into over under about after
    before between during through up down out off again further once all any both each few
    more most other some own same only which who whom whose what when where why how while
    because until against above below s t don doesn didn isn aren wasn weren won wouldn
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def iter_sentence_spans(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of sentences in text[start:end], whitespace-trimmed, never empty."""
    stop = len(text) if end is None else end
    cursor = start
    for m in _BOUNDARY.finditer(text, start, stop):
        if m.group().startswith("\n"):
            cut = m.start()
        else:
            if _is_false_boundary(text, m.start(), m.end()):
                continue
            cut = m.end()
        span = _trim(text, cursor, cut)
        if span is not None:
            yield span
        cursor = m.end()
    span = _trim(text, cursor, stop)
    if span is not None:
        yield span


def split_sentences(text: str) -> list[tuple[int, int]]:
    return list(iter_sentence_spans(text))


def _is_false_boundary(text: str, dot_start: int, dot_end: int) -> bool:
    punct = text[dot_start:dot_end]
    if not punct.startswith("."):
        return False
    if punct.startswith("..."):
        return False
    # Word before the dot.
    j = dot_start
    while j > 0 and (text[j - 1].isalnum() or text[j - 1] == "."):
        j -= 1
    word = text[j:dot_start].lower()
    if word in _ABBREVIATIONS:
        return True
    # A list number at the start of a line ("1. Refunds ...") is a marker, not a sentence.
    if word.isdigit() and len(word) <= 2 and text[max(0, text.rfind("\n", 0, j) + 1) : j].strip() == "":
        return True
    # Single initials ("J. K. Rowling") are not sentence ends.
    if len(word) == 1 and word.isalpha() and text[j:dot_start].isupper():
        return True
    # Next non-space char lower-case → the sentence goes on ("approx. five").
    k = dot_end
    while k < len(text) and text[k] in " \t":
        k += 1
    return k < len(text) and text[k].islower()


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return None
    return start, end


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def word_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _WORD.finditer(text)]


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]


def stem(word: str) -> str:
    """A deliberately crude suffix stripper: enough to match "launched"/"launches"/"launch"."""
    for suffix in ("ing", "edly", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_stems(text: str) -> set[str]:
    return {stem(w) for w in content_words(text)}


def shared_share(stems: set[str], other: set[str]) -> float:
    """Share of `stems` that `other` holds, a stem matching another that it begins or that begins
    it ("collect" / "collection"), both at least four letters: the crude stemmer leaves such pairs
    apart. 1.0 for no stems."""
    if not stems:
        return 1.0

    def held(s: str) -> bool:
        return s in other or (len(s) >= 4 and any(len(o) >= 4 and (o.startswith(s) or s.startswith(o)) for o in other))

    return sum(1 for s in stems if held(s)) / len(stems)


# Words of a support answer's tone, not its content: "Unfortunately we can't refund ...".
DISCOURSE = frozenset(
    "unfortunately sorry afraid please kindly note simply still also even however already yes course".split()  # noqa: SIM905
)
CONFIRM_SHARED = 2 / 3  # share of a claim's words its sentence must hold to confirm it


def same_topic(claim_stems: set[str], sentence_stems: set[str]) -> bool:
    """The two say the same of the same thing, as far as words go: the sentence holds most of the
    claim's words, and each adds at most one word the other lacks. A claim that adds more adds a
    claim ("…, and the setup is free"); a sentence that adds more is narrower than the claim (a
    condition the claim drops, "after the first 30 days")."""
    claim_stems, sentence_stems = claim_stems - DISCOURSE, sentence_stems - DISCOURSE
    if len(claim_stems) < 2 or shared_share(claim_stems, sentence_stems) < CONFIRM_SHARED:
        return False
    claim_extra = len(claim_stems) * (1 - shared_share(claim_stems, sentence_stems))
    sentence_extra = len(sentence_stems) * (1 - shared_share(sentence_stems, claim_stems))
    return round(claim_extra) <= 1 and round(sentence_extra) <= 1


def lexical_support(claim: str, evidence_stems: set[str]) -> float:
    """Share of the claim's content words found (stemmed) in the evidence; 1.0 if it has none."""
    cw = [stem(w) for w in content_words(claim)]
    if not cw:
        return 1.0
    return sum(1 for w in cw if w in evidence_stems) / len(cw)
