"""Split a compound claim into the parts the verifier can check one at a time.

An overview or a long answer packs several statements into one sentence ("Walk-ins are
accepted, cards are taken, and there's plenty of lot parking."; "The shop is described as
spotless, though a Saturday walk-in waited around 40 minutes"). The NLI model reads such a
sentence against one evidence window, and no single window (one review, one field) holds all of
it, so a faithful sentence comes back `insufficient`. Checked part by part, each part meets the
window that holds it. The claim the reviewer sees stays the whole sentence: parts only decide
whether all of it is supported.

Parts are cut where a clause ends: at a semicolon, a spaced dash, a parenthesis, and a comma
followed by a conjunction that starts a new clause ("and", "but", "though", "while" …). Lists of
nouns ("the har gow, egg tarts and siu mai") and verb phrases sharing a subject ("apologized and
moved them") stay whole: a part without its own subject and verb is no statement. A part needs
`MIN_PART_WORDS` words and two content words; a shorter piece stays with the part before it.
"""

from __future__ import annotations

import re

from scoring.text import content_words, words

MIN_PART_WORDS = 3
MAX_PARTS = 4  # more is a list, not a compound statement: its pieces are no claims on their own

# Where one clause ends and the next begins; the conjunction stays with the right-hand part and
# is stripped from its hypothesis.
_CUT = re.compile(
    r";\s+"
    r"|\s+[-–—]\s+"
    r"|,\s+(?=(?:and|but|though|although|while|whereas|yet|so|plus|which|where)\s)",
    re.IGNORECASE,
)
# A parenthesis that holds a clause of its own ("cards are accepted (though one visitor found
# the reader down)") is a part; one that holds a figure or a gloss ("($45 with a design)") is not.
_ASIDE = re.compile(r"\s*\(((?:though|although|but|while|which|and|one|another)\s[^()]*)\)", re.IGNORECASE)
_LEAD = re.compile(r"^(?:and|but|though|although|while|whereas|yet|so|plus|which|where|also)\b[\s,]*", re.IGNORECASE)
_EDGE = re.compile(r"^[\s,;:.\-–—]+|[\s,;:.\-–—]+$")


def claim_parts(claim: str) -> list[str]:
    """The claim's parts as hypotheses, or [] when it is one statement (or too long a list)."""
    asides = [m.group(1) for m in _ASIDE.finditer(claim)]
    pieces = [*_CUT.split(_ASIDE.sub("", claim)), *asides]
    parts: list[str] = []
    for piece in pieces:
        text = _EDGE.sub("", _LEAD.sub("", _EDGE.sub("", piece)))
        if not text:
            continue
        if parts and not _statement(text):
            parts[-1] = f"{parts[-1]}, {text}"  # a fragment belongs to the statement before it
        else:
            parts.append(text)
    if len(parts) > 1 and not _statement(parts[0]):
        parts[:2] = [f"{parts[0]}, {parts[1]}"]
    if not 2 <= len(parts) <= MAX_PARTS:
        return []
    return [p[0].upper() + p[1:] for p in parts]


def _statement(text: str) -> bool:
    return len(words(text)) >= MIN_PART_WORDS and len(content_words(text)) >= 2
