from django.urls import path

from reviewqueue.ops.views import (
    agreement,
    calibration,
    drift,
    escape,
    floor,
    golden,
    item,
    policies,
    queues,
    reviewers,
    routing,
    sla,
)

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
    path("agreement/", agreement.ops_agreement, name="agreement"),
    path("agreement/<int:review_id>/adjudicate/", agreement.ops_adjudicate, name="adjudicate"),
    path("agreement/queues/<int:queue_id>/share/", agreement.ops_double_review_share, name="double_review_share"),
    path("golden/", golden.ops_golden, name="golden"),
    path("golden/upload/", golden.ops_golden_upload, name="golden_upload"),
    path("golden/evaluate/", golden.ops_golden_evaluate, name="golden_evaluate"),
    path("golden/tolerance/", golden.ops_golden_tolerance, name="golden_tolerance"),
    path("golden/promote/<int:draft_id>/", golden.ops_golden_promote, name="golden_promote"),
    path("calibration/", calibration.ops_calibration, name="calibration"),
    path("calibration/fit/", calibration.ops_calibration_fit, name="calibration_fit"),
    path("calibration/runs/<int:run_id>/", calibration.ops_calibration_run, name="calibration_run"),
    path("calibration/recommend/", calibration.ops_calibration_recommend, name="calibration_recommend"),
    path("calibration/simulate/", calibration.ops_calibration_simulate, name="calibration_simulate"),
    path(
        "calibration/calibrators/<int:calibrator_id>/shadow/",
        calibration.ops_candidate_stage_calibrator,
        name="candidate_stage_calibrator",
    ),
    path("calibration/candidates/policy/", calibration.ops_candidate_stage_policy, name="candidate_stage_policy"),
    path(
        "calibration/candidates/<int:candidate_id>/promote/",
        calibration.ops_candidate_promote,
        name="candidate_promote",
    ),
    path(
        "calibration/candidates/<int:candidate_id>/rollback/",
        calibration.ops_candidate_rollback,
        name="candidate_rollback",
    ),
]
