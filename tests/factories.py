"""Build the world through the services, as a real deployment would."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import Group, User
from django.utils import timezone

from reviewqueue.intake import routing
from reviewqueue.intake import services as intake_services
from reviewqueue.review.models import Decision, Draft, Queue, ReviewItem
from reviewqueue.tenancy.models import Role, ServiceClient, Tenant
from reviewqueue.tenancy.services import membership_grant, service_client_create, tenant_create

_seq = itertools.count(1)


@dataclass
class World:
    tenant: Tenant
    queue: Queue
    l2_queue: Queue
    client: ServiceClient
    api_key: str
    reviewer: User
    other_reviewer: User
    lead: User
    outsider: User  # same tenant, not in the queue's reviewer group
    stranger: User  # another tenant altogether
    other_tenant: Tenant
    other_client: ServiceClient
    other_api_key: str


def make_queue(tenant: Tenant, name: str, *, group: Group | None = None, **kwargs: Any) -> Queue:
    group = group or Group.objects.create(name=f"{tenant.slug}-{name}-{next(_seq)}")
    defaults: dict[str, Any] = {
        "sla_minutes": 60,
        "lease_seconds": 120,
        "reject_reasons": ["factually_wrong", "off_policy", "unsafe"],
    }
    defaults.update(kwargs)
    return Queue.objects.create(tenant=tenant, name=name, reviewer_group=group, **defaults)


def make_user(username: str, tenant: Tenant, *, role: str = Role.REVIEWER, groups: list[Group] | None = None) -> User:
    user = User.objects.create_user(username=username, password="pw-" + username + "-123!")
    membership_grant(user=user, tenant=tenant, role=role, groups=groups or [])
    return user


def make_world() -> World:
    n = next(_seq)
    tenant = tenant_create(slug=f"acme-{n}", name="Acme")
    queue = make_queue(tenant, "billing", is_default=True)
    l2 = make_queue(tenant, "billing-l2")
    client, key = service_client_create(tenant=tenant, name="assistant")
    other = tenant_create(slug=f"globex-{n}", name="Globex")
    other_queue = make_queue(other, "support", is_default=True)
    other_client, other_key = service_client_create(tenant=other, name="globex-bot")
    return World(
        tenant=tenant,
        queue=queue,
        l2_queue=l2,
        client=client,
        api_key=key,
        reviewer=make_user(f"reviewer{n}", tenant, groups=[queue.reviewer_group, l2.reviewer_group]),
        other_reviewer=make_user(f"other{n}", tenant, groups=[queue.reviewer_group]),
        lead=make_user(f"lead{n}", tenant, role=Role.LEAD, groups=[queue.reviewer_group, l2.reviewer_group]),
        outsider=make_user(f"outsider{n}", tenant),
        stranger=make_user(f"stranger{n}", other, groups=[other_queue.reviewer_group]),
        other_tenant=other,
        other_client=other_client,
        other_api_key=other_key,
    )


def draft_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "question": "How long is the warranty on the X200 blender?",
        "draft": "The X200 blender has a 24-month warranty. Register it within 30 days to activate it.",
        "passages": [
            {
                "id": "kb-17",
                "text": "All X200 blenders come with a two-year limited warranty. "
                "Products must be registered within 30 days of purchase.",
            }
        ],
        "metadata": {
            "intent": "warranty",
            "generator_model": "gpt-4o-mini",
            "prompt_version": "faq-v3",
            "customer_tier": "standard",
        },
    }
    body.update(overrides)
    return body


def make_draft(
    world: World, *, key: str | None = None, now: datetime | None = None, queue: Queue | None = None, **overrides: Any
) -> Draft:
    from reviewqueue.intake.drafts import parse_enqueue

    body = draft_body(**overrides)
    if queue is not None:
        body["queue"] = queue.name
    fields = parse_enqueue(body, client=world.client)
    draft, _ = intake_services.draft_enqueue(
        client=world.client,
        idempotency_key=key or f"k-{next(_seq)}",
        fields=fields,
        now=now or timezone.now(),
    )
    return draft


def make_pending_item(
    world: World, *, now: datetime | None = None, queue: Queue | None = None, priority: float = 0.5, **overrides: Any
) -> ReviewItem:
    """A draft enqueued, scored and routed into `queue` (default: the world's queue)."""
    now = now or timezone.now()
    queue = queue or world.queue
    draft = make_draft(world, now=now, queue=queue, **overrides)
    routing.draft_record_score(draft_id=draft.pk, score=None, confidence=0.4, versions={"scorer": "test"}, now=now)
    routing.draft_route(
        draft_id=draft.pk, decision=Decision.QUEUE_FOR_REVIEW, reasons=["test"], queue=queue, priority=priority, now=now
    )
    return ReviewItem.objects.get(draft=draft, state="pending")
