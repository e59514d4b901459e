"""Every POST needs the CSRF token (htmx sends it as a header); untrusted text is escaped."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from reviewqueue.review import services
from reviewqueue.review.models import ReviewItem
from tests.factories import World
from tests.web.factories import make_scored_item, score_for
from tests.web.helpers import body

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#x27;&amp;"


def _posts(item: ReviewItem) -> list[tuple[str, dict[str, str]]]:
    return [
        (reverse("web:claim_next"), {}),
        (reverse("web:item_approve", args=[item.pk]), {}),
        (reverse("web:item_release", args=[item.pk]), {}),
        (reverse("web:item_heartbeat", args=[item.pk]), {}),
        (reverse("web:claim_label", args=[item.pk, 0]), {"label": "supported"}),
        (reverse("web:logout"), {}),
    ]


def test_posts_without_the_token_are_refused(world: World, client_for, claimed_item: ReviewItem) -> None:
    client = client_for(world.reviewer, csrf=True)
    for url, data in _posts(claimed_item):
        assert client.post(url, data).status_code == 403, url
    claimed_item.refresh_from_db()
    assert claimed_item.state == "claimed"


def test_htmx_header_token_is_accepted(world: World, client_for, claimed_item: ReviewItem) -> None:
    client = client_for(world.reviewer, csrf=True)
    html = body(client.get(reverse("web:item", args=[claimed_item.pk])))
    token = re.search(r"""hx-headers='\{"X-CSRFToken": "([^"]+)"\}'""", html)
    assert token, "the CSRF header must be on <body> for htmx"
    response = client.post(
        reverse("web:item_heartbeat", args=[claimed_item.pk]),
        HTTP_HX_REQUEST="true",
        HTTP_X_CSRFTOKEN=token.group(1),
    )
    assert response.status_code == 200
    form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert form_token
    approve = client.post(
        reverse("web:item_approve", args=[claimed_item.pk]),
        {"csrfmiddlewaretoken": form_token.group(1)},
    )
    assert approve.status_code == 302


def test_untrusted_text_is_escaped_everywhere(world: World, client_for) -> None:
    draft = f"Refunds take 5 days. {XSS}"
    passage = f"Refunds take 5 business days. {XSS}"
    passages = [{"id": f"kb{XSS}", "text": passage}]
    score = score_for(
        draft,
        [{"id": "kb-17", "text": passage}],
        [
            ("Refunds take 5 days.", "refuted", "kb-17", "Refunds take 5 business days."),
            (XSS, "not_checkable", None, None),
        ],
        low=[XSS],
        hits=[XSS],
    )
    score["claims"][0]["best_passage_id"] = f"kb{XSS}"
    score["versions"] = {XSS: XSS}
    score["errors"] = [XSS]
    item = make_scored_item(world, draft=draft, passage=passage, question=XSS, score=score)
    from reviewqueue.review.models import Draft

    Draft.objects.filter(pk=item.draft_id).update(
        passages=passages, decision_reasons=[XSS], generator_model=XSS, intent=XSS
    )
    world.queue.reject_reasons = [XSS]
    world.queue.fallback_text = XSS
    world.queue.title = XSS
    world.queue.save()
    claimed = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    assert claimed is not None
    services.review_item_escalate(
        user=world.reviewer,
        item_id=claimed.pk,
        target_queue_id=world.l2_queue.pk,
        note=XSS,
        now=timezone.now(),
    )
    client = client_for(world.reviewer)
    # Escalation goes somewhere else: the lead, the other l2 reviewer, takes the successor.
    successor = services.review_item_claim_next(user=world.lead, now=timezone.now())
    assert successor is not None
    services.review_item_submit(
        user=world.lead,
        item_id=successor.pk,
        disposition="edited",
        final_text=XSS,
        note=XSS,
        now=timezone.now(),
    )
    for url in (
        reverse("web:item", args=[claimed.pk]),
        reverse("web:item", args=[successor.pk]),
        reverse("web:home"),
        reverse("web:recent"),
    ):
        html = body(client.get(url))
        assert "<script>alert" not in html and "<img src=x" not in html, url
    html = body(client.get(reverse("web:item", args=[claimed.pk])))
    assert html.count(XSS_ESCAPED) >= 8  # draft, question, passage, notes, hits, versions, reasons…
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body(client.get(reverse("web:recent")))
