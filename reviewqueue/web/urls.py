from django.contrib.auth import views as auth_views
from django.urls import path

from reviewqueue.web import views
from reviewqueue.web.forms import ThrottledAuthenticationForm

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
    path("", views.home, name="home"),
    path("queues/stats/", views.home_stats, name="home_stats"),
    path("claim-next/", views.claim_next, name="claim_next"),
    path("me/recent/", views.recent_work, name="recent"),
    path("items/<int:item_id>/", views.item_detail, name="item"),
    path("items/<int:item_id>/heartbeat/", views.item_heartbeat, name="item_heartbeat"),
    path("items/<int:item_id>/claims/<int:claim_index>/label/", views.claim_label, name="claim_label"),
    path("items/<int:item_id>/<slug:action>/", views.item_action, name="item_action"),
]
