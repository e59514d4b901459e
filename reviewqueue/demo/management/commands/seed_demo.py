"""`manage.py seed_demo` — a tenant, queues, a reviewer and a lead (with two alert rules), an API key, example drafts.

Idempotent: running it again leaves existing data alone and prints what already exists.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from reviewqueue.alerts.services import alert_rule_create
from reviewqueue.intake import services
from reviewqueue.intake.drafts import parse_enqueue
from reviewqueue.ops.services import lead_grant
from reviewqueue.review.models import FallbackAction, Queue
from reviewqueue.tenancy.models import Role, Tenant
from reviewqueue.tenancy.services import membership_grant, service_client_create, tenant_create

DRAFTS = Path(__file__).resolve().parents[2] / "drafts.json"
REJECT_REASONS = ["factually_wrong", "not_grounded", "off_policy", "unsafe", "tone"]


DEMO_BILLING_GUIDELINES = """\
## Billing

* Refunds: quote the **refund window** from the evidence, never a date we have not promised.
* Amounts over 500 go to *Billing — L2* (`x`).
* Reject with `off_policy` anything that promises a credit.
"""


class Command(BaseCommand):
    help = "Load demo data: tenant 'acme', queues, users reviewer/lead, an API key and example drafts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reviewer-password", default="reviewer-demo")
        parser.add_argument("--lead-password", default="lead-demo")

    def handle(self, *args: Any, reviewer_password: str, lead_password: str, **options: Any) -> None:
        if Tenant.objects.filter(slug="acme").exists():
            self.stdout.write("Demo data already loaded (tenant 'acme'). Sign in as reviewer / lead.")
            return
        with transaction.atomic():
            tenant = tenant_create(slug="acme", name="Acme Support")
            group = Group.objects.create(name="acme-reviewers")
            l2_group = Group.objects.create(name="acme-l2")
            l2 = Queue.objects.create(
                tenant=tenant,
                name="billing-l2",
                title="Billing — L2",
                sla_minutes=240,
                lease_seconds=600,
                reviewer_group=l2_group,
                reject_reasons=REJECT_REASONS,
                business_value=2.0,
            )
            billing = Queue.objects.create(
                tenant=tenant,
                name="billing",
                title="Billing",
                sla_minutes=30,
                lease_seconds=300,
                reviewer_group=group,
                reject_reasons=REJECT_REASONS,
                business_value=1.5,
                fallback_action=FallbackAction.ESCALATE,
                escalation_queue=l2,
                # The default fallback says "a member of our team will follow up": keep it.
                follow_up_on_block=True,
                guidelines=DEMO_BILLING_GUIDELINES,
            )
            Queue.objects.create(
                tenant=tenant,
                name="general",
                title="General questions",
                sla_minutes=60,
                lease_seconds=300,
                reviewer_group=group,
                reject_reasons=REJECT_REASONS,
                is_default=True,
                follow_up_on_block=True,
            )
            reviewer = User.objects.create_user("reviewer", password=reviewer_password, first_name="Rae")
            lead = User.objects.create_user("lead", password=lead_password, first_name="Lee", is_staff=True)
            membership_grant(user=reviewer, tenant=tenant, role=Role.REVIEWER, groups=[group])
            membership_grant(user=lead, tenant=tenant, groups=[group, l2_group])
            lead_grant(user=lead, tenant=tenant)  # the ops lead role: /ops/ for every acme queue
            # Three alert rules with no channel yet (history only): the lead adds a webhook or e-mail.
            for values in (
                {"name": "Billing backlog", "kind": "backlog_depth", "queue": billing, "threshold": 10.0},
                {"name": "Any SLA breach", "kind": "sla_breaches", "threshold": 1.0, "window_minutes": 60},
                {"name": "Golden-set regression", "kind": "golden_regression", "threshold": 1.0},
            ):
                alert_rule_create(acting_user=lead, tenant_id=tenant.pk, values=values, now=timezone.now())
            client, key = service_client_create(tenant=tenant, name="support-assistant")
        drafts = json.loads(DRAFTS.read_text())
        for n, body in enumerate(drafts, start=1):
            fields = parse_enqueue(body, client=client)
            services.draft_enqueue(
                client=client,
                idempotency_key=f"demo-{n}",
                fields=fields,
                now=timezone.now(),
            )
        self.stdout.write(self.style.SUCCESS(f"Loaded tenant 'acme', 3 queues and {len(drafts)} drafts."))
        self.stdout.write(f"  reviewer login: reviewer / {reviewer_password}")
        self.stdout.write(f"  lead login:     lead / {lead_password}")
        self.stdout.write(f"  API key (shown once, stored hashed): {key}")
