"""The alert pages, under /ops/alerts/ beside the ops workspace (they build on its access checks
and figures, so the ops URLconf does not import them: `reviewqueue/urls.py` mounts both)."""

from django.urls import path

from reviewqueue.alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.alert_rules, name="alert_rules"),
    path("new/", views.alert_rule_new, name="alert_rule_new"),
    path("history/", views.alert_history, name="alert_history"),
    path("<int:rule_id>/", views.alert_rule_edit, name="alert_rule"),
]
