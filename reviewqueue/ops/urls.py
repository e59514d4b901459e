from django.urls import path

from reviewqueue.alerts import views as alerts
from reviewqueue.ops.views import drift, floor, item, policies, queues, reviewers, routing, sla

app_name = "ops"

urlpatterns = [
    path("", floor.ops_floor, name="floor"),
    path("floor/live/", floor.ops_floor_live, name="floor_live"),
    path("items/<int:item_id>/", item.ops_item, name="item"),
    path("items/<int:item_id>/force-release/", floor.ops_item_force_release, name="item_force_release"),
    path("sla/", sla.ops_sla, name="sla"),
    path("reviewers/", reviewers.ops_reviewers, name="reviewers"),
    path("routing/", routing.ops_routing, name="routing"),
    path("drift/", drift.ops_drift, name="drift"),
    path("queues/<int:queue_id>/settings/", queues.ops_queue_settings, name="queue_settings"),
    path("policies/", policies.ops_policies, name="policies"),
    path("policies/publish/", policies.ops_policy_publish, name="policy_publish"),
    path("alerts/", alerts.alert_rules, name="alert_rules"),
    path("alerts/new/", alerts.alert_rule_new, name="alert_rule_new"),
    path("alerts/history/", alerts.alert_history, name="alert_history"),
    path("alerts/<int:rule_id>/", alerts.alert_rule_edit, name="alert_rule"),
]
