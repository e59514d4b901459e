"""/ops/: the floor now, on constructed data; force-release; live refresh; query counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.errors import InvalidState, LeaseLost, NotFound
from reviewqueue.ops import selectors
from reviewqueue.review import services
from reviewqueue.review.models import ItemState, ReviewItem
from tests.conftest import T0
from tests.factories import make_pending_item, make_queue

pytestmark = pytest.mark.django_db

MIN = timedelta(minutes=1)


def _row(html: str, queue: str) -> dict[str, str]:
    match = re.search(rf'<tr data-queue="{queue}">(.*?)</tr>', html, re.S)
    assert match, html
    cells = dict(re.findall(r'data-label="([^"]+)">(.*?)</td>', match.group(1), re.S))
    return {k: re.sub(r"<[^>]+>|[▲■]", "", v).strip() for k, v in cells.items()}


def test_floor_figures_on_constructed_data(world, client_for, clock) -> None:
    # billing: SLA 60 min, warning at 80 % = 48 min. Items enqueued 70, 50, 30 and 10 min ago:
    # depth 4, oldest 70 min, breached 1 (70 > 60), at risk 1 (50: past 48, not yet due).
    for age in (70, 50, 30, 10):
        make_pending_item(world, now=T0 - age * MIN)
    # The claim skips the item already past due; it takes the 50-min one (due at T0 + 10 min).
    held = services.review_item_claim_next(user=world.reviewer, now=T0 - 5 * MIN)
    assert held is not None
    html = client_for(world.lead).get(reverse("ops:floor")).content.decode()
    assert _row(html, "billing") == {
        "Depth": "4",
        "Oldest": "1 h 10 min",
        "At risk": "1",
        "Breached": "1",
        "Being worked": "1",
    }
    assert _row(html, "billing-l2") == {
        "Depth": "0",
        "Oldest": "—",
        "At risk": "0",
        "Breached": "0",
        "Being worked": "0",
    }
    # Who holds it, and the lease left: lease 120 s from T0 − 5 min → lapsed 3 min ago.
    held_row = re.search(rf'<tr data-item="{held.pk}">(.*?)</tr>', html, re.S).group(1)
    assert world.reviewer.username in held_row and "lapsed" in held_row and "10 min" in held_row
    assert f"Force release #{held.pk}" in html


def test_floor_selector_lease_left_and_owner(world, clock) -> None:
    make_pending_item(world, now=T0 - 10 * MIN)
    services.review_item_claim_next(user=world.other_reviewer, now=T0 - 30 * timedelta(seconds=1))
    floor = selectors.floor(queues=selectors.queues_for_tenants([world.tenant.pk]), now=T0, warning_fraction=0.8)
    [h] = floor.held
    assert h.queue == world.queue and h.owner == world.other_reviewer.username
    assert h.lease_left == timedelta(seconds=90)  # 120 s lease claimed 30 s ago
    assert h.held_for == timedelta(seconds=30)
    assert h.due_in == timedelta(minutes=50)  # due 60 min after enqueue, 10 min ago
    assert {s.queue.name: s.held for s in floor.stats} == {"billing": 1, "billing-l2": 0}
    assert (floor.held_total, floor.page, floor.pages, floor.first_shown, floor.last_shown) == (1, 1, 1, 1, 1)


def test_floor_queries_do_not_grow_with_queues_or_items(world, client_for, django_assert_num_queries) -> None:
    client = client_for(world.lead)
    client.get(reverse("ops:floor"))
    # session, user, lead memberships, queues, one aggregate (counts too), one page of claimed items
    with django_assert_num_queries(6):
        client.get(reverse("ops:floor"))
    for i in range(3):
        queue = make_queue(world.tenant, f"extra-{i}")
        world.reviewer.groups.add(queue.reviewer_group)
        make_pending_item(world, queue=queue)
        make_pending_item(world)
    services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    with django_assert_num_queries(6):
        response = client.get(reverse("ops:floor"))
    assert response.content.decode().count("Force release #") == 2
    with django_assert_num_queries(6):
        client.get(reverse("ops:floor_live"))


def test_live_partial_polls_without_eval_filters(world, client_for) -> None:
    html = client_for(world.lead).get(reverse("ops:floor")).content.decode()
    assert 'hx-trigger="every 10s, rq:resume"' in html
    assert "[" not in re.search(r'hx-trigger="([^"]*)"', html).group(1)  # no filters: CSP forbids eval
    assert "js/ops_floor.js" in html and "<script>" not in html and "style=" not in html
    partial = client_for(world.lead).get(reverse("ops:floor_live")).content.decode()
    assert partial.lstrip().startswith('<section id="ops-floor"') and "<html" not in partial


def _claim_spread(world, count: int, queue=None) -> list[int]:
    """`count` items claimed a second apart (distinct leases); their ids, soonest lease first."""
    ids = []
    for k in range(count):
        make_pending_item(world, queue=queue, now=T0 - 10 * MIN)
        item = services.review_item_claim_next(
            user=world.reviewer, now=T0 - 5 * MIN + k * timedelta(seconds=1), queue_ids=[(queue or world.queue).pk]
        )
        ids.append(item.pk)
    return ids


def _listed(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-item="(\d+)">', html)]


def test_floor_claimed_list_is_capped_paged_and_filtered(
    world, client_for, clock, monkeypatch, django_assert_num_queries
) -> None:
    monkeypatch.setattr(selectors, "FLOOR_HELD_PAGE_SIZE", 2)
    billing = _claim_spread(world, 4)
    l2 = _claim_spread(world, 1, queue=world.l2_queue)
    # Every queue, lease closest to expiry (here: lapsed longest) first, across queues.
    everything = sorted(billing + l2, key=lambda pk: ReviewItem.objects.get(pk=pk).lease_expires_at)
    client = client_for(world.lead)
    client.get(reverse("ops:floor"))
    pages = []
    for page in (1, 2, 3):
        # The same queries on any page, filtered or not: the counts come from the one aggregate.
        with django_assert_num_queries(6):
            html = client.get(reverse("ops:floor"), {"page": page}).content.decode()
        pages.append(_listed(html))
        assert "of 5, lapsed and soonest-lapsing leases first" in html
        assert f"Page {page} of 3" in html
    assert pages == [everything[0:2], everything[2:4], everything[4:5]]
    assert "Showing 5–5 of 5" in html and 'rel="prev" href="/ops/?page=2#held-title"' in html
    assert 'rel="next"' not in html
    # The queue table links each queue's claimed items; the filter keeps its own count and pages.
    assert f'href="/ops/?queue={world.l2_queue.pk}#held-title"' in html
    with django_assert_num_queries(6):
        html = client.get(reverse("ops:floor"), {"queue": world.queue.pk, "page": 2}).content.decode()
    assert _listed(html) == billing[2:4] and "Showing 3–4 of 4" in html
    assert f'hx-get="/ops/floor/live/?queue={world.queue.pk}&amp;page=2"' in html
    assert f'rel="prev" href="/ops/?queue={world.queue.pk}#held-title"' in html
    # The live refresh reads the same list and page.
    live = client.get(reverse("ops:floor_live"), {"queue": world.queue.pk, "page": 2}).content.decode()
    assert _listed(live) == billing[2:4]
    # A page past the last (items released between two polls) is read as the last.
    assert _listed(client.get(reverse("ops:floor"), {"page": 99}).content.decode()) == everything[4:5]
    # Force release from page 2 of billing comes back to page 2 of billing (now the last page).
    response = client.post(
        reverse("ops:item_force_release", args=[billing[2]]) + f"?queue={world.queue.pk}&page=2", follow=True
    )
    assert response.redirect_chain[-1][0] == f"/ops/?queue={world.queue.pk}&page=2"
    assert _listed(response.content.decode()) == [billing[3]]
    assert ReviewEvent.objects.filter(type="review.force_released", item_id=billing[2]).count() == 1


def test_floor_filter_refuses_bad_input(world, client_for) -> None:
    client = client_for(world.lead)
    for params in ({"page": "x"}, {"page": "0"}, {"queue": "-1"}, {"queue": "99999999999"}):
        for name in ("ops:floor", "ops:floor_live"):
            response = client.get(reverse(name), params)
            assert response.status_code == 400, (name, params)
            assert "alert-error" in response.content.decode()
    # Another tenant's queue is not there, as for any queue that does not exist.
    other = world.stranger.groups.get().review_queues.get()
    assert client.get(reverse("ops:floor"), {"queue": other.pk}).status_code == 404
    assert client.get(reverse("ops:floor_live"), {"queue": 10**9}).status_code == 404


# --- force release ---------------------------------------------------------------------------


def test_force_release_service(world, clock) -> None:
    make_pending_item(world)
    item = services.review_item_claim_next(user=world.reviewer, now=T0)
    released = services.review_item_force_release(acting_user=world.lead, item_id=item.pk, now=T0, reason="stuck")
    assert released.state == ItemState.PENDING and released.lease_owner is None
    event = ReviewEvent.objects.get(item=item, type="review.force_released")
    assert (event.actor, event.from_state, event.to_state) == (world.lead, "claimed", "pending")
    assert event.data["owner_id"] == world.reviewer.pk and event.data["reason"] == "stuck"
    # The former owner's lease is gone: submit and heartbeat are refused.
    with pytest.raises(LeaseLost):
        services.review_item_submit(user=world.reviewer, item_id=item.pk, disposition="approved", now=T0)
    with pytest.raises(LeaseLost):
        services.review_item_heartbeat(user=world.reviewer, item_id=item.pk, now=T0)
    # Claimable again at once.
    again = services.review_item_claim_next(user=world.other_reviewer, now=T0)
    assert again is not None and again.pk == item.pk


def test_force_release_guards(world, clock) -> None:
    item = make_pending_item(world)
    with pytest.raises(InvalidState):
        services.review_item_force_release(acting_user=world.lead, item_id=item.pk, now=T0)
    services.review_item_claim_next(user=world.reviewer, now=T0)
    for user in (world.reviewer, world.stranger):
        with pytest.raises(NotFound):
            services.review_item_force_release(acting_user=user, item_id=item.pk, now=T0)
    with pytest.raises(NotFound):
        services.review_item_force_release(acting_user=world.lead, item_id=10**9, now=T0)
    assert not ReviewEvent.objects.filter(type="review.force_released").exists()


def test_force_release_from_the_page(world, client_for) -> None:
    make_pending_item(world)
    item = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    client = client_for(world.lead)
    response = client.post(reverse("ops:item_force_release", args=[item.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("ops:floor")
    assert f"Item {item.pk} is back in its queue." in response.content.decode()
    item.refresh_from_db()
    assert item.state == ItemState.PENDING
    # A second press: nothing to release, said as a message, no second event.
    response = client.post(reverse("ops:item_force_release", args=[item.pk]), follow=True)
    assert "only a claimed item can be released" in response.content.decode()
    assert ReviewEvent.objects.filter(type="review.force_released").count() == 1
    assert client.get(reverse("ops:item_force_release", args=[item.pk])).status_code == 405
