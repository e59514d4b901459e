"""Who gets in: leads of the tenant; reviewers 403; other tenants see nothing; anonymous → login."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviewqueue.review import services
from reviewqueue.tenancy.models import Membership, Role
from tests.factories import make_pending_item, make_queue

pytestmark = pytest.mark.django_db

PAGES = [
    "ops:floor",
    "ops:floor_live",
    "ops:sla",
    "ops:reviewers",
    "ops:routing",
    "ops:drift",
    "ops:escape",
    "ops:policies",
]


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_sign_in(world, page) -> None:
    response = Client().get(reverse(page))
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/ops/")


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_htmx_gets_401_not_the_login_page(world, page) -> None:
    response = Client().get(reverse(page), HTTP_HX_REQUEST="true")
    assert response.status_code == 401 and response["HX-Reswap"] == "none"


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("persona", ["reviewer", "other_reviewer", "outsider", "stranger"])
def test_non_leads_get_403(world, client_for, page, persona) -> None:
    response = client_for(getattr(world, persona)).get(reverse(page))
    assert response.status_code == 403
    assert "for ops leads" in response.content.decode()


def test_force_release_refused_to_non_leads(world, client_for) -> None:
    make_pending_item(world)
    item = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    url = reverse("ops:item_force_release", args=[item.pk])
    assert Client().post(url).status_code == 302  # to sign-in
    for persona in ("reviewer", "outsider", "stranger"):
        assert client_for(getattr(world, persona)).post(url).status_code == 403
    item.refresh_from_db()
    assert item.state == "claimed"


@pytest.mark.parametrize("page", ["ops:floor", "ops:floor_live", "ops:sla"])
def test_lead_sees_every_queue_of_their_tenant_and_none_of_another(world, client_for, page) -> None:
    # A queue the lead is in no reviewer group of: a lead sees it all the same.
    make_queue(world.tenant, "returns", title="Returns desk")
    html = client_for(world.lead).get(reverse(page)).content.decode()
    assert "Returns desk" in html and 'data-queue="billing"' in html and 'data-queue="billing-l2"' in html
    assert 'data-queue="support"' not in html  # the other tenant's queue


def test_lead_of_another_tenant_cannot_force_release_here(world, client_for) -> None:
    from tests.factories import make_user

    other_lead = make_user("globex-lead", world.other_tenant, role=Role.LEAD)
    make_pending_item(world)
    item = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    response = client_for(other_lead).post(reverse("ops:item_force_release", args=[item.pk]))
    assert response.status_code == 404  # no existence leak across tenants
    item.refresh_from_db()
    assert item.state == "claimed"


def test_grant_lead_command(world) -> None:
    out = StringIO()
    call_command("grant_lead", world.reviewer.username, tenant=world.tenant.slug, stdout=out)
    assert Membership.objects.get(user=world.reviewer, tenant=world.tenant).role == Role.LEAD
    call_command("grant_lead", world.reviewer.username, tenant=world.tenant.slug, stdout=out)  # idempotent
    assert Membership.objects.filter(user=world.reviewer).count() == 1
    call_command("grant_lead", world.reviewer.username, tenant=world.tenant.slug, revoke=True, stdout=out)
    assert Membership.objects.get(user=world.reviewer, tenant=world.tenant).role == Role.REVIEWER
    with pytest.raises(CommandError):
        call_command("grant_lead", "nobody", tenant=world.tenant.slug, stdout=out)
    with pytest.raises(CommandError):
        call_command("grant_lead", world.reviewer.username, tenant="no-such-tenant", stdout=out)


def test_lead_of_one_tenant_is_not_lead_of_another(world, client_for) -> None:
    call_command("grant_lead", world.stranger.username, tenant=world.other_tenant.slug, stdout=StringIO())
    html = client_for(world.stranger).get(reverse("ops:floor")).content.decode()
    assert 'data-queue="support"' in html and 'data-queue="billing"' not in html


def test_seed_demo_makes_the_lead_user_a_lead(db) -> None:
    from django.contrib.auth.models import User

    call_command("seed_demo", stdout=StringIO())
    lead = User.objects.get(username="lead")
    assert Membership.objects.get(user=lead, tenant__slug="acme").role == Role.LEAD
    reviewer = User.objects.get(username="reviewer")
    assert Membership.objects.get(user=reviewer, tenant__slug="acme").role == Role.REVIEWER


def test_reviewers_and_routing_show_nothing_of_another_tenant(world, client_for) -> None:
    from reviewqueue.intake import routing
    from reviewqueue.intake.drafts import parse_enqueue
    from reviewqueue.intake.services import draft_enqueue
    from reviewqueue.review.models import ReviewItem
    from tests.factories import draft_body

    # The stranger resolves an item in the other tenant, with an intent nobody here uses.
    other_queue = world.stranger.groups.get().review_queues.get()

    body = draft_body(metadata={"intent": "globex-secret-intent"})
    draft, _ = draft_enqueue(
        client=world.other_client,
        idempotency_key="globex-1",
        fields=parse_enqueue(body, client=world.other_client),
        now=timezone.now(),
    )
    routing.draft_record_score(draft_id=draft.pk, score=None, confidence=0.4, versions={}, now=timezone.now())
    routing.draft_route(
        draft_id=draft.pk, decision="queue_for_review", reasons=[], queue=other_queue, priority=0.5, now=timezone.now()
    )
    item = services.review_item_claim_next(user=world.stranger, now=timezone.now())
    services.review_item_submit(user=world.stranger, item_id=item.pk, disposition="approved", now=timezone.now())
    assert ReviewItem.objects.get(pk=item.pk).state == "resolved"
    lead = client_for(world.lead)
    assert world.stranger.username not in lead.get(reverse("ops:reviewers")).content.decode()
    for by in ("queue", "intent"):
        html = lead.get(reverse("ops:routing") + f"?by={by}").content.decode()
        assert "globex-secret-intent" not in html and 'data-key="support"' not in html
