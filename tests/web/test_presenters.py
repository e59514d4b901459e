"""The score → page model is pure: segments cover the text exactly, odd offsets are clamped."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reviewqueue.web.presenters import score_view
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
            claims=[{"start": a, "end": b, "verdict": "insufficient"} for a, b in claims],
            low_confidence_spans=[list(x) for x in low],
        ),
    )
    assert "".join(p.text for seg in view.segments for p in seg.pieces) == TEXT


def test_the_confidence_is_named_for_what_calibrated_it() -> None:
    def label(calibrator: str) -> str:
        score = stored_score(versions={"calibrator": calibrator})
        return score_view(text="x", passages=[], score=score).confidence_label[0]

    assert label("uncalibrated") == "Uncalibrated score"
    assert label("prior-isotonic-0123456789") == "Confidence (prior)"
    assert label("isotonic-0123456789") == "Calibrated confidence"
    assert score_view(text="x", passages=[], score=None).confidence_label[0] == "Uncalibrated score"
