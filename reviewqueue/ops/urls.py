from django.urls import path

from reviewqueue.ops.views import drift, escape, floor, item, policies, queues, reviewers, routing, sla

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
    path("escape/", escape.ops_escape, name="escape"),
    path("queues/<int:queue_id>/settings/", queues.ops_queue_settings, name="queue_settings"),
    path("policies/", policies.ops_policies, name="policies"),
    path("policies/publish/", policies.ops_policy_publish, name="policy_publish"),
]
