"""The page a browser gets when a form's CSRF check fails (CSRF_FAILURE_VIEW).

Django's own page styles itself with an inline <style>, which the Content-Security-Policy
refuses; this one is the site's layout with its static stylesheet, and says what to do.
(JSON API calls never get here: DRF checks CSRF itself and answers with the error body.)
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "web/csrf_failure.html", status=403)
