"""GET /api/v1/drafts: a service's drafts, filtered and cursor-paginated, never another tenant's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from reviewqueue.review import services
from reviewqueue.review.models import Decision
from tests.api.conftest import assert_error, service_client
from tests.conftest import T0
from tests.factories import make_draft, make_pending_item

URL = "/api/v1/drafts"


def ids(response):
    assert response.status_code == 200, response.content[:500]
    return [d["id"] for d in response.json()["results"]]


def all_pages(client, params):
    seen, url, pages = [], URL, 0
    while url:
        response = client.get(url, params if url == URL else None)
        seen += ids(response)
        url, pages = response.json()["next"], pages + 1
        if url:
            url = url.split("testserver", 1)[1]
    return seen, pages


def test_lists_the_tenants_drafts_newest_first(world, clock, as_service):
    older = make_draft(world)
    clock.shift(timedelta(seconds=1))
    newer = make_draft(world)
    response = as_service.get(URL)
    assert ids(response) == [newer.pk, older.pk]
    assert response.json()["next"] is None
    first = response.json()["results"][0]
    assert set(first) == {
        "id",
        "status",
        "idempotency_key",
        "created_at",
        "decision",
        "reason_codes",
        "confidence",
        "follow_up",
        "review",
        "outcome",
        "decided_at",
    }
    assert first["follow_up"] is None  # not blocked


def test_cursor_pages_cover_every_draft_once_in_order(world, clock, as_service):
    made = []
    for i in range(7):
        made.append(make_draft(world).pk)
        if i % 2:
            clock.shift(timedelta(seconds=1))  # ties on created_at are broken by id
    seen, pages = all_pages(as_service, {"limit": 3})
    assert pages == 3
    assert seen == list(reversed(made))


def test_drafts_arriving_between_pages_neither_repeat_nor_skip(world, clock, as_service):
    made = [make_draft(world).pk for _ in range(4)]
    first = as_service.get(URL, {"limit": 2})
    clock.shift(timedelta(seconds=1))
    make_draft(world)  # newer than the cursor: not on the following pages
    nxt = first.json()["next"].split("testserver", 1)[1]
    assert ids(first) + ids(as_service.get(nxt)) == list(reversed(made))


def test_filters(world, clock, as_service):
    received = make_draft(world, key="plain")
    in_l2 = make_pending_item(world, queue=world.l2_queue)
    in_billing = make_pending_item(world)
    clock.shift(timedelta(minutes=5))
    late = make_draft(world)

    assert ids(as_service.get(URL, {"status": "received"})) == [late.pk, received.pk]
    assert ids(as_service.get(URL, {"status": "routed"})) == [in_billing.draft_id, in_l2.draft_id]
    assert ids(as_service.get(URL, {"decision": Decision.QUEUE_FOR_REVIEW})) == [in_billing.draft_id, in_l2.draft_id]
    assert ids(as_service.get(URL, {"decision": "block"})) == []
    assert ids(as_service.get(URL, {"idempotency_key": "plain"})) == [received.pk]
    assert ids(as_service.get(URL, {"queue": "billing-l2"})) == [in_l2.draft_id]
    after = (T0 + timedelta(minutes=1)).isoformat()
    assert ids(as_service.get(URL, {"created_after": after})) == [late.pk]
    assert ids(as_service.get(URL, {"created_before": after})) == [in_billing.draft_id, in_l2.draft_id, received.pk]
    both = {"created_after": T0.isoformat(), "created_before": after, "status": "routed", "queue": "billing"}
    assert ids(as_service.get(URL, both)) == [in_billing.draft_id]


def test_an_escalated_draft_is_found_by_both_queues(world, clock, as_service):
    item = make_pending_item(world)
    claimed = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    services.review_item_escalate(
        user=world.reviewer, item_id=claimed.pk, target_queue_id=world.l2_queue.pk, note="", now=timezone.now()
    )
    assert ids(as_service.get(URL, {"queue": "billing"})) == ids(as_service.get(URL, {"queue": "billing-l2"}))
    assert ids(as_service.get(URL, {"queue": "billing"})) == [item.draft_id]


def test_another_tenants_drafts_are_never_listed(world, clock, as_service):
    mine = make_draft(world, key="shared-key")
    theirs = service_client(world.other_api_key)
    theirs.post(URL, {"draft": "Theirs."}, format="json", HTTP_IDEMPOTENCY_KEY="shared-key")
    assert ids(as_service.get(URL)) == [mine.pk]
    assert ids(as_service.get(URL, {"idempotency_key": "shared-key"})) == [mine.pk]
    assert ids(theirs.get(URL, {"idempotency_key": "shared-key"})) != [mine.pk]
    # Their queue's name is not a queue in my tenant: a 400, not their drafts.
    assert_error(as_service.get(URL, {"queue": "support"}), 400, "invalid")
    assert mine.pk not in ids(theirs.get(URL))
    # A cursor is only a position: replayed on their list it walks only their drafts.
    clock.shift(timedelta(seconds=1))
    make_draft(world)
    my_next = as_service.get(URL, {"limit": 1}).json()["next"].split("testserver", 1)[1]
    assert mine.pk not in ids(theirs.get(my_next))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "pending"}, "status"),
        ({"decision": "maybe"}, "decision"),
        ({"queue": "no-such-queue"}, "queue"),
        ({"queue": "not a slug!"}, "queue"),
        ({"created_after": "yesterday"}, "created_after"),
        ({"created_before": "2026-13-01T00:00:00Z"}, "created_before"),
        ({"created_after": "2026-03-02T10:00:00Z", "created_before": "2026-03-02T09:00:00Z"}, "created_before"),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "bm9waXBl"}, "cursor"),  # base64 of "nopipe"
        ({"idempotency_key": "k" * 201}, "idempotency_key"),
        ({"sort": "id"}, "sort"),
    ],
)
def test_bad_filters_are_400_with_the_stable_error_body(world, clock, as_service, params, field):
    error = assert_error(as_service.get(URL, params), 400, "invalid")
    assert field in error["details"]["fields"], error


def test_reviewers_and_anonymous_callers_cannot_list(world, clock, as_user):
    from rest_framework.test import APIClient

    assert_error(APIClient().get(URL), 401, "not_authenticated")
    assert as_user(world.reviewer).get(URL).status_code == 403
    assert_error(service_client("rq_not-a-key").get(URL), 401, "authentication_failed")


def test_reviewers_are_opaque_ids_unless_the_tenant_turns_names_on(world, clock, as_service):
    item = make_pending_item(world)
    claimed = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    services.review_item_submit(user=world.reviewer, item_id=claimed.pk, disposition="approved", now=timezone.now())
    listed = as_service.get(URL).json()["results"][0]["review"]["reviewer"]
    detail = as_service.get(f"{URL}/{item.draft_id}").json()["review"]["reviewer"]
    assert listed == detail and listed.startswith("rvw_") and world.reviewer.username not in listed
    world.tenant.expose_reviewer_names = True
    world.tenant.save(update_fields=["expose_reviewer_names"])
    assert as_service.get(f"{URL}/{item.draft_id}").json()["review"]["reviewer"] == world.reviewer.username


def test_the_opaque_id_is_per_tenant_and_stable(world):
    from reviewqueue.api.serializers import reviewer_ref

    a = reviewer_ref(world.reviewer, tenant=world.tenant)
    assert a == reviewer_ref(world.reviewer, tenant=world.tenant)
    assert a != reviewer_ref(world.reviewer, tenant=world.other_tenant)
    assert a != reviewer_ref(world.other_reviewer, tenant=world.tenant)


def test_a_page_costs_the_same_number_of_queries_however_many_drafts(world, clock, as_service):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def page_queries() -> int:
        as_service.get(URL)  # the same warm state (the API key's cache) before each count
        with CaptureQueriesContext(connection) as ctx:
            response = as_service.get(URL, {"limit": 50})
        assert response.status_code == 200
        return len(ctx)

    def add_reviewed_drafts(n: int) -> None:
        for _ in range(n):
            make_pending_item(world)
            claimed = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
            services.review_item_submit(
                user=world.reviewer, item_id=claimed.pk, disposition="approved", now=timezone.now()
            )

    add_reviewed_drafts(1)
    few = page_queries()
    add_reviewed_drafts(11)
    many = page_queries()
    # The drafts, and their items with queue and reviewer; at most the API key's client and its
    # tenant besides (cached between requests).
    assert few == many <= 4
