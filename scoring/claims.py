"""Split a draft into claims with character offsets that round-trip.

Every `ClaimSpan` satisfies `draft[start:end] == text`, spans come in order and never overlap,
and nothing but whitespace and list markers ("-", "1.", "(a)") is left between them. Claims come
from sentences; list items and semicolon-joined clauses are split further, and very long
sentences are cut at clause conjunctions.

What is not a claim about the world is kept (so reviewers see the whole draft) but marked not
checkable, with the reason:

- question: ends with "?";
- meta: announcements and talk about the passages themselves ("Here are some tips:", "Based on
  the given passages, here is a summary:", "Passage 3 repeats the information from Passage 1.");
  an introducing prefix ("Based on the passages, ...", "According to passage 2, ...", "Note:")
  is cut off as its own meta span when the rest of the sentence is a claim;
- citation: a marker standing alone ("(Passage 1)", "[1]", "Passage 2.", "(Source: passage 3)");
  a citation at the end of a claim stays part of that claim;
- greeting: greetings and pleasantries ("I hope this helps!", "Sorry for the inconvenience.");
- hedge: not knowing ("I'm not sure.", "The passages do not provide ...", "Unable to answer")
  and hedged advice without factual content ("You may want to check with your bank."). A hedge
  that names something (a number, a date, a name: "I think the store opens at 9 AM") stays
  checkable;
- too_short: under three words and no digit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scoring.text import iter_sentence_spans, words


@dataclass(frozen=True)
class ClaimSpan:
    text: str
    start: int
    end: int
    checkable: bool
    reason: str = ""  # why not checkable: question, greeting, hedge, meta, citation, too_short

    def to_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "checkable": self.checkable,
            "reason": self.reason,
        }


_LIST_MARKER = re.compile(r"\s*(?:[-*•·▪‣–]|\(?\d{1,2}[.)]|\(?[a-zA-Z][.)])\s+")
# The punctuation that joins two clauses stays with the left one, so no character is lost.
_CLAUSE_SPLIT = re.compile(r"(?<=;)\s+")
# Only long sentences are cut here, and only where both halves stay long enough to be a claim
# on their own: a short clause cut from its subject ("and sold it") verifies worse, not better.
_CONJUNCTION_SPLIT = re.compile(r"(?<=,)\s+(?=(?:and|but|while|whereas|although|however)\s)")
_LONG_SENTENCE_WORDS = 30
_MIN_PART_WORDS = 6

# --- citations -----------------------------------------------------------------------------
_CITE_NOUN = r"(?:passages?|sources?|documents?|docs?|references?|refs?|excerpts?|snippets?|context)"
_CITE_NUMS = r"#?\d{1,2}(?:\s*(?:,|&|and|or|-|–)\s*#?\d{1,2})*"
# "Passage 2, paragraph 3": where in the passage is still only where.
_CITE_PLACE = r"(?:\s*,?\s*(?:paragraphs?|paras?\.?|lines?|sections?|sentences?|pages?|pp?\.)\s*\d{1,3})?"
_CITE = rf"(?:{_CITE_NOUN}\s*(?:no\.?\s*)?{_CITE_NUMS}{_CITE_PLACE}|\[\s*\d{{1,3}}(?:\s*[,;–-]\s*\d{{1,3}})*\s*\])"
# A citation standing alone: "(Passage 1)", "[1][2]", "Passage 2.", "(Source: passage 3)".
_CITATION_ONLY = re.compile(
    r"^[(\[]?\s*(?:(?:sources?|references?|citations?|see|cf\.?|ref|from|according to|"
    r"as (?:stated|mentioned|seen) in)\s*:?\s*)?"
    rf"(?:the\s+)?{_CITE}(?:\s*(?:,|;|and|&)?\s*{_CITE})*\s*[)\]]?\s*[.,;:]?$",
    re.IGNORECASE,
)
# A citation label opening a line: "Passage 1: To start a twist braid, ..."
_CITATION_LABEL = re.compile(rf"(?:according to\s+)?{_CITE}\s*[:,]\s+", re.IGNORECASE)

# --- meta ----------------------------------------------------------------------------------
_PASSAGES = (
    r"(?:(?:the|these|this|those|both|all|each|other|none of the|neither of the|any of the)\s+)?"
    r"(?:(?:given|provided|above|available|supplied|retrieved|relevant|two|three|four|first|second|"
    r"third|fourth|last|final|other|latter|former)\s+)*(?:information\s+(?:(?:provided|given|found|"
    r"presented)\s+)?(?:in|from)\s+(?:the\s+)?(?:(?:given|provided|above)\s+)?)?"
    rf"(?:passages?|context|documents?|sources?|texts?|excerpts?|snippets?|search results|"
    rf"information)(?:\s+{_CITE_NUMS})?(?:\s+(?:provided|given|above|supplied))?"
)
# "Based on the given passages, ...", "According to passage 2, ...", "From these passages, it
# appears that ...": cut off when the rest of the sentence is a claim.
_INTRO = re.compile(
    r"(?:(?:so|therefore|thus|hence|overall|in summary|in conclusion|to summari[sz]e|however|"
    r"additionally|also|finally)\s*,?\s+)?"
    r"(?:based (?:up)?on|according to|from|as (?:stated|mentioned|described|shown|noted|seen) in|"
    r"judging (?:by|from)|going by|per|using|given)\s+" + _PASSAGES + r"\s*,\s*"
    r"(?:(?:it (?:appears|seems|is (?:clear|evident))|it can be (?:seen|said|concluded|inferred|"
    r"determined|gathered)|we can (?:see|say|gather|conclude|infer|tell|determine)|i can (?:tell you|"
    r"say)|one can (?:see|say))\s+(?:that\s+)?)?",
    re.IGNORECASE,
)
# "Passage 2 states that ...", "The passages suggest that ...": the rest is the claim.
_REPORTS_THAT = re.compile(
    rf"(?:(?:however|additionally|also|moreover|furthermore|and|while|but|whereas)\s*,?\s+)?{_PASSAGES}\s+(?:also\s+)?"
    r"(?:states?|says?|suggests?|explains?|mentions?|notes?|indicates?|clarifies|clarify|highlights?|"
    r"confirms?|reports?|shows?|claims?|adds?|emphasi[sz]es|specif(?:y|ies)|recommends?)\s+that\s+",
    re.IGNORECASE,
)
# Meta-text that introduces the answer. As a prefix ("Here's the summary: X is Y") it is cut
# off as its own not-checkable span; the rest of the sentence stays a claim.
_META_PREFIX = re.compile(
    r"(?:here(?:'s| is| are)\b[^:\n]{0,80}|(?:below|the following) (?:is|are)\b[^:\n]{0,60}|"
    r"(?:in )?summary|to summari[sz]e|answer|output|response|note|please note|important|"
    r"(?:based on|according to) the [^:\n]{0,60}):",
    re.IGNORECASE,
)
_NOTE_THAT = re.compile(
    r"(?:(?:however|also|additionally)\s*,?\s+)?(?:(?:please\s+)?note(?:\s*,\s*|\s+that\s+)|"
    r"it(?:'s| is) (?:also )?(?:important|worth|crucial) (?:to note|noting|mentioning|to mention|"
    r"to remember|remembering) that\s+)",
    re.IGNORECASE,
)
_META = re.compile(
    r"^(?:here(?:'s| is| are) (?:the|a|an|my|your) (?:summary|answer|response|overview|"
    r"breakdown|list|information)\b.{0,40}|(?:in )?summary|to summari[sz]e|overall)\s*[:.]?$",
    re.IGNORECASE,
)
# "Here are the answers to your questions", "Here is a brief answer to the question "...""
_HERE_IS = re.compile(
    r"^here(?:'s| is| are)\s+(?:(?:the|a|an|my|your|some|several|a few|two|three|four|five)\s+)?"
    r"(?:\w+\s+){0,3}(?:summary|summaries|answers?|responses?|overview|breakdown|list|information|"
    r"steps?|tips?|ways?|options?|suggestions?|ideas?|points?|details?|facts?|examples?|reasons?|"
    r"things?|methods?|recommendations?|benefits?|differences?|characteristics?|uses?|explanation)\b",
    re.IGNORECASE,
)
# A longer sentence ending in a colon is still meta when it only announces what follows.
_ANNOUNCES = re.compile(
    r"\b(?:here(?:'s| is| are)|the following|as follows|summari[sz]ed as|the answer to|"
    r"steps to|ways to|follow these steps|the steps below|to answer the question|"
    r"(?:several|some|a few|the following|these|two|three|four|five|six|seven|\d+)\s+(?:key\s+|main\s+|"
    r"important\s+)?(?:factors|elements|points|ways|steps|things|reasons|tips|aspects|characteristics|"
    r"features|benefits|methods|options|differences|uses|functions|ingredients)(?:\s+\w+){0,6}\s*:$)",
    re.IGNORECASE,
)
# "Therefore, the answer to the question "..." can be summarized in 10 steps as mentioned above."
_ANSWER_ANNOUNCE = re.compile(
    r"^(?:(?:so|therefore|thus|hence|overall|in summary|in conclusion|to summari[sz]e)\s*,?\s+)?"
    r"(?:the|my)\s+(?:best\s+|short\s+|final\s+)?answer\s+to\s+(?:the|your)\s+question\b.*?"
    r"(?:can be summari[sz]ed|is summari[sz]ed|would be|is as follows|is given|is outlined|is listed)"
    r"(?:\s+(?:as|in\s+(?:\d+|\w+)\s+(?:steps?|points?|parts?)))?"
    r"(?:\s*,?\s*as\s+(?:mentioned|listed|described|outlined|shown|stated|given)\s+(?:above|below))?"
    r"\s*[:.]?$",
    re.IGNORECASE,
)
_SELF_REFERENCE = re.compile(
    r"^(?:(?:so|therefore|thus|overall|in summary)\s*,?\s+)?(?:these|the above|the steps|the points|"
    r"the tips|this)\b.{0,60}\bas\s+(?:mentioned|listed|described|outlined|shown|stated)\s+above\s*[.!]?$",
    re.IGNORECASE,
)
# A sentence that only says what the passages say about themselves: "Passage 2 provides more
# information on X.", "Passages 1 and 2 discuss the benefits.", "Passage 3 repeats Passage 1."
# Only passages named as such ("Passage 2", "the first passage", "the passages"): in a summary,
# "The document discusses X" is the summary's claim about X.
_NAMED_PASSAGES = (
    r"(?:(?:the|these|this|both|all|none of the|neither of the)\s+)?(?:(?:given|provided|other|two|three)\s+)*"
    rf"(?:passages?\s+{_CITE_NUMS}|(?:passages|sources|excerpts|snippets|documents)(?!\s+\d)|"
    r"(?:first|second|third|fourth|last|other)\s+passage)"
)
_ABOUT_PASSAGES = re.compile(
    r"^(?:(?:however|additionally|also|moreover|meanwhile|similarly|finally|overall|while)\s*,?\s+)?"
    + _NAMED_PASSAGES
    + r"\s+(?:(?:also|only|mainly|primarily|briefly|directly|further|each|both|all)\s+)*"
    r"(?:(?:provides?|contains?|gives?|offers?|includes?)\s+(?:\S+\s+){0,3}?(?:information|instructions|"
    r"details|overview|examples?|insights?|context|guidance|tips|steps|background|explanations?|"
    r"descriptions?|definitions?|summary|recipes?|data)|discuss(?:es)?|covers?|focus(?:es)? on|"
    r"talks? about|deals? with|repeats?|touch(?:es)? on|addresses?|(?:is|are) (?:not\s+)?"
    r"(?:directly\s+|entirely\s+|really\s+)?(?:about|related|relevant|similar|consistent|focused))\b",
    re.IGNORECASE,
)
# Where a sentence about the passages goes on to state something, it stays a claim.
_GOES_ON = re.compile(
    r",?\s+(?:which|who|where)\b|,\s*(?:stating|saying|such as|namely|e\.g\.|i\.e\.)|"
    r"\b(?:stating|saying|explaining|noting|showing|highlighting|indicating|suggesting|mentioning|"
    r"pointing out|emphasi[sz]ing|clarifying|confirming|recommending|adding)\s+(?:that|how)\b|[:;](?!\s*$)",
    re.IGNORECASE,
)

# --- greetings, pleasantries, hedges -------------------------------------------------------
_GREETING = re.compile(
    r"^(?:hi|hello|hey|dear|greetings|good (?:morning|afternoon|evening)|thanks?(?: you)?|"
    r"thank you|you(?:'re| are) welcome(?!\s+to\b)|cheers|best regards|regards|kind regards|"
    r"sincerely|have a (?:great|nice|good)|hope (?:this|that) helps|i hope (?:this|that) helps|"
    r"let me know|please let me know|feel free|happy to help|glad to help|is there anything else|"
    r"sure|certainly|of course|absolutely|great question|no problem)\b",
    re.IGNORECASE,
)
# Pleasantries are not claims however long they are, unless they carry a number or an address.
_PLEASANTRY = re.compile(
    r"^(?:(?:oh|ah|well|again|once again|so|and|also|okay|ok)\s*,?\s+)?"
    r"(?:i(?:'m| am) (?:so |very |really |truly )?sorry|(?:we(?:'re| are)|i(?:'m| am)) sorry|sorry|"
    r"(?:my|our) apologies|apologies|i apologi[sz]e|we apologi[sz]e|"
    r"thanks?(?: you)? (?:so much |very much )?for|thank you|many thanks|"
    r"(?:please )?(?:do )?let (?:me|us) know|(?:please )?feel free|(?:please )?don'?t hesitate|"
    r"(?:i |we )?hope (?:this|that|it|these|my answer) (?:helps|help|was helpful|is helpful|answers)|"
    # "I hope this information is helpful.", "I hope you find this useful!"
    r"(?:i |we )?(?:really )?hope (?:(?:this|that|the|my)\s+(?:\w+\s+){0,2}?(?:helps?|is (?:helpful|useful)|"
    r"was (?:helpful|useful)|answers|clarifies|clears)|you (?:find|found) (?:this|that|it|these|the|my))|"
    r"(?:i|we) (?:really |truly |do )?appreciate your (?:patience|understanding|feedback|question|interest|business)|"
    r"(?:i|we)(?:'d| would| will|'ll)? be (?:happy|glad|more than happy|delighted) to (?:help|assist)|"
    r"(?:i|we) can (?:certainly |definitely )?(?:help|assist) (?:you )?with (?:that|this)|"
    r"(?:i(?:'m| am)|we(?:'re| are)) (?:always )?(?:happy|glad|here) to help|happy to help|glad to help|"
    r"(?:is there )?anything else (?:i|we) can (?:help|do|assist)|is there anything else|"
    r"have a (?:great|nice|good|wonderful|lovely)|good luck|best of luck|take care|enjoy|"
    # "You're welcome to bring your dog" grants a permission a policy can refuse: a claim.
    r"you(?:'re| are) (?:very )?welcome(?!\s+to\b)|i(?:'m| am) glad (?:i could|to help|i was able)|"
    r"i understand (?:your|how|that this)|i can see how)\b",
    re.IGNORECASE,
)
# Statements of not knowing: never a claim about the world.
_HEDGE = re.compile(
    r"^(?:if [^,]{1,80},\s*)?(?:(?:however|unfortunately|sadly|but|also|additionally|note|therefore|so|"
    r"thus|hence|overall)\s*[,:]?\s+)*(?:"
    r"i do(?:n't| not) know|i(?:'m| am) not (?:sure|certain)|"
    r"i can(?:not|'t) (?:find|answer|confirm|determine|say|provide|tell)|"
    r"i(?:'m| am) (?:unable|not able) to|(?:we are |we're )?unable to (?:answer|determine|find|"
    r"provide|confirm|say)|unfortunately,? (?:i|the (?:passages?|context|documents?|sources?))|"
    r"there (?:is|are) (?:no|not enough|insufficient) (?:specific |relevant |further |additional |"
    r"direct |explicit )?(?:information|mention|details?|data)\b|not enough information|"
    r"(?:the|this|that) (?:question )?cannot be (?:answered|determined)|"
    r"it is (?:not clear|unclear)|(?:none|neither) of the (?:given |provided )?(?:passages?|documents?|"
    r"sources?) (?:\w+ )?(?:provides?|mentions?|contains?|gives?|offers?|includes?|says?|specif(?:y|ies)|"
    r"address(?:es)?|discuss(?:es)?|answers?|explains?)\b|"
    + _PASSAGES
    + r"\s+(?:\w+\s+)?(?:do(?:es)? not|did not|doesn't|don't|cannot|can't|fails? to|lacks?|"
    r"(?:provides?|mentions?|contains?|gives?|offers?|includes?|specif(?:y|ies)|says?) no\b|"
    r"(?:is|are) (?:silent|unclear|not clear))\b)",
    re.IGNORECASE,
)
_NOT_IN_PASSAGES = re.compile(
    r"^[^()]{0,120}?\b(?:is|are|was|were)\s+not (?:explicitly |directly |specifically |clearly )?"
    r"(?:mentioned|stated|provided|specified|addressed|discussed|covered|given|found|included) (?:in|by) "
    r"(?:the |these |any of the )?(?:given |provided |above )?"
    r"(?:passages?|context|documents?|sources?|texts?|information)\b",
    re.IGNORECASE,
)
# Hedged advice: not a claim when it names nothing (no number, date, name).
_SOFT_HEDGE = re.compile(
    r"^(?:(?:so|also|however|but|otherwise|alternatively|additionally|in that case|if so|"
    r"if not|then)\s*,?\s+)?(?:"
    r"i (?:think|believe|guess|suppose|feel)(?: that)? (?:you (?:might|may|could|should|can)|maybe you|"
    r"perhaps you)\b|"
    r"you (?:may|might|could|should) (?:also )?(?:want|wish|need|like) to|"
    r"you (?:may|might|could) (?:also )?(?:be able to|try|consider|check|ask|contact|look|reach|"
    r"call|visit|find)|you (?:should|can) (?:also )?(?:check with|contact|ask|reach out|talk to|speak to|"
    r"consult)|"
    r"it (?:might|may|could|would) be (?:a good idea|worth|helpful|best|wise|useful|advisable)|"
    r"it(?:'s| is|'d be| would be) (?:also )?(?:worth|a good idea|advisable|best|wise) (?:to )?"
    r"(?:check|checking|ask|asking|contact|contacting|consider|considering|look|looking|try|trying|"
    r"call|calling|consult|consulting|verify|verifying|confirm|confirming)|"
    r"i(?:'m| am) not (?:sure|certain)|"
    r"i (?:would|'d) (?:suggest|recommend|advise)|i(?:'d| would) (?:suggest|recommend|advise)|"
    r"i (?:suggest|recommend|advise)|my (?:suggestion|advice|recommendation) (?:is|would be)|"
    r"(?:perhaps|maybe),? (?:you|it|try|consider|check)|"
    r"please (?:consult|contact|check|verify|reach out|call|visit|refer))",
    re.IGNORECASE,
)
# Speculation ("It's possible that the parcel was delayed.") is a hedge only when short: a long
# one explains something and is a claim.
_SPECULATION = re.compile(
    r"^(?:(?:so|also|however|but|additionally)\s*,?\s+)?(?:it(?:'s| is) (?:also )?(?:possible|likely|"
    r"probable|conceivable) that|i (?:think|believe|guess|suppose) (?:that )?(?:it|there|this|that) "
    r"(?:might|may|could)|(?:perhaps|maybe),? (?:it|this|that|there))\b",
    re.IGNORECASE,
)
_SPECULATION_MAX_WORDS = 12
# An opinion ("In my opinion, the design is beautiful.", "I think it's a great choice.") is a
# hedge on the same terms as speculation: short and naming nothing.
_OPINION = re.compile(
    r"^(?:(?:so|but|also|overall|honestly|personally)\s*,?\s+)?(?:in my (?:honest |humble )?(?:opinion|view)|"
    r"personally|from my (?:perspective|point of view)|i (?:personally )?(?:think|believe|feel|find)(?: that)?)\b",
    re.IGNORECASE,
)
# The writer announcing what it is about to do ("I can provide the following information.",
# "Let me explain.", "Please see below."): meta, unless it names something. Giving and offering
# count only with an object that is talk ("information", "an overview"): "We can offer you a
# replacement" is a commitment a support answer can get wrong.
_SELF_ANNOUNCE = re.compile(
    r"^(?:(?:so|sure|okay|ok|well|now|first|certainly|of course)\s*[,!]?\s+)?(?:"
    r"(?:let me|allow me to|i(?:'ll| will| can| could| would like to|'d like to| want to| am going to|'m going to))\s+"
    r"(?:try to\s+|now\s+|briefly\s+|first\s+|quickly\s+)?(?:"
    r"(?:provide|give|share|offer)\s+(?:you\s+)?(?:with\s+)?(?:some|the following|a|an|more|further|my)?\s*"
    r"(?:\w+\s+){0,2}?(?:information|overview|summary|answer|explanation|details|breakdown|list|context|insights?)|"
    r"explain|summari[sz]e|outline|describe|walk you through|break (?:it|this|that) down|clarify|elaborate|"
    r"go (?:over|through)|answer (?:your|the|this|that) question)|"
    r"(?:please )?see (?:below|above)|(?:see|read|find) (?:the )?(?:details|more|information) below)\b",
    re.IGNORECASE,
)
# A heading: a markdown title ("## Benefits of yoga") or a line that is all bold ("**Benefits**").
_HEADING = re.compile(r"^(?:#{1,6}\s+[^.!?]*|(\*\*|__)(?:(?!\1)[^.!?])+\1\s*:?)$")
_HEADING_MAX_WORDS = 10
# A list item that only numbers what follows: "Step 1.", "Option B:".
_LIST_STUB = re.compile(
    r"^(?:step|tip|option|part|method|stage|phase|section|chapter|point|way|idea|reason|example|question)\s+"
    r"(?:\d{1,2}|[a-z]|one|two|three|four|five|six|seven|eight|nine|ten)\s*[.:)–-]?$",
    re.IGNORECASE,
)
_GENERIC_WORDS = frozenset(
    """a an the this that these those it its of on in from to for about with and or any some more
    further additional other same similar similarly relevant useful helpful specific general direct
    directly related information info details detail question questions topic answer answers context
    query user passage passages source sources document documents above earlier previous previously
    provided given overview insight insights perspective perspectives explanation example examples
    also only mainly really not no much much many various different each both all as well
    is are was were be""".split()  # noqa: SIM905
)
_HEDGE_TAIL = re.compile(r"\b(?:but|however|although|though|so|therefore|instead|yet)\b|;", re.IGNORECASE)
_HEDGE_TAIL_MIN_WORDS = 5
_FACT_TOKEN = re.compile(r"\d|https?://|www\.|@|[$€£¥%]")
_NOT_A_NAME = frozenset(
    """i i'm i'd i'll i've passage passages source sources document documents ok okay
    monday tuesday wednesday thursday friday saturday sunday""".split()  # noqa: SIM905
)
# What is left of "Based on the passages, the main differences are:" only announces a list.
_ANNOUNCES_BODY = re.compile(
    r"^(?:\S+\s+){0,10}?(?:are|is|were|was|include|includes|involve|involves|would be|can be)\s*:$",
    re.IGNORECASE,
)
_CITE_ANYWHERE = re.compile(rf"\b{_CITE}|\[\s*\d{{1,3}}(?:\s*[,;–-]\s*\d{{1,3}})*\s*\]", re.IGNORECASE)
_MIN_CHECKABLE_WORDS = 3


_CITE_IN_BRACKETS = re.compile(
    rf"\s*[(\[]\s*(?:source\s*:?\s*)?{_CITE}(?:\s*[,;&]?\s*(?:and\s+)?{_CITE})*\s*[)\]]", re.IGNORECASE
)


def strip_citations(text: str) -> str:
    """The claim without its citation markers ("(Passage 2)", "[1]"), for a verifier to read."""
    out = _CITE_IN_BRACKETS.sub("", text)
    out = re.sub(r"\s*(?:\[\s*\d{1,3}(?:\s*[,;–-]\s*\d{1,3})*\s*\])+", "", out)
    return out.strip() or text


def segment_claims(draft: str) -> list[ClaimSpan]:
    claims: list[ClaimSpan] = []
    for s_start, s_end in iter_sentence_spans(draft):
        for start, end in _split_sentence(draft, s_start, s_end):
            text = draft[start:end]
            checkable, reason = classify(text)
            claims.append(ClaimSpan(text, start, end, checkable, reason))
    return claims


def _skip_space(draft: str, i: int, end: int) -> int:
    while i < end and draft[i].isspace():
        i += 1
    return i


def _split_sentence(draft: str, start: int, end: int) -> list[tuple[int, int]]:
    # A list marker at the start of the line is part of the span but not of the claim.
    m = _LIST_MARKER.match(draft, start, end)
    if m and m.end() < end:
        start = m.end()
    # Introducing prefixes ("Note:", "Based on the passages,", "Passage 2 states that") become
    # spans of their own, but only where what follows them is a claim.
    prefix: list[tuple[int, int]] = []
    for _ in range(3):
        cut = _prefix_end(draft, start, end)
        if cut is None:
            break
        rest = _skip_space(draft, cut, end)
        if rest >= end or len(words(draft[rest:end])) < 2 or not classify(draft[rest:end])[0]:
            break
        prefix.append((start, _trim_end(draft, start, cut)))
        start = rest
    parts = prefix + _split_at(draft, start, end, _CLAUSE_SPLIT, min_words=2)
    out: list[tuple[int, int]] = []
    for a, b in parts:
        if len(words(draft[a:b])) > _LONG_SENTENCE_WORDS:
            out.extend(_split_at(draft, a, b, _CONJUNCTION_SPLIT, min_words=_MIN_PART_WORDS))
        else:
            out.append((a, b))
    return out


def _trim_end(draft: str, start: int, end: int) -> int:
    while end > start and draft[end - 1].isspace():
        end -= 1
    return end


def _prefix_end(draft: str, start: int, end: int) -> int | None:
    for pattern in (_CITATION_LABEL, _META_PREFIX, _NOTE_THAT, _INTRO, _REPORTS_THAT):
        m = pattern.match(draft, start, end)
        if m and m.end() > start:
            return m.end()
    return None


def _split_at(draft: str, start: int, end: int, pattern: re.Pattern[str], *, min_words: int) -> list[tuple[int, int]]:
    cuts: list[tuple[int, int]] = []
    cursor = start
    for m in pattern.finditer(draft, start, end):
        left = draft[cursor : m.start()]
        right = draft[m.end() : end]
        if len(words(left)) >= min_words and len(words(right)) >= min_words:
            cuts.append((cursor, m.start()))
            cursor = m.end()
    cuts.append((cursor, end))
    out = []
    for a, b in cuts:
        while a < b and draft[a].isspace():
            a += 1
        while b > a and draft[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
    return out


def _strip_intro(text: str) -> str:
    """text without leading meta prefixes ("Based on the passages, it appears that ...")."""
    text = text.strip("\"“”'")
    for _ in range(3):
        for pattern in (_CITATION_LABEL, _META_PREFIX, _NOTE_THAT, _INTRO, _REPORTS_THAT):
            m = pattern.match(text)
            if m and m.end() > 0:
                text = text[m.end() :].lstrip()
                break
        else:
            return text
    return text


def _without_citations(text: str) -> str:
    return _CITE_ANYWHERE.sub(" ", text)


def citation_ranges(text: str) -> list[tuple[int, int]]:
    """Where `text` names its source ("Passage 2", "passages 1 and 3", "[4]"): offsets."""
    return [(m.start(), m.end()) for m in _CITE_ANYWHERE.finditer(text)]


def _names_something(text: str) -> bool:
    """A number, date, amount, address or a capitalised name after the first word."""
    text = _without_citations(text)
    if _FACT_TOKEN.search(text):
        return True
    tokens = re.findall(r"[A-Za-z][\w'’-]*", text)
    return any(t[0].isupper() and t.lower() not in _NOT_A_NAME for t in tokens[1:])


def _announces_only(text: str) -> bool:
    """A colon-ended sentence that announces what follows and names nothing itself."""
    return bool(_ANNOUNCES.search(text)) and not _FACT_TOKEN.search(_without_citations(text))


def classify(text: str) -> tuple[bool, str]:
    stripped = text.strip()
    if _CITATION_ONLY.match(stripped):
        return False, "citation"
    if _PLEASANTRY.match(stripped) and not _FACT_TOKEN.search(stripped):
        return False, "greeting"
    if stripped.endswith("?"):
        return False, "question"
    n_words = len(words(stripped))
    if _LIST_STUB.match(stripped) or (_HEADING.match(stripped) and n_words <= _HEADING_MAX_WORDS):
        return False, "meta"
    if (
        _META.match(stripped)
        or _META_PREFIX.fullmatch(stripped)
        or (stripped.endswith(":") and (n_words <= 12 or _announces_only(stripped)))
    ):
        return False, "meta"
    body = _strip_intro(stripped + " ").strip()
    if not words(body):
        return False, "meta"
    if body != stripped and (
        _META.match(body) or (body.endswith(":") and (_ANNOUNCES_BODY.search(body) or _ANNOUNCES.search(body)))
    ):
        return False, "meta"
    if _HERE_IS.match(body) or _ANSWER_ANNOUNCE.match(body) or _SELF_REFERENCE.match(body):
        return False, "meta"
    hedge = _HEDGE.match(body) or _NOT_IN_PASSAGES.match(body)
    if hedge:
        # "The passages do not give the price, but it is $40" still states the price, and "...,
        # so it's advisable to check the pork periodically" still gives advice to check.
        tail = _HEDGE_TAIL.split(body[hedge.end() :], maxsplit=1)
        if len(tail) == 1 or (len(words(tail[1])) < _HEDGE_TAIL_MIN_WORDS and not _names_something(tail[1])):
            return False, "hedge"
    about = _ABOUT_PASSAGES.match(body)
    if about and not _GOES_ON.search(body) and not _FACT_TOKEN.search(_without_citations(body)):
        # Only when nothing but the passages themselves is talked about: "Passage 2 provides
        # instructions on gluing Styrofoam" still says what passage 2 says, and may be wrong.
        topic = [w for w in words(_without_citations(body[about.end() :])) if w not in _GENERIC_WORDS]
        if not topic:
            return False, "meta"
    if _SOFT_HEDGE.match(body) and not _names_something(body):
        return False, "hedge"
    if _SELF_ANNOUNCE.match(body) and not _names_something(body) and not _GOES_ON.search(body):
        return False, "meta"
    short = len(words(body)) <= _SPECULATION_MAX_WORDS
    if (_SPECULATION.match(body) or _OPINION.match(body)) and short and not _names_something(body):
        return False, "hedge"
    # A long sentence that merely opens with "Sure," still carries content.
    if _GREETING.match(stripped) and n_words <= 8:
        return False, "greeting"
    if n_words < _MIN_CHECKABLE_WORDS and not any(c.isdigit() for c in stripped):
        return False, "too_short"
    return True, ""
