"""Which words of an unsupported claim are flagged (scoring.flags, and the engine's use of it)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.engine import Scorer
from scoring.flags import claim_flags, unsupported_ranges
from scoring.inputs import DraftInput, Passage
from scoring.results import ClaimResult, ScoreResult
from scoring.text import content_stems
from tests.scoring.conftest import FixedNLI

EV = content_stems("The X200 blender has a two-year warranty and ships from Denver.")


def _texts(text, ranges):
    return [text[a:b] for a, b in ranges]


def test_unsupported_ranges_join_neighbouring_words_the_evidence_lacks():
    text = "The X200 blender has a lifetime warranty. It ships with a free recipe book from Denver."
    # "warranty" is in the evidence but lies between two novel words: one range.
    assert _texts(text, unsupported_ranges(text, EV)) == ["lifetime", "free recipe book"]
    other = "a lifetime warranty covering damage"
    assert _texts(other, unsupported_ranges(other, EV)) == ["lifetime warranty covering damage"]
    assert unsupported_ranges("The X200 blender has a two-year warranty.", EV) == ()


def test_invented_words_come_before_words_from_elsewhere_in_the_source():
    evidence = "The X200 blender has a two-year warranty. The Z9 kettle ships from Denver."
    claim = "The X200 blender ships from Denver with a lifetime warranty."
    # "lifetime" is in no passage: that alone is flagged, though the claim's window lacks "Denver".
    window = "The X200 blender has a two-year warranty."
    for refuted in (True, False):
        assert _texts(claim, claim_flags(claim, content_stems(evidence), window, refuted=refuted)) == ["lifetime"]


def test_a_word_moved_from_elsewhere_in_the_source_is_flagged_against_the_claims_window():
    evidence = "The X200 blender has a two-year warranty. The Z9 kettle has a five-year warranty."
    claim = "The X200 blender has a five-year warranty."
    window = "The X200 blender has a two-year warranty."
    assert _texts(claim, claim_flags(claim, content_stems(evidence), window, refuted=True)) == ["five"]
    # Never judged (no window): nothing specific, so the whole claim.
    assert claim_flags(claim, content_stems(evidence), None, refuted=True) == ()


def test_an_insufficient_claim_flags_only_words_no_evidence_has():
    evidence = "The X200 blender has a two-year warranty. The Z9 kettle has a five-year warranty."
    claim = "The X200 blender has a five-year warranty."
    window = "The X200 blender has a two-year warranty."
    # Every word stands in some passage: what its window lacks is not flagged, nor is the claim.
    assert claim_flags(claim, content_stems(evidence), window, refuted=False) == ()
    negated = "Refunds are not paid within 14 days."
    assert claim_flags(negated, content_stems(negated), "Refunds are paid within 14 days.", refuted=False) == ()
    invented = "The X200 blender has a five-year warranty from Denver."
    assert _texts(invented, claim_flags(invented, content_stems(evidence), window, refuted=False)) == ["Denver"]


def test_a_negation_the_window_lacks_is_flagged_and_one_it_has_is_not():
    window = "Refunds are paid within 14 days."
    claim = "Refunds are not paid within 14 days."
    assert _texts(claim, claim_flags(claim, content_stems(window), window, refuted=True)) == ["not"]
    contracted = "Refunds aren't paid within 14 days."
    assert _texts(contracted, claim_flags(contracted, content_stems(window), window, refuted=True)) == ["aren't"]
    both = "Refunds are not paid after 14 days."
    assert claim_flags(both, content_stems(both), "Refunds are not paid after 14 days.", refuted=True) == ()
    # "doesn't" and "does not" are the same negation.
    doesnt = "It doesn't ship abroad."
    assert claim_flags(doesnt, content_stems("ship abroad"), "It does not ship abroad.", refuted=True) == ()


def test_a_refuted_claim_whose_words_all_stand_in_its_window_is_flagged_whole():
    claim = "The two-year warranty has the X200 blender."
    assert claim_flags(claim, EV, "The X200 blender has a two-year warranty.", refuted=True) == ()
    refuted = ClaimResult(claim, 0, len(claim), True, "refuted")
    insufficient = ClaimResult(claim, 0, len(claim), True, "insufficient")
    # () flags the whole of a refuted claim and nothing of an insufficient one.
    assert ScoreResult(None, (refuted,), (), {}, 0.5, 0.5, 0.5, "complete", {}).flagged_spans == ((0, len(claim)),)
    assert ScoreResult(None, (insufficient,), (), {}, 0.5, 0.5, 0.5, "complete", {}).flagged_spans == ()


def test_citation_markers_are_never_flagged():
    claim = "The X200 has a lifetime warranty (Passage 2) [3]."
    assert _texts(claim, claim_flags(claim, EV, None, refuted=True)) == ["lifetime"]
    cited = "The X200 blender has a two-year warranty (passages 1 and 3)."
    assert claim_flags(cited, EV, "The X200 blender has a two-year warranty.", refuted=True) == ()


def test_the_engine_flags_no_word_of_an_insufficient_claim_the_evidence_has(fresh_scorer):
    s = fresh_scorer()
    s.verifier._forward = FixedNLI({}, default=(0.1, 0.8, 0.1))
    # Sentences long enough to be windows of their own (short ones are packed into one window).
    passages = (
        Passage(
            "kb",
            "The X200 blender has a two-year warranty that covers the motor, the glass jug, the lid, the"
            " blades and the power cord against defects in materials and workmanship under normal use. "
            "Our Denver shop on Larimer Street sells the Z9 kettle, the Q5 toaster and the whole range"
            " of spare parts, filters and cleaning products for every appliance we have ever made.",
        ),
    )
    text = "The X200 blender has a two-year warranty from Denver."
    r = s.score(DraftInput(question="", draft=text, passages=passages))
    (claim,) = [c for c in r.claims if c.checkable]
    # "Denver" is in the passage, though not in the claim's window: the verdict alone is shown.
    assert claim.verdict == "insufficient"
    assert claim.flags == () and r.flagged_spans == ()


def test_a_stored_claim_without_flags_loads_as_the_whole_claim():
    # Scores stored before claims carried flags have no "flags" key.
    stored = ClaimResult("It costs 9 dollars.", 0, 19, True, "refuted").to_dict()
    del stored["flags"]
    claim = ClaimResult.from_dict(stored)
    assert claim.flags == ()
    result = ScoreResult(None, (claim,), (), {}, 0.5, 0.5, 0.5, "complete", {})
    assert result.flagged_spans == ((0, 19),)


_WORDS = st.sampled_from(
    [
        *("the", "X200", "blender", "has", "a", "two-year", "five-year", "warranty", "not", "never"),
        *("ships", "from", "Denver", "14", "9", "days", "refunds", "are", "paid", "and", "it"),
        *("costs", "$12", "dollars", "(Passage 2)", "[1]", ".", ",", "\n"),
    ]
)


_SCORERS: dict[tuple[float, float, float], Scorer] = {}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    words=st.lists(_WORDS, max_size=40),
    evidence=st.lists(_WORDS, max_size=40),
    probs=st.sampled_from([(0.1, 0.8, 0.1), (0.05, 0.15, 0.8), (0.95, 0.03, 0.02)]),
)
def test_flags_lie_within_their_claim_and_round_trip(fresh_scorer, words, evidence, probs):
    # One scorer per stubbed verdict (a scorer's cache keeps the probabilities it was given).
    s = _SCORERS.get(probs)
    if s is None:
        s = _SCORERS[probs] = fresh_scorer()
        s.verifier._forward = FixedNLI({}, default=probs)
    text = " ".join(words)
    r = s.score(DraftInput(question="", draft=text, passages=(Passage("p", " ".join(evidence)),)))
    for c in r.claims:
        for a, b in c.flags:
            assert c.start <= a < b <= c.end <= len(text)
            assert text[a:b] == text[a:b].strip()
        if c.flags:
            assert c.checkable and c.verdict in {"refuted", "insufficient"}
    for a, b in r.flagged_spans:
        assert 0 <= a < b <= len(text)
    assert ScoreResult.from_dict(json.loads(json.dumps(r.to_dict()))) == r
