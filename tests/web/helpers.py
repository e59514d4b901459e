from __future__ import annotations

from django.test import Client


def htmx_post(client: Client, url: str, data: dict[str, str] | None = None):
    return client.post(url, data or {}, HTTP_HX_REQUEST="true")


def body(response) -> str:
    return response.content.decode()


def stored_score(*, claims=(), low_confidence_spans=None, **fields):  # type: ignore[no-untyped-def]
    """A `Draft.score` as the scorer stores it (`ScoreResult.to_dict()`), with only what a test
    cares about given: claims may leave out their text and checkability."""
    score = {
        "logprob_signals": None,
        "claims": [{"text": "", "checkable": True, **claim} for claim in claims],
        "guardrail_hits": [],
        "features": {},
        "raw_score": 0.5,
        "confidence": 0.5,
        "risk": 0.5,
        "verification_status": "complete",
        "versions": {},
    }
    if low_confidence_spans is not None:
        score["logprob_signals"] = {
            "seq_logprob": None,
            "min_logprob": None,
            "share_below_floor": None,
            "mean_entropy": None,
            "mean_margin": None,
            "n_tokens": 0,
            "n_counted": 0,
            "floor": -2.0,
            "aligned": True,
            "low_confidence_spans": low_confidence_spans,
        }
    return {**score, **fields}
