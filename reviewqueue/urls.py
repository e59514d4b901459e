from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path

from reviewqueue.api.errors import error_json
from reviewqueue.health import healthz
from reviewqueue.llm.views import AssistView
from reviewqueue.ops.views.metrics import ops_metrics


def api_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return error_json("not_found", "No such endpoint.", 404)


urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # The LLM add-on's endpoint sits beside the core API rather than in it: the API does not
    # depend on the add-on (the add-on builds on the API's permissions and serializers).
    path("api/v1/assist", AssistView.as_view(), name="api-assist"),
    path("api/v1/", include("reviewqueue.api.urls")),
    # The alert pages build on the ops workspace, so they are mounted here, not by ops.
    path("ops/alerts/", include("reviewqueue.alerts.urls")),
    path("ops/", include("reviewqueue.ops.urls")),
    path("metrics", ops_metrics, name="metrics"),
    path("", include("reviewqueue.web.urls")),
]


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_not_found(request, exception)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception or Exception())


def handler500(request: HttpRequest) -> HttpResponse:
    # API callers get the same error body as every other failure, never an HTML page.
    if request.path.startswith("/api/"):
        return error_json("server_error", "Internal server error.", 500)
    from django.views.defaults import server_error

    return server_error(request)
