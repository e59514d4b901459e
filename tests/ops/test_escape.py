"""/ops/escape/: the estimated escape rate with its interval, per queue and prompt version, for
the leads of the tenant (access for everyone else is in test_access.py)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from reviewqueue.calibration.services import draft_feedback_record
from reviewqueue.review.models import Decision, Queue, ReviewItem
from tests.calibration.helpers import resolve, routed
from tests.factories import make_queue

pytestmark = pytest.mark.django_db


def cell(html: str, queue: str, prompt: str, label: str) -> str:
    row = re.search(rf'<tr data-queue="{queue}" data-prompt="{prompt}">(.*?)</tr>', html, re.S)
    assert row, (queue, prompt)
    found = re.search(rf'data-label="{label}">(.*?)</td>', row.group(1), re.S)
    assert found
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_the_lead_sees_the_estimate_with_its_interval(world, client_for, django_assert_max_num_queries) -> None:
    Queue.objects.filter(pk=world.queue.pk).update(audit_share=1.0)
    faq = make_queue(world.tenant, "faq", title="FAQ desk")
    sent = [routed(world, Decision.AUTO_SEND) for _ in range(4)]
    items = list(ReviewItem.objects.filter(draft__in=sent).order_by("pk"))
    resolve(items[0], world.reviewer, "edited", final_text="Fixed.")
    for item in items[1:]:
        resolve(item, world.reviewer, "approved")
    reported = routed(world, Decision.AUTO_SEND, queue=faq)
    routed(world, Decision.AUTO_SEND, queue=faq)
    draft_feedback_record(client=world.client, draft_id=reported.pk, kind="reopened", now=timezone.now())
    routed(world, Decision.AUTO_SEND)  # a fifth billing draft, its audit still open

    client = client_for(world.lead)
    client.get(reverse("ops:floor"))  # the session's own first-request writes, out of the count
    # A fixed number of reads whatever the traffic: counts by group, then labels a chunk at a time.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("ops:escape"))
    html = response.content.decode()
    assert response.status_code == 200
    # billing: 5 auto-sent, 5 audited, 1 bad (the fifth audit is still open: 4 labelled) → 1/4.
    assert cell(html, "billing", "all", "rate") == "25.0 %"
    low, high = cell(html, "billing", "all", "interval").split(" – ")
    assert float(low.rstrip(" %")) < 25 < float(high.rstrip(" %"))
    assert cell(html, "faq", "all", "rate").startswith("no audit yet; at least 50.0 %")
    assert 'id="escape-chart-title"' in html and "<svg" in html and "Bad drafts among the auto-sent" in html
    assert "FAQ desk" in html and "off" in html  # the audit settings table
    assert "globex" not in html


def test_nothing_auto_sent_says_so(world, client_for) -> None:
    html = client_for(world.lead).get(reverse("ops:escape"), {"range": "24h"}).content.decode()
    assert "Escape rate, last 24h" in html
