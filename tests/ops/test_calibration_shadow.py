"""Shadow → promote → roll back from /ops/calibration/, with audit events; the refusals
(double promote, unknown candidate, another tenant's candidate, a promotion replaced since)
and who may do any of it."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviewqueue.policy.models import (
    CalibratorVersion,
    CandidateEvent,
    CandidateStatus,
    RoutingPolicyVersion,
    ShadowCandidate,
)
from reviewqueue.policy.selectors import active_calibrator, active_policy
from reviewqueue.policy.services import policy_publish
from reviewqueue.tenancy.models import Role
from tests.factories import make_user
from tests.policy.data import label_set

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def _calibrator(world, version: str = "cal-1", *, active: bool = False) -> CalibratorVersion:  # type: ignore[no-untyped-def]
    artefact = {
        "format": "reviewqueue.calibrator/1",
        "method": "platt",
        "version": version,
        "params": {"a": 4.0, "b": -2.0},
    }
    return CalibratorVersion.objects.create(
        tenant=world.tenant, version=version, artefact=artefact, is_active=active, created_at=timezone.now()
    )


def _types(candidate: ShadowCandidate) -> list[str]:
    return list(CandidateEvent.objects.filter(candidate=candidate).values_list("type", flat=True))


def test_calibrator_shadow_promote_and_roll_back(world, client_for) -> None:  # type: ignore[no-untyped-def]
    old = _calibrator(world, "cal-old", active=True)
    new = _calibrator(world, "cal-new")
    client = client_for(world.lead)
    response = client.post(reverse("ops:candidate_stage_calibrator", args=[new.pk]), {"tenant": world.tenant.slug})
    assert response.status_code == 302
    candidate = ShadowCandidate.objects.get()
    assert candidate.status == CandidateStatus.SHADOW and candidate.created_by == world.lead
    assert active_calibrator(tenant_id=world.tenant.pk).version == "cal-old"  # staging changes nothing live
    page = client.get(reverse("ops:calibration")).content.decode()
    assert "cal-new" in page and 'id="promote"' in page

    assert (
        client.post(reverse("ops:candidate_promote", args=[candidate.pk]), {"tenant": world.tenant.slug}).status_code
        == 302
    )
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.PROMOTED and candidate.replaced_calibrator == old
    assert active_calibrator(tenant_id=world.tenant.pk).version == "cal-new"
    # Promoting twice is a conflict, with the stable error body.
    twice = client.post(reverse("ops:candidate_promote", args=[candidate.pk]), {"tenant": world.tenant.slug}, **JSON)
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "invalid_state"

    assert (
        client.post(reverse("ops:candidate_rollback", args=[candidate.pk]), {"tenant": world.tenant.slug}).status_code
        == 302
    )
    assert active_calibrator(tenant_id=world.tenant.pk).version == "cal-old"
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.ROLLED_BACK
    assert _types(candidate) == ["policy.candidate.staged", "policy.candidate.promoted", "policy.candidate.rolled_back"]
    promoted = CandidateEvent.objects.get(candidate=candidate, type="policy.candidate.promoted")
    assert promoted.actor == world.lead and promoted.data["replaced"] == "cal-old"
    assert promoted.data["gate"] == "No golden set: nothing to check the candidate against."
    rolled = CandidateEvent.objects.get(candidate=candidate, type="policy.candidate.rolled_back")
    assert (rolled.from_status, rolled.to_status, rolled.data["restored"]) == ("promoted", "rolled_back", "cal-old")
    again = client.post(reverse("ops:candidate_rollback", args=[candidate.pk]), {"tenant": world.tenant.slug}, **JSON)
    assert again.status_code == 409


def test_policy_shadow_promote_and_roll_back_to_the_default(world, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.lead)
    config = json.dumps(
        {
            "version": "strict-1",
            "thresholds": {"auto_send": 0.99, "auto_draft_human_send": 0.9, "queue_for_review": 0.1},
        }
    )
    assert (
        client.post(reverse("ops:candidate_stage_policy"), {"tenant": world.tenant.slug, "config": config}).status_code
        == 302
    )
    candidate = ShadowCandidate.objects.get()
    assert candidate.policy.version == "strict-1" and not candidate.policy.is_active
    assert active_policy(tenant_id=world.tenant.pk).version == "default-9"
    client.post(reverse("ops:candidate_promote", args=[candidate.pk]), {"tenant": world.tenant.slug})
    assert active_policy(tenant_id=world.tenant.pk).version == "strict-1"
    client.post(reverse("ops:candidate_rollback", args=[candidate.pk]), {"tenant": world.tenant.slug})
    assert active_policy(tenant_id=world.tenant.pk).version == "default-9"  # none was active before: the default
    assert not RoutingPolicyVersion.objects.filter(tenant=world.tenant, is_active=True).exists()


def test_a_promotion_replaced_since_is_not_rolled_back(world, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.lead)
    client.post(reverse("ops:candidate_stage_policy"), {"tenant": world.tenant.slug, "config": '{"version": "p1"}'})
    candidate = ShadowCandidate.objects.get()
    client.post(reverse("ops:candidate_promote", args=[candidate.pk]), {"tenant": world.tenant.slug})
    policy_publish(tenant=world.tenant, config={"version": "p2"}, now=timezone.now(), actor=world.lead)
    response = client.post(
        reverse("ops:candidate_rollback", args=[candidate.pk]), {"tenant": world.tenant.slug}, **JSON
    )
    assert response.status_code == 409 and "no longer live" in response.json()["error"]["message"]
    assert active_policy(tenant_id=world.tenant.pk).version == "p2"


def test_one_shadow_at_a_time_and_bad_policies(world, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.lead)
    url = reverse("ops:candidate_stage_policy")
    assert client.post(url, {"tenant": world.tenant.slug, "config": '{"version": "a"}'}).status_code == 302
    second = client.post(url, {"tenant": world.tenant.slug, "config": '{"version": "b"}'}, **JSON)
    assert second.status_code == 409 and second.json()["error"]["code"] == "invalid_state"
    assert not RoutingPolicyVersion.objects.filter(version="b").exists()  # nothing half-written
    for config in ("{nope", "[1]", '{"version": "c", "refuted_action": "auto_send"}', '{"version": "a"}'):
        response = client.post(url, {"tenant": world.tenant.slug, "config": config}, **JSON)
        assert response.status_code == 400 and response.json()["error"]["code"] == "invalid", config
    assert ShadowCandidate.objects.count() == 1


def test_unknown_and_other_tenants_candidates_are_404(world, client_for) -> None:  # type: ignore[no-untyped-def]
    row = _calibrator(world)
    client_for(world.lead).post(reverse("ops:candidate_stage_calibrator", args=[row.pk]), {"tenant": world.tenant.slug})
    candidate = ShadowCandidate.objects.get()
    other_lead = make_user("other-lead", world.other_tenant, role=Role.LEAD)
    other = client_for(other_lead)
    for name in ("candidate_promote", "candidate_rollback"):
        response = other.post(reverse(f"ops:{name}", args=[candidate.pk]), {"tenant": world.other_tenant.slug}, **JSON)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
        unknown = client_for(world.lead).post(
            reverse(f"ops:{name}", args=[987654]), {"tenant": world.tenant.slug}, **JSON
        )
        assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    staged = other.post(
        reverse("ops:candidate_stage_calibrator", args=[row.pk]), {"tenant": world.other_tenant.slug}, **JSON
    )
    assert staged.status_code == 404
    # Naming the other tenant in the form is no way in either.
    assert other.get(reverse("ops:calibration") + f"?tenant={world.tenant.slug}").status_code == 404
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.SHADOW


@pytest.mark.parametrize(
    ("method", "name", "args"),
    [
        ("get", "calibration", []),
        ("post", "calibration_fit", []),
        ("get", "calibration_run", [1]),
        ("get", "calibration_recommend", []),
        ("post", "calibration_simulate", []),
        ("post", "candidate_stage_policy", []),
        ("post", "candidate_stage_calibrator", [1]),
        ("post", "candidate_promote", [1]),
        ("post", "candidate_rollback", [1]),
    ],
)
def test_reviewers_get_403_and_anonymous_the_sign_in(world, client_for, method, name, args) -> None:  # type: ignore[no-untyped-def]
    url = reverse(f"ops:{name}", args=args)
    assert getattr(client_for(world.reviewer), method)(url).status_code == 403
    assert getattr(client_for(world.stranger), method)(url).status_code == 403  # a reviewer of another tenant
    anonymous = getattr(Client(), method)(url)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"target": "escape", "percent": "nan"}, "percent"),
        ({"target": "escape", "percent": "inf"}, "percent"),
        ({"target": "escape", "percent": "-1"}, "percent"),
        ({"target": "escape", "percent": "2%"}, "percent"),
        ({"target": "recall", "percent": "2"}, "target"),
        ({"target": "escape", "percent": "2", "days": "0"}, "days"),
        ({"target": "escape", "percent": "2", "days": "x"}, "days"),
    ],
)
def test_bad_targets_are_400(world, client_for, params, field) -> None:  # type: ignore[no-untyped-def]
    response = client_for(world.lead).get(
        reverse("ops:calibration_recommend"), {"tenant": world.tenant.slug, **params}, **JSON
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid" and response.json()["error"]["details"]["field"] == field
    html = client_for(world.lead).get(reverse("ops:calibration_recommend"), {"tenant": world.tenant.slug, **params})
    assert html.status_code == 400 and 'id="page-error"' in html.content.decode()


def test_bad_fit_requests(world, client_for) -> None:  # type: ignore[no-untyped-def]
    label_set(world, 16, 16)
    client = client_for(world.lead)
    url = reverse("ops:calibration_fit")
    bad_method = client.post(url, {"tenant": world.tenant.slug, "method": "magic"}, **JSON)
    assert bad_method.status_code == 400 and "isotonic or platt" in bad_method.json()["error"]["message"]
    other_queue = client.post(url, {"tenant": world.tenant.slug, "method": "platt", "queue": "999999"}, **JSON)
    assert other_queue.status_code == 404
    assert client.get(reverse("ops:calibration_run", args=[999999]), **JSON).status_code == 404
    assert client.get(reverse("ops:calibration") + "?run=abc").status_code == 404
