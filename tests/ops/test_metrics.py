"""/metrics: bearer token, and the exposition parsed with prometheus_client's parser."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from tests.ops.data import build_day

pytestmark = pytest.mark.django_db

TOKEN = "scrape-token-0123456789"


def _scrape(token: str | None = TOKEN):  # type: ignore[no-untyped-def]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    return Client().get(reverse("metrics"), **headers)


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_no_token_configured_is_403_for_everyone(world, client_for) -> None:
    with override_settings(REVIEWQUEUE_METRICS_TOKEN=""):
        assert _scrape().status_code == 403
        assert _scrape(None).status_code == 403
        assert client_for(world.lead).get(reverse("metrics")).status_code == 403


@override_settings(REVIEWQUEUE_METRICS_TOKEN=TOKEN)
def test_wrong_or_missing_token_is_refused(world, client_for) -> None:
    assert _scrape("nope").status_code == 401
    response = _scrape(None)
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    # A session is not a token: no lead, reviewer or stranger gets in with a cookie.
    for persona in ("lead", "reviewer", "stranger"):
        assert client_for(getattr(world, persona)).get(reverse("metrics")).status_code == 401
    assert Client().post(reverse("metrics"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 405


@override_settings(REVIEWQUEUE_METRICS_TOKEN=TOKEN)
def test_exposition_on_constructed_data(world, clock) -> None:
    build_day(world)
    response = _scrape()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    samples = _samples(response.content.decode())
    t = world.tenant.slug

    def v(name: str, **labels: str) -> float:
        return samples[(name, tuple(sorted(labels.items())))]

    # Gauges at T0: open e (60 min old, due exactly now: breached) and f (59 min, past 48: at risk).
    assert v("reviewqueue_queue_depth", tenant=t, queue="billing") == 2
    assert v("reviewqueue_queue_oldest_age_seconds", tenant=t, queue="billing") == 3600
    assert v("reviewqueue_queue_breached", tenant=t, queue="billing") == 1
    assert v("reviewqueue_queue_at_risk", tenant=t, queue="billing") == 1
    assert v("reviewqueue_queue_depth", tenant=t, queue="billing-l2") == 0
    # Counters: six drafts routed for review; c approved, d edited; a and b breached; one failure.
    assert v("reviewqueue_decisions_total", tenant=t, decision="queue_for_review") == 6
    assert v("reviewqueue_dispositions_total", tenant=t, queue="billing", disposition="approved") == 1
    assert v("reviewqueue_dispositions_total", tenant=t, queue="billing", disposition="edited") == 1
    assert v("reviewqueue_sla_breaches_total", tenant=t, queue="billing") == 2
    assert v("reviewqueue_scoring_failures_total", tenant=t) == 1
    assert not any(name == "reviewqueue_lease_lapses_total" for name, _ in samples)
    # Enqueue → decision: c 15 min, d 40 min, a and b 60 min (blocked at their deadline).
    h = "reviewqueue_enqueue_to_decision_seconds"
    assert v(f"{h}_bucket", tenant=t, le="300.0") == 0
    assert v(f"{h}_bucket", tenant=t, le="900.0") == 1
    assert v(f"{h}_bucket", tenant=t, le="1800.0") == 1
    assert v(f"{h}_bucket", tenant=t, le="3600.0") == 4
    assert v(f"{h}_bucket", tenant=t, le="+Inf") == 4
    assert v(f"{h}_count", tenant=t) == 4
    assert v(f"{h}_sum", tenant=t) == pytest.approx(900 + 2400 + 3600 + 3600)
    # Scoring latency: six drafts scored at enqueue (0 s), the failed one after 2 s.
    s = "reviewqueue_scoring_latency_seconds"
    assert v(f"{s}_bucket", tenant=t, le="0.1") == 6
    assert v(f"{s}_bucket", tenant=t, le="1.0") == 6
    assert v(f"{s}_bucket", tenant=t, le="2.5") == 7
    assert v(f"{s}_count", tenant=t) == 7 and v(f"{s}_sum", tenant=t) == pytest.approx(2)
    # The other tenant is there too (this is the operator's endpoint), with its own labels.
    assert v("reviewqueue_queue_depth", tenant=world.other_tenant.slug, queue="support") == 0


@override_settings(REVIEWQUEUE_METRICS_TOKEN=TOKEN)
def test_counters_come_from_the_database_not_the_process(world, clock) -> None:
    """Two scrapes (as two processes would) agree, and a lease lapse written by anyone shows."""
    from django.utils import timezone

    from reviewqueue.review import services
    from tests.factories import make_pending_item

    make_pending_item(world)
    item = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    assert services.review_item_lapse(item_id=item.pk, now=item.lease_expires_at)
    first, second = _scrape().content, _scrape().content
    assert first == second
    samples = _samples(first.decode())
    assert samples[("reviewqueue_lease_lapses_total", (("queue", "billing"), ("tenant", world.tenant.slug)))] == 1


@override_settings(REVIEWQUEUE_METRICS_TOKEN=TOKEN)
def test_rolled_tallies_give_the_same_exposition(world, clock) -> None:
    """The counters and histograms are the stored tallies plus the hours not rolled yet: with
    every hour before T0 rolled, the scrape says what the direct computation said, and a stored
    cell is what it reads (bump one and the counter moves)."""
    from datetime import timedelta

    from reviewqueue.ops import rollups
    from reviewqueue.ops.models import Tally
    from tests.conftest import T0

    build_day(world)
    direct = _samples(_scrape().content.decode())
    rollups.rollup_sweep(now=T0 + timedelta(minutes=30))
    assert Tally.objects.filter(figure="metrics.enqueue_to_decision", hours=1).exists()
    rolled = _samples(_scrape().content.decode())
    assert rolled.keys() == direct.keys()
    for key, value in direct.items():
        assert rolled[key] == pytest.approx(value), key
    # An hour of 2 March (1 March is read as its day row).
    cell = Tally.objects.filter(figure="metrics.decisions", hours=1, start__gte=T0.replace(hour=0)).first()
    assert cell is not None
    Tally.objects.filter(pk=cell.pk).update(n=cell.n + 5)
    after = _samples(_scrape().content.decode())
    key = ("reviewqueue_decisions_total", (("decision", "queue_for_review"), ("tenant", world.tenant.slug)))
    assert after[key] == direct[key] + 5
