"""The review page of a high-risk draft judged before routing, in real Chromium: the judge's
verdicts beside the NLI verdicts, its part in the score, and the signals the decision used."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from reviewqueue.intake import services as intake_services
from reviewqueue.intake import worker
from reviewqueue.review import services
from tests.browser.conftest import shot, sign_in
from tests.factories import make_draft
from tests.llm import conftest as llm_conftest
from tests.llm import fake_llm as fake

# The LLM fixtures (a local Chat Completions server, its settings) live in tests/llm/conftest.py,
# out of this directory's reach; the browser is this directory's one session-wide Chromium (a
# second session fixture elsewhere would start a second Playwright inside the first one's loop).
fake_llm = llm_conftest.fake_llm
llm_on = llm_conftest.llm_on

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_judge_verdicts_and_the_signals_record_on_the_page(
    world, tiny_scorer, llm_on, fake_llm, new_page, monkeypatch
) -> None:
    monkeypatch.setattr(intake_services, "draft_dispatch", lambda *, draft_id, expires: True)
    llm_on(consistency_samples=0)
    fake_llm.judge = fake.judge_says("contradicted")
    draft = make_draft(world, metadata={"intent": "refund"}, queue=world.queue)
    worker.score_and_route(draft.pk)
    item = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    assert item is not None and item.draft_id == draft.pk

    page = new_page()
    sign_in(page, world.reviewer)
    page.goto(reverse("web:item", args=[item.pk]))
    panel = page.locator("#llm-signals")
    assert panel.locator("tr.judge-row").count() == 2
    assert "Contradicted" in panel.inner_text() and "Judge in the score" in panel.inner_text()
    shot(page, "llm-judge-claims")
    page.get_by_role("tab", name="History").click()
    history = page.locator("#panel-history")
    assert "Signals used:" in history.inner_text() and "judge" in history.inner_text()
    shot(page, "llm-judge-history")
