"""/ops/drift/: PSI of the confidence distribution, hand-computed, at the window edges."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

import pytest
from django.urls import reverse

from reviewqueue.intake import routing
from reviewqueue.ops import selectors
from tests.conftest import T0
from tests.factories import World, make_draft

pytestmark = pytest.mark.django_db

DAY = timedelta(hours=24)
US = timedelta(microseconds=1)


def _scored(world: World, *, at: datetime, confidence: float, prompt: str = "p1", model: str = "gen-a") -> None:
    draft = make_draft(
        world, now=at - timedelta(seconds=1), metadata={"prompt_version": prompt, "generator_model": model}
    )
    routing.draft_record_score(draft_id=draft.pk, score=None, confidence=confidence, versions={}, now=at)


# Reference half 0.25 / half 0.85; current 2 at 0.25 and 8 at 0.85:
# PSI = (0.2 − 0.5)·ln(0.2/0.5) + (0.8 − 0.5)·ln(0.8/0.5) = 0.274887 + 0.141001 = 0.415888.
EXPECTED = (0.2 - 0.5) * math.log(0.2 / 0.5) + (0.8 - 0.5) * math.log(0.8 / 0.5)


def build_drift(world: World) -> None:
    for n in range(10):  # reference window (T0 − 48 h, T0 − 24 h]; the first exactly at its end
        _scored(world, at=T0 - DAY - n * timedelta(hours=1), confidence=0.25 if n < 5 else 0.85)
    for n in range(10):  # current window (T0 − 24 h, T0]; the first exactly at T0
        _scored(world, at=T0 - n * timedelta(hours=1), confidence=0.25 if n < 2 else 0.85)
    for n in range(10):  # a stable pair: the same in both windows
        _scored(world, at=T0 - DAY - n * timedelta(hours=1), confidence=0.55, prompt="p2")
        _scored(world, at=T0 - n * timedelta(hours=1), confidence=0.55, prompt="p2")


def test_psi_by_hand() -> None:
    assert pytest.approx(0.415888, abs=1e-6) == EXPECTED
    assert selectors.psi([5, 5], [2, 8]) == pytest.approx(EXPECTED)
    assert selectors.psi([0, 10], [0, 10]) == 0
    # A bin empty on one side counts as 0.01 %: (0.5 − 0.0001)·ln(0.5/0.0001) + (0.5 − 1)·ln(0.5/1)
    one_sided = (0.5 - 1e-4) * math.log(0.5 / 1e-4) + (0.5 - 1) * math.log(0.5)
    assert selectors.psi([0, 10], [5, 5]) == pytest.approx(one_sided)
    assert selectors.psi([], []) is None and selectors.psi([0, 0], [1, 0]) is None
    assert selectors.confidence_bins([0.0, 0.099, 0.1, 0.999, 1.0]) == [2, 1, 0, 0, 0, 0, 0, 0, 0, 2]


def test_drift_selector_and_levels(world, clock) -> None:
    build_drift(world)
    by = {d.prompt_version: d for d in selectors.confidence_drift(tenant_ids=[world.tenant.pk], now=T0, span=DAY)}
    shifted, stable = by["p1"], by["p2"]
    assert (sum(shifted.reference), sum(shifted.current)) == (10, 10)
    assert shifted.reference[2] == 5 and shifted.reference[8] == 5
    assert shifted.current[2] == 2 and shifted.current[8] == 8
    assert shifted.psi == pytest.approx(EXPECTED) and shifted.level == "shifted"
    assert stable.psi == 0 and stable.level == "stable"


def test_window_edges(world, clock) -> None:
    build_drift(world)

    def counts(now: datetime) -> tuple[int, int, str]:
        [d] = [
            x
            for x in selectors.confidence_drift(tenant_ids=[world.tenant.pk], now=now, span=DAY)
            if x.prompt_version == "p1"
        ]
        return sum(d.reference), sum(d.current), d.level

    # At T0 each window holds its draft scored exactly at its end: 10 and 10.
    assert counts(T0) == (10, 10, "shifted")
    # 1 µs earlier the draft at T0 drops out of the current window and the one at T0 − 24 h
    # crosses from the reference window into it: 9 and 10, too few to judge.
    assert counts(T0 - US) == (9, 10, "too few")
    # At T0 − 9 h: current (T0 − 33 h, T0 − 9 h] holds the current draft at T0 − 9 h and the
    # reference ones at T0 − 24 h … T0 − 32 h (10); reference (T0 − 57 h, T0 − 33 h] only the
    # one at T0 − 33 h.
    assert counts(T0 - timedelta(hours=9)) == (1, 10, "too few")


def test_drift_page(world, client_for, clock, django_assert_num_queries) -> None:
    build_drift(world)
    client = client_for(world.lead)
    html = client.get(reverse("ops:drift")).content.decode()
    row = re.search(r'<tr data-key="p1\|gen-a">(.*?)</tr>', html, re.S).group(1)
    assert ">0.416<" in row and "shifted" in row
    assert "0.416 (shifted)" in html and "Confidence drift (PSI), last 24h" in html
    # session, user, lead memberships, the watermark and one statement for the scored drafts
    with django_assert_num_queries(5):
        client.get(reverse("ops:drift") + "?range=7d")
