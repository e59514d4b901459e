"""The score → page model is pure: segments cover the text exactly, odd offsets are clamped."""

from __future__ import annotations

import re

from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from reviewqueue.web.presenters import score_view, versions_once
from tests.web.helpers import stored_score

TEXT = "Alpha is one. Beta is two. Gamma."


def _claim(start: int, end: int, verdict: str = "supported") -> dict[str, object]:
    return {
        "text": TEXT[start:end],
        "start": start,
        "end": end,
        "checkable": True,
        "verdict": verdict,
    }


def test_segments_cover_the_text_in_order() -> None:
    view = score_view(
        text=TEXT,
        passages=[],
        score=stored_score(claims=[_claim(0, 13), _claim(14, 26, "refuted")], low_confidence_spans=[[6, 20]]),
    )
    joined = "".join(p.text for seg in view.segments for p in seg.pieces)
    assert joined == TEXT
    assert [(s.claim_index, s.verdict) for s in view.segments] == [
        (0, "supported"),
        (None, ""),
        (1, "refuted"),
        (None, ""),
    ]
    low = "".join(p.text for seg in view.segments for p in seg.pieces if p.low_confidence)
    assert low == TEXT[6:20]


def test_the_flagged_words_of_an_unsupported_claim_are_marked_within_it() -> None:
    # "two" of the refuted claim is flagged; the supported claim's flags, and the part of a flag
    # outside its claim (stored by other code), are not shown.
    claims = [
        dict(_claim(0, 13), flags=[[9, 12]]),
        dict(_claim(14, 26, "refuted"), flags=[[22, 25], [24, 40]]),
        _claim(27, 33, "insufficient"),
    ]
    view = score_view(text=TEXT, passages=[], score=stored_score(claims=claims))
    assert "".join(p.text for seg in view.segments for p in seg.pieces) == TEXT
    assert [p.text for seg in view.segments for p in seg.pieces if p.flagged] == ["two."]
    # No flags: the verdict's colour marks the whole claim, nothing more specific.
    assert not any(p.flagged for seg in view.segments if seg.claim_index == 2 for p in seg.pieces)


def test_passage_highlight_and_missing_passage() -> None:
    passages = [{"id": "p1", "text": "One. Two is here. Three."}]
    claim = dict(_claim(0, 13), best_passage_id="p1", best_sentence_start=5, best_sentence_end=17)
    missing = dict(_claim(14, 26), best_passage_id="nope")
    view = score_view(text=TEXT, passages=passages, score=stored_score(claims=[claim, missing]))
    p = view.claims[0].passage
    assert p is not None and (p.before, p.highlight, p.after) == (
        "One. ",
        "Two is here.",
        " Three.",
    )
    assert view.claims[1].passage is None


def test_unscored() -> None:
    view = score_view(text=TEXT, passages=None, score=None)
    assert not view.scored and view.claims == [] and view.segments[0].pieces[0].text == TEXT


@given(
    st.lists(st.tuples(st.integers(-50, 80), st.integers(-50, 80)), max_size=6),
    st.lists(st.tuples(st.integers(-50, 80), st.integers(-50, 80)), max_size=6),
)
def test_any_offsets_still_cover_the_text(claims: list[tuple[int, int]], low: list[tuple[int, int]]) -> None:
    view = score_view(
        text=TEXT,
        passages=[],
        score=stored_score(
            claims=[{"start": a, "end": b, "verdict": "insufficient", "flags": [[b - 3, a + 5]]} for a, b in claims],
            low_confidence_spans=[list(x) for x in low],
        ),
    )
    assert "".join(p.text for seg in view.segments for p in seg.pieces) == TEXT
    # A flag is shown only inside its own claim.
    assert all(seg.claim_index is not None for seg in view.segments if any(p.flagged for p in seg.pieces))


def test_the_confidence_is_named_for_what_calibrated_it() -> None:
    def label(calibrator: str) -> str:
        score = stored_score(versions={"calibrator": calibrator})
        return score_view(text="x", passages=[], score=score).confidence_label[0]

    assert label("uncalibrated") == "Uncalibrated score"
    assert label("prior-isotonic-0123456789") == "Confidence (prior)"
    assert label("isotonic-0123456789") == "Calibrated confidence"
    assert score_view(text="x", passages=[], score=None).confidence_label[0] == "Uncalibrated score"


def test_versions_are_listed_once_routing_first() -> None:
    routing = {"model": "nli-v3", "calibrator": "prior-3", "policy": "default-3"}
    scored = {"model": "nli-v3", "calibrator": "prior-3", "fusion": "f-2"}
    assert versions_once(routing, scored) == [
        ("model", "nli-v3"),
        ("calibrator", "prior-3"),
        ("policy", "default-3"),
        ("fusion", "f-2"),
    ]
    assert versions_once(None, scored) == list(scored.items())
    # Where the two disagree (a re-route under a newer policy), what made the decision is shown.
    assert versions_once({"model": "nli-v4"}, {"model": "nli-v3"}) == [("model", "nli-v4")]


def test_the_review_page_lists_each_version_once(world, client_for, claimed_item) -> None:
    html = client_for(world.reviewer).get(reverse("web:item", args=[claimed_item.pk])).content.decode()
    names = re.findall(r'data-version="([^"]+)"', html)
    assert names and len(names) == len(set(names)), names
    assert "Scorer: " not in html  # the second, overlapping list is gone
