"""/metrics — Prometheus text format, behind a bearer token (REVIEWQUEUE_METRICS_TOKEN).

No token configured → 403 for everyone: an installation opts in. The figures cover every
tenant: this is the operator's endpoint, not a lead's page.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from reviewqueue.ops.metrics import metrics_registry


@require_GET
def ops_metrics(request: HttpRequest) -> HttpResponse:
    token = settings.REVIEWQUEUE_METRICS_TOKEN
    if not token:
        return HttpResponse("Metrics are off: set REVIEWQUEUE_METRICS_TOKEN.\n", status=403, content_type="text/plain")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        response = HttpResponse("A bearer token is required.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body = generate_latest(metrics_registry(now=timezone.now()))
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
