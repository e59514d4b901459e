"""/ops/queues/<id>/settings/: a real form, errors per field, audited, leads of the tenant only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from reviewqueue.ops.models import QueueSettingsChange
from reviewqueue.review.models import Queue
from reviewqueue.tenancy.models import Role
from tests.factories import make_queue, make_user

pytestmark = pytest.mark.django_db


def _form(world, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "title": "Billing",
        "sla_minutes": "45",
        "lease_seconds": "300",
        "reviewer_group": str(world.queue.reviewer_group_id),
        "fallback_action": "escalate",
        "fallback_text": "We will get back to you.",
        "escalation_queue": str(world.l2_queue.pk),
        "reject_reasons": "factually_wrong\noff_policy\n\nunsafe\nunsafe",
        "business_value": "2.5",
    }
    data.update(overrides)
    return data


def test_save_valid_settings_with_an_audit_row(world, client_for) -> None:
    url = reverse("ops:queue_settings", args=[world.queue.pk])
    client = client_for(world.lead)
    page = client.get(url).content.decode()
    assert 'name="sla_minutes"' in page and "<textarea" in page and "style=" not in page
    response = client.post(url, _form(world))
    assert response.status_code == 302
    queue = Queue.objects.get(pk=world.queue.pk)
    assert (queue.sla_minutes, queue.lease_seconds, queue.fallback_action) == (45, 300, "escalate")
    assert queue.escalation_queue_id == world.l2_queue.pk and queue.business_value == 2.5
    assert queue.reject_reasons == ["factually_wrong", "off_policy", "unsafe"]  # blanks and repeats dropped
    change = QueueSettingsChange.objects.get(queue=queue)
    assert change.actor == world.lead
    assert change.before["sla_minutes"] == 60 and change.after["sla_minutes"] == 45
    assert "reviewer_group" not in change.after  # unchanged fields are not recorded
    # Saving the same values again changes nothing and writes no row.
    client.post(url, _form(world))
    assert QueueSettingsChange.objects.filter(queue=queue).count() == 1
    assert "Billing" in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"sla_minutes": "0"}, "sla_minutes", "greater than or equal to 1"),
        ({"lease_seconds": "abc"}, "lease_seconds", "Enter a whole number"),
        ({"reject_reasons": "Bad Code"}, "reject_reasons", "Not a reason code: Bad Code"),
        ({"escalation_queue": ""}, "escalation_queue", "The escalate fallback needs an escalation queue"),
        ({"fallback_action": "explode"}, "fallback_action", "Select a valid choice"),
    ],
)
def test_errors_are_shown_per_field(world, client_for, overrides, field, message) -> None:
    url = reverse("ops:queue_settings", args=[world.queue.pk])
    response = client_for(world.lead).post(url, _form(world, **overrides))
    assert response.status_code == 400
    html = response.content.decode()
    block = html.split(f'data-field="{field}"', 1)[1].split('<div class="field', 1)[0]
    assert message in block and 'aria-invalid="true"' in block
    assert not QueueSettingsChange.objects.exists()
    assert Queue.objects.get(pk=world.queue.pk).sla_minutes == 60


def test_escalation_queue_and_group_of_another_tenant_are_refused(world, client_for) -> None:
    other_queue = Queue.objects.get(tenant=world.other_tenant)
    url = reverse("ops:queue_settings", args=[world.queue.pk])
    response = client_for(world.lead).post(
        url, _form(world, escalation_queue=str(other_queue.pk), reviewer_group=str(other_queue.reviewer_group_id))
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count("Select a valid choice") == 2


def test_only_leads_of_the_tenant(world, client_for) -> None:
    url = reverse("ops:queue_settings", args=[world.queue.pk])
    assert Client().get(url).status_code == 302
    assert client_for(world.reviewer).get(url).status_code == 403
    assert client_for(world.reviewer).post(url, _form(world)).status_code == 403
    other_lead = make_user("globex-lead-4", world.other_tenant, role=Role.LEAD)
    assert client_for(other_lead).get(url).status_code == 404
    assert client_for(other_lead).post(url, _form(world)).status_code == 404
    assert Queue.objects.get(pk=world.queue.pk).sla_minutes == 60


def test_a_lead_outside_the_reviewer_group_can_edit(world, client_for) -> None:
    queue = make_queue(world.tenant, "returns")
    bare = make_user("bare-lead-2", world.tenant, role=Role.LEAD)
    url = reverse("ops:queue_settings", args=[queue.pk])
    data = _form(world, fallback_action="block", escalation_queue="", reviewer_group=str(queue.reviewer_group_id))
    assert client_for(bare).post(url, data).status_code == 302
    assert Queue.objects.get(pk=queue.pk).sla_minutes == 45
