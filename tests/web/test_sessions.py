"""The raw-SQL session and user reads behave as Django's database sessions and ModelBackend."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from reviewqueue.tenancy.sessions import UserBackend


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_live_session_authenticates_and_logout_ends_it(world):
    client = _logged_in(world.reviewer)
    assert client.get("/api/v1/queues").status_code == 200
    client.post("/logout/")
    assert client.get("/api/v1/queues").status_code in {401, 403}


def test_an_expired_session_is_anonymous(world):
    client = _logged_in(world.reviewer)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/queues").status_code in {401, 403}


def test_a_deactivated_user_is_anonymous_at_once(world):
    client = _logged_in(world.reviewer)
    type(world.reviewer).objects.filter(pk=world.reviewer.pk).update(is_active=False)
    assert client.get("/api/v1/queues").status_code in {401, 403}


def test_a_password_change_ends_other_sessions(world):
    client = _logged_in(world.reviewer)
    world.reviewer.set_password("a-new-password-123!")
    world.reviewer.save()
    assert client.get("/api/v1/queues").status_code in {401, 403}


def test_get_user_refuses_junk_and_unknown_ids(world):
    backend = UserBackend()
    assert backend.get_user("not-a-number") is None and backend.get_user(None) is None
    assert backend.get_user(10**9) is None
    user = backend.get_user(str(world.reviewer.pk))
    assert user is not None and user.pk == world.reviewer.pk and user.username == world.reviewer.username
