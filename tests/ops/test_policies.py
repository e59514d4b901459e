"""/ops/policies/: versions with who and when, a diff, publishing with publish_policy's checks."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from reviewqueue.policy.models import RoutingPolicyVersion
from reviewqueue.policy.services import policy_publish
from reviewqueue.tenancy.models import Role
from scoring.policy import Thresholds
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _publish(world, version: str, **thresholds: float) -> None:  # type: ignore[no-untyped-def]
    config = {"version": version}
    if thresholds:
        config["thresholds"] = {**Thresholds().to_dict(), **thresholds}
    policy_publish(tenant=world.tenant, config=config, now=timezone.now(), actor=world.lead, note=f"note {version}")


def test_versions_and_diff(world, client_for, django_assert_num_queries) -> None:
    _publish(world, "v1")
    _publish(world, "v2", auto_send=0.8)
    client = client_for(world.lead)
    html = client.get(reverse("ops:policies")).content.decode()
    assert re.findall(r'<tr data-version="([^"]+)">', html) == ["v2", "v1"]  # newest first
    v2 = re.search(r'<tr data-version="v2">(.*?)</tr>', html, re.S).group(1)
    assert world.lead.username in v2 and "note v2" in v2 and "active" in v2
    diff = re.search(r'<pre class="policy-diff" id="policy-diff">(.*?)</pre>', html, re.S).group(1)
    assert f'<span class="diff-del">-    &quot;auto_send&quot;: {Thresholds().auto_send},</span>' in diff
    assert '<span class="diff-add">+    &quot;auto_send&quot;: 0.8,</span>' in diff
    assert '<span class="diff-add">+  &quot;version&quot;: &quot;v2&quot;</span>' in diff
    # session, user, lead memberships, tenant, versions
    with django_assert_num_queries(5):
        client.get(reverse("ops:policies") + "?a=v2&b=v1")


def test_publish_from_the_page(world, client_for) -> None:
    _publish(world, "v1")
    client = client_for(world.lead)
    config = json.dumps({"version": "v2", "high_risk_intents": ["refund"]})
    response = client.post(
        reverse("ops:policy_publish"), {"tenant": world.tenant.slug, "config": config, "note": "refunds are risky"}
    )
    assert response.status_code == 302
    v2 = RoutingPolicyVersion.objects.get(tenant=world.tenant, version="v2")
    assert v2.is_active and v2.created_by == world.lead and v2.note == "refunds are risky"
    assert v2.config["high_risk_intents"] == ["refund"]
    assert not RoutingPolicyVersion.objects.get(tenant=world.tenant, version="v1").is_active


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("{not json", "Not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"thresholds": {}}', "Invalid routing policy"),
        ('{"version": "v1"}', "already exists"),
    ],
)
def test_publish_refuses_what_publish_policy_refuses(world, client_for, config, message) -> None:
    _publish(world, "v1")
    response = client_for(world.lead).post(
        reverse("ops:policy_publish"), {"tenant": world.tenant.slug, "config": config}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'aria-invalid="true"' in html
    assert config.replace('"', "&quot;") in html  # what the lead typed is kept
    assert RoutingPolicyVersion.objects.filter(tenant=world.tenant).count() == 1


def test_publish_is_for_leads_of_that_tenant(world, client_for) -> None:
    config = json.dumps({"version": "x1"})
    url = reverse("ops:policy_publish")
    assert client_for(world.reviewer).post(url, {"tenant": world.tenant.slug, "config": config}).status_code == 403
    other_lead = make_user("globex-lead-3", world.other_tenant, role=Role.LEAD)
    assert client_for(other_lead).post(url, {"tenant": world.tenant.slug, "config": config}).status_code == 404
    assert client_for(other_lead).get(reverse("ops:policies") + f"?tenant={world.tenant.slug}").status_code == 404
    assert not RoutingPolicyVersion.objects.filter(version="x1").exists()
