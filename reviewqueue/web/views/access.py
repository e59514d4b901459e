"""What every reviewer page shares: the sign-in guard and the signed-in user."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.http import trigger_client_event

from reviewqueue.errors import DomainError, NotFound
from reviewqueue.review import selectors
from reviewqueue.review.models import ReviewItem


def reviewer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """login_required, except that an htmx request from a signed-out browser (session expired
    while the page was open) must not be redirected: htmx would swap the sign-in page into a
    fragment. It gets a 401 that swaps nothing but a banner, so the page and what the reviewer
    typed stay as they are."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if getattr(request, "htmx", False):
            response = render(request, "web/_signed_out.html", {"login_url": settings.LOGIN_URL}, status=401)
            response["HX-Reswap"] = "none"
            return trigger_client_event(response, "rq:signed-out")
        return redirect_to_login(request.get_full_path())

    return wrapper


def signed_in_user(request: HttpRequest) -> User:
    # Every view here is behind reviewer_required, so this is the signed-in user.
    user = request.user
    assert isinstance(user, User)
    return user


def epoch_ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def load_item(request: HttpRequest, item_id: int) -> ReviewItem:
    """The item if the reviewer may see it; 404 across tenants (no existence leak), Forbidden within."""
    try:
        return selectors.item_for_user(user=request.user, item_id=item_id)
    except NotFound as err:
        raise Http404(err.message) from err


def error_page(request: HttpRequest, err: DomainError) -> HttpResponse:
    return render(request, "web/error.html", {"error": err}, status=err.status)
