from django.urls import path

from reviewqueue.api import docs, views

app_name = "api"

urlpatterns = [
    path("drafts", views.DraftCreateView.as_view(), name="draft-create"),
    path("drafts/<int:draft_id>", views.DraftDetailView.as_view(), name="draft-detail"),
    path("drafts/<int:draft_id>/feedback", views.DraftFeedbackView.as_view(), name="draft-feedback"),
    path("labels", views.LabelExportView.as_view(), name="labels"),
    path("queues", views.QueueListView.as_view(), name="queue-list"),
    path("items/claim-next", views.ClaimNextView.as_view(), name="item-claim-next"),
    path("items/<int:item_id>", views.ItemDetailView.as_view(), name="item-detail"),
    path("items/<int:item_id>/claim", views.ClaimView.as_view(), name="item-claim"),
    path("items/<int:item_id>/heartbeat", views.HeartbeatView.as_view(), name="item-heartbeat"),
    path("items/<int:item_id>/release", views.ReleaseView.as_view(), name="item-release"),
    path("items/<int:item_id>/submit", views.SubmitView.as_view(), name="item-submit"),
    path("items/<int:item_id>/escalate", views.EscalateView.as_view(), name="item-escalate"),
    path("schema", docs.schema_view, name="schema"),
    path("docs", docs.docs_view, name="docs"),
    path("redoc", docs.redoc_view, name="redoc"),
]
