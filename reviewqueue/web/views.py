from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from reviewqueue.review import selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    stats = selectors.queue_stats(queues=selectors.queues_for_user(request.user), now=timezone.now(),
                                  warning_fraction=settings.REVIEWQUEUE_SLA_WARNING_FRACTION)
    return render(request, "web/home.html", {"stats": stats})
