"""/ops/sla/: attainment, breach history and latencies on constructed data, at the window edges."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from reviewqueue.ops import selectors
from tests.conftest import T0
from tests.ops.data import DAY, US, build_day

pytestmark = pytest.mark.django_db


def _cells(html: str, table: str, queue: str) -> dict[str, str]:
    section = re.search(rf'<table class="table" id="{table}">(.*?)</table>', html, re.S).group(1)
    row = re.search(rf'<tr data-queue="{queue}">(.*?)</tr>', section, re.S).group(1)
    return {k: re.sub(r"<[^>]+>", "", v).strip() for k, v in re.findall(r'data-label="([^"]+)">(.*?)</td>', row, re.S)}


def _breach_items(html: str) -> list[int]:
    section = re.search(r'<table class="table" id="breach-table">(.*?)</table>', html, re.S).group(1)
    return [int(x) for x in re.findall(r'<tr data-item="(\d+)">', section)]


@pytest.mark.parametrize(("p", "expected"), [(50, 10), (90, 18), (95, 19), (100, 20), (1, 1)])
def test_nearest_rank_percentile(p, expected) -> None:
    assert selectors.percentile([float(v) for v in range(20, 0, -1)], p) == expected


def test_percentile_of_one_and_of_none() -> None:
    assert selectors.percentile([7.0], 95) == 7.0
    assert selectors.percentile([], 50) is None


def test_sla_page_at_t0(world, client_for, clock) -> None:
    day = build_day(world)
    html = client_for(world.lead).get(reverse("ops:sla")).content.decode()
    # Due in (T0 − 24 h, T0]: b (missed), c (met), d (met), e (due at T0, open: missed) → 2/4.
    assert _cells(html, "attainment-table", "billing") == {"Due": "4", "Met": "2", "Attainment": "50.0 %"}
    assert _cells(html, "attainment-table", "billing-l2") == {"Due": "0", "Met": "0", "Attainment": "—"}
    # Breach events in (T0 − 24 h, T0]: b's only (a's is at T0 − 24 h exactly; e is not swept).
    assert _breach_items(html) == [day.b.pk]
    assert "Breaches (1)" in html and f'href="/ops/items/{day.b.pk}/"' in html
    assert re.search(rf'<tr data-item="{day.b.pk}">.*?data-label="Fallback">block<', html, re.S)
    # Enqueue → first claim over c (5 min) and d (10 min); claim → resolution c 10 min, d 30 min.
    latency = _cells(html, "latency-table", "billing")
    assert [latency[f"first p{p}"] for p in (50, 90, 95)] == ["5 min", "10 min", "10 min"]
    assert [latency[f"handling p{p}"] for p in (50, 90, 95)] == ["10 min", "30 min", "30 min"]
    assert "SLA attainment per queue, last 24h" in html and "<svg" in html
    assert "<script>" not in html and "style=" not in html


def test_window_edge_one_microsecond_later(world, client_for, clock) -> None:
    day = build_day(world)
    clock.shift(US)
    html = client_for(world.lead).get(reverse("ops:sla")).content.decode()
    # b's deadline is now exactly at the window's start: out. c, d met; e missed → 2/3.
    assert _cells(html, "attainment-table", "billing") == {"Due": "3", "Met": "2", "Attainment": "66.7 %"}
    assert _breach_items(html) == []
    assert day.b.pk  # (kept for the reader: b is the item that left the window)


def test_seven_day_range_in_the_url(world, client_for, clock) -> None:
    day = build_day(world)
    html = client_for(world.lead).get(reverse("ops:sla") + "?range=7d").content.decode()
    # a and b both in: 2 met of 5.
    assert _cells(html, "attainment-table", "billing") == {"Due": "5", "Met": "2", "Attainment": "40.0 %"}
    assert _breach_items(html) == [day.b.pk, day.a.pk]  # newest first
    assert 'aria-current="true">7d<' in html
    # An unknown range falls back to 24 h.
    html = client_for(world.lead).get(reverse("ops:sla") + "?range=1y").content.decode()
    assert _cells(html, "attainment-table", "billing")["Due"] == "4"


def test_selectors_directly(world, clock) -> None:
    build_day(world)
    queues = list(selectors.queues_for_tenants([world.tenant.pk]))
    by_name = {a.queue.name: a for a in selectors.sla_attainment(queues=queues, now=T0, span=DAY)}
    assert (by_name["billing"].due, by_name["billing"].met, by_name["billing"].share) == (4, 2, 0.5)
    lat = {x.queue.name: x for x in selectors.sla_latencies(queues=queues, now=T0, span=DAY)}["billing"]
    assert lat.to_first_claim == {50: 300.0, 90: 600.0, 95: 600.0} and lat.first_claim_n == 2
    assert lat.handling == {50: 600.0, 90: 1800.0, 95: 1800.0} and lat.handling_n == 2
    # A 1-hour look-back: e (enqueued exactly at its start) and f are unclaimed; only d resolved in it.
    short = {x.queue.name: x for x in selectors.sla_latencies(queues=queues, now=T0, span=timedelta(hours=1))}
    assert short["billing"].first_claim_n == 0 and short["billing"].handling_n == 1  # d resolved at T0 − 50 min


def test_sla_page_queries_are_constant(world, client_for, clock, django_assert_num_queries) -> None:
    build_day(world)
    client = client_for(world.lead)
    client.get(reverse("ops:sla"))
    # session, user, lead memberships, queues; each figure read is the watermark and one
    # statement: attainment, breach count (then the breach rows), and the latencies with their
    # time series (one read per page, whatever the buckets).
    with django_assert_num_queries(11):
        client.get(reverse("ops:sla"))


def test_breach_links_to_the_lead_item_page(world, client_for, clock, django_assert_num_queries) -> None:
    from django.test import Client

    from reviewqueue.tenancy.models import Role
    from tests.factories import make_user

    day = build_day(world)
    url = reverse("ops:item", args=[day.b.pk])
    # A lead in no reviewer group still opens it (the reviewer's item page would say 403).
    lead = make_user("bare-lead", world.tenant, role=Role.LEAD)
    client = client_for(lead)
    html = client.get(url).content.decode()
    assert 'data-fact="state">expired<' in html and 'data-fact="outcome">sent_fallback<' in html
    assert '<tr data-event="review.sla.breached">' in html and "review.sla.breached (block)" in html
    # session, user, lead memberships, the item with its queue and draft, the events
    with django_assert_num_queries(5):
        client.get(url)
    assert Client().get(url).status_code == 302
    assert client_for(world.reviewer).get(url).status_code == 403
    other_lead = make_user("globex-lead-2", world.other_tenant, role=Role.LEAD)
    assert client_for(other_lead).get(url).status_code == 404
    assert client.get(reverse("ops:item", args=[10**9])).status_code == 404
