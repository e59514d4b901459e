"""/ops/alerts/: the rule form (errors per field, non-finite numbers refused), its audit events,
the history page, who gets in (lead of the tenant only), and a fixed number of queries."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviewqueue.alerts.models import AlertEvent, AlertRule
from reviewqueue.alerts.services import alert_rule_create, alert_rules_evaluate
from reviewqueue.ops.services import lead_grant
from reviewqueue.review.models import Queue
from tests.factories import make_pending_item, make_user

pytestmark = pytest.mark.django_db


def _form(world, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "tenant": str(world.tenant.pk),
        "name": "Billing backlog",
        "kind": "backlog_depth",
        "queue": str(world.queue.pk),
        "threshold": "25",
        "window_minutes": "60",
        "cooldown_minutes": "30",
        "enabled": "on",
        "webhook_url": "",
        "webhook_format": "slack",
        "email_to": "lead@example.com, ops@example.com\nlead@example.com",
    }
    data.update(overrides)
    return data


def _rule(world, **values) -> AlertRule:  # type: ignore[no-untyped-def]
    base = {"name": "Depth", "kind": "backlog_depth", "threshold": 1.0, "window_minutes": 60, "cooldown_minutes": 5}
    return alert_rule_create(
        acting_user=world.lead, tenant_id=world.tenant.pk, values=base | values, now=timezone.now()
    )


def test_create_and_edit_a_rule_with_its_events(world, client_for, settings) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.lead)
    page = client.get(reverse("alerts:alert_rule_new")).content.decode()
    assert 'name="threshold"' in page and 'type="hidden" name="tenant"' in page and "style=" not in page
    response = client.post(reverse("alerts:alert_rule_new"), _form(world))
    assert response.status_code == 302
    rule = AlertRule.objects.get()
    assert response["Location"] == reverse("alerts:alert_rule", args=[rule.pk])
    assert (rule.tenant_id, rule.kind, rule.queue_id, rule.threshold) == (
        world.tenant.pk,
        "backlog_depth",
        world.queue.pk,
        25,
    )
    assert rule.email_to == ["lead@example.com", "ops@example.com"]  # repeats dropped
    assert rule.webhook_url == "" and rule.webhook_secret == ""
    created = AlertEvent.objects.get(rule=rule)
    assert created.type == "alert.rule.created" and created.actor == world.lead and created.notified_at is None

    # A webhook URL gets a secret, shown to the lead on the rule's page.
    settings.REVIEWQUEUE_WEBHOOK_ALLOW_PRIVATE = True
    url = reverse("alerts:alert_rule", args=[rule.pk])
    assert client.post(url, _form(world, webhook_url="http://127.0.0.1:9/hook", threshold="30")).status_code == 302
    rule.refresh_from_db()
    assert rule.threshold == 30 and len(rule.webhook_secret) == 64
    changed = AlertEvent.objects.filter(rule=rule, type="alert.rule.updated").get()
    assert changed.data["before"] == {"threshold": 25.0, "webhook_url": ""}
    assert changed.data["after"] == {"threshold": 30.0, "webhook_url": "http://127.0.0.1:9/hook"}
    html = client.get(url).content.decode()
    assert rule.webhook_secret in html and "alert.rule.updated" in html
    # The same values again change nothing and write no event; the secret stays.
    secret = rule.webhook_secret
    client.post(url, _form(world, webhook_url="http://127.0.0.1:9/hook", threshold="30"))
    rule.refresh_from_db()
    assert AlertEvent.objects.filter(rule=rule).count() == 2 and rule.webhook_secret == secret


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"threshold": "nan"}, "threshold", "Enter a number"),
        ({"threshold": "inf"}, "threshold", "Enter a number"),
        ({"threshold": "-Infinity"}, "threshold", "Enter a number"),
        ({"threshold": "1e999"}, "threshold", "Enter a number"),
        ({"threshold": "abc"}, "threshold", "Enter a number"),
        ({"threshold": ""}, "threshold", "This field is required"),
        ({"threshold": "-1"}, "threshold", "greater than or equal to 0"),
        ({"threshold": "0"}, "threshold", "between 1 and 1e+09"),
        ({"kind": "scoring_failure_rate", "queue": "", "threshold": "150"}, "threshold", "between 0.01 and 100"),
        ({"kind": "drift_psi"}, "queue", "leave the queue empty"),
        ({"kind": "explode"}, "kind", "Select a valid choice"),
        ({"window_minutes": "0"}, "window_minutes", "greater than or equal to 1"),
        ({"window_minutes": "2.5"}, "window_minutes", "Enter a whole number"),
        ({"window_minutes": "99999999"}, "window_minutes", "less than or equal to 43200"),
        ({"cooldown_minutes": "-1"}, "cooldown_minutes", "greater than or equal to 0"),
        ({"cooldown_minutes": "1e3"}, "cooldown_minutes", "Enter a whole number"),
        ({"email_to": "lead@example.com, not-an-address"}, "email_to", "Not an e-mail address: not-an-address"),
        ({"email_to": ",".join(f"p{n}@example.com" for n in range(21))}, "email_to", "At most 20 addresses"),
        ({"webhook_url": "ftp://example.com/x"}, "webhook_url", "Use an http:// or https:// URL"),
        ({"webhook_url": "http://127.0.0.1/hook"}, "webhook_url", "not a public address"),
        ({"webhook_format": "xml"}, "webhook_format", "Select a valid choice"),
        ({"name": ""}, "name", "This field is required"),
        ({"queue": "999999"}, "queue", "Select a valid choice"),
    ],
)
def test_errors_are_shown_per_field(world, client_for, overrides, field, message) -> None:  # type: ignore[no-untyped-def]
    response = client_for(world.lead).post(reverse("alerts:alert_rule_new"), _form(world, **overrides))
    assert response.status_code == 400
    html = response.content.decode()
    block = html.split(f'data-field="{field}"', 1)[1].split('<div class="field', 1)[0]
    assert message in block and 'aria-invalid="true"' in block
    assert not AlertRule.objects.exists() and not AlertEvent.objects.exists()


def test_edit_errors_leave_the_rule_unchanged(world, client_for) -> None:  # type: ignore[no-untyped-def]
    rule = _rule(world)
    url = reverse("alerts:alert_rule", args=[rule.pk])
    response = client_for(world.lead).post(url, _form(world, threshold="Infinity"))
    assert response.status_code == 400
    rule.refresh_from_db()
    assert rule.threshold == 1 and AlertEvent.objects.filter(rule=rule).count() == 1


def test_another_tenants_queue_and_tenant_are_refused(world, client_for) -> None:  # type: ignore[no-untyped-def]
    other_queue = Queue.objects.get(tenant=world.other_tenant)
    client = client_for(world.lead)
    response = client.post(reverse("alerts:alert_rule_new"), _form(world, queue=str(other_queue.pk)))
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    response = client.post(reverse("alerts:alert_rule_new"), _form(world, tenant=str(world.other_tenant.pk)))
    assert response.status_code == 400
    assert not AlertRule.objects.exists()


PAGES = ["alerts:alert_rules", "alerts:alert_rule_new", "alerts:alert_history"]


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_sign_in(world, page) -> None:  # type: ignore[no-untyped-def]
    response = Client().get(reverse(page))
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/ops/alerts/")


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("persona", ["reviewer", "other_reviewer", "outsider", "stranger"])
def test_non_leads_get_403(world, client_for, page, persona) -> None:  # type: ignore[no-untyped-def]
    assert client_for(getattr(world, persona)).get(reverse(page)).status_code == 403


@pytest.mark.parametrize("persona", ["reviewer", "stranger"])
def test_non_leads_cannot_create_or_edit(world, client_for, persona) -> None:  # type: ignore[no-untyped-def]
    rule = _rule(world)
    client = client_for(getattr(world, persona))
    assert client.post(reverse("alerts:alert_rule_new"), _form(world)).status_code == 403
    assert client.post(reverse("alerts:alert_rule", args=[rule.pk]), _form(world, threshold="99")).status_code == 403
    assert Client().post(reverse("alerts:alert_rule", args=[rule.pk]), _form(world)).status_code == 302  # sign in
    rule.refresh_from_db()
    assert rule.threshold == 1 and AlertRule.objects.count() == 1


def test_another_tenants_lead_sees_nothing(world, client_for) -> None:  # type: ignore[no-untyped-def]
    rule = _rule(world)
    make_pending_item(world)
    alert_rules_evaluate(now=timezone.now())
    other_lead = make_user("globex-lead", world.other_tenant)
    lead_grant(user=other_lead, tenant=world.other_tenant)
    client = client_for(other_lead)
    url = reverse("alerts:alert_rule", args=[rule.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _form(world, tenant=str(world.other_tenant.pk), queue="")).status_code == 404
    assert client.get(reverse("alerts:alert_history") + f"?rule={rule.pk}").status_code == 404
    assert "Depth" not in client.get(reverse("alerts:alert_rules")).content.decode()
    history = client.get(reverse("alerts:alert_history")).content.decode()
    assert "alert.fired" not in history and 'data-type="alert.fired"' not in history
    rule.refresh_from_db()
    assert rule.threshold == 1


@pytest.mark.parametrize("query", ["?rule=abc", "?rule=999999", "?rule=-1"])
def test_history_bad_rule_filter_is_404(world, client_for, query) -> None:  # type: ignore[no-untyped-def]
    assert client_for(world.lead).get(reverse("alerts:alert_history") + query).status_code == 404


def test_unknown_rule_is_404(world, client_for) -> None:  # type: ignore[no-untyped-def]
    assert client_for(world.lead).get(reverse("alerts:alert_rule", args=[999999])).status_code == 404


def test_rules_page_shows_state_and_history_shows_episodes(world, client_for, clock) -> None:  # type: ignore[no-untyped-def]
    rule = _rule(world, email_to=["lead@example.com"])
    make_pending_item(world)
    alert_rules_evaluate(now=timezone.now())
    client = client_for(world.lead)
    rules = client.get(reverse("alerts:alert_rules")).content.decode()
    assert f'data-rule="{rule.pk}" data-state="firing"' in rules and "e-mail (1)" in rules
    history = client.get(reverse("alerts:alert_history")).content.decode()
    assert 'data-type="alert.fired"' in history and 'data-type="alert.rule.created"' in history
    assert "pending" in history  # not yet delivered


def _many(world, n: int) -> None:  # type: ignore[no-untyped-def]
    for k in range(n):
        rule = _rule(world, name=f"rule {k}", queue=world.queue, email_to=["a@example.com"])
        rule.refresh_from_db()
    make_pending_item(world)
    alert_rules_evaluate(now=timezone.now())


@pytest.mark.parametrize("page", PAGES)
def test_query_count_does_not_grow_with_rules(world, client_for, django_assert_num_queries, page) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.lead)
    _many(world, 1)
    client.get(reverse(page))  # warm the session
    with django_assert_num_queries(QUERIES[page]):
        assert client.get(reverse(page)).status_code == 200
    _many(world, 5)
    with django_assert_num_queries(QUERIES[page]):
        assert client.get(reverse(page)).status_code == 200


# Session + user (2), the lead check (1), then the page's own: rules with tenant and queue (1);
# the form's queue choices (1: with one lead tenant, the tenant is a hidden field); the history's
# count and rows with rule, queue, tenant and actor (2).
QUERIES = {"alerts:alert_rules": 4, "alerts:alert_rule_new": 4, "alerts:alert_history": 5}


def test_rule_page_query_count(world, client_for, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    rule = _rule(world, queue=world.queue)
    client = client_for(world.lead)
    url = reverse("alerts:alert_rule", args=[rule.pk])
    client.get(url)
    # Session, user, lead check, the rule, the queue choices, the rule's events: count and rows.
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


def test_a_lead_of_two_tenants_picks_the_tenant_and_its_queue(world, client_for) -> None:  # type: ignore[no-untyped-def]
    lead_grant(user=world.lead, tenant=world.other_tenant)
    other_queue = Queue.objects.get(tenant=world.other_tenant)
    client = client_for(world.lead)
    page = client.get(reverse("alerts:alert_rule_new")).content.decode()
    assert '<select name="tenant"' in page and "Globex · support" in page
    # Tenant A with tenant B's queue: refused on the queue field by the model's check.
    response = client.post(reverse("alerts:alert_rule_new"), _form(world, queue=str(other_queue.pk)))
    assert response.status_code == 400
    block = response.content.decode().split('data-field="queue"', 1)[1].split('<div class="field', 1)[0]
    assert "Choose a queue of the rule" in block and not AlertRule.objects.exists()
    response = client.post(
        reverse("alerts:alert_rule_new"), _form(world, tenant=str(world.other_tenant.pk), queue=str(other_queue.pk))
    )
    assert response.status_code == 302
    assert AlertRule.objects.get().tenant_id == world.other_tenant.pk
