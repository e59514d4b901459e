from django.contrib.auth import views as auth_views
from django.urls import path

from reviewqueue.web.forms import ThrottledAuthenticationForm
from reviewqueue.web.views import actions, home, item, queue, recent, second_review

app_name = "web"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html",
            redirect_authenticated_user=True,
            authentication_form=ThrottledAuthenticationForm,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", home.home, name="home"),
    path("queues/stats/", home.home_stats, name="home_stats"),
    path("claim-next/", home.claim_next, name="claim_next"),
    path("me/recent/", recent.recent_work, name="recent"),
    path("queues/<int:queue_id>/", queue.queue_detail, name="queue"),
    path("items/<int:item_id>/claim/", queue.item_claim, name="item_claim"),
    path("items/<int:item_id>/", item.item_detail, name="item"),
    path("items/<int:item_id>/heartbeat/", item.item_heartbeat, name="item_heartbeat"),
    path("items/<int:item_id>/claims/<int:claim_index>/label/", item.claim_label, name="claim_label"),
    path("items/<int:item_id>/approve/", actions.item_approve, name="item_approve"),
    path("items/<int:item_id>/edit/", actions.item_edit, name="item_edit"),
    path("items/<int:item_id>/reject/", actions.item_reject, name="item_reject"),
    path("items/<int:item_id>/escalate/", actions.item_escalate, name="item_escalate"),
    path("items/<int:item_id>/release/", actions.item_release, name="item_release"),
    path("second-reviews/", second_review.second_reviews, name="second_reviews"),
    path("second-reviews/claim-next/", second_review.second_review_claim_next, name="second_review_claim_next"),
    path("second-reviews/<int:review_id>/", second_review.second_review, name="second_review"),
    path("second-reviews/<int:review_id>/submit/", second_review.second_review_submit, name="second_review_submit"),
    path("second-reviews/<int:review_id>/release/", second_review.second_review_release, name="second_review_release"),
    path("me/auto-advance/", actions.preferences_auto_advance, name="preferences_auto_advance"),
]
