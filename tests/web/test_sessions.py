"""The raw-SQL session and user reads behave as Django's database sessions and ModelBackend.

Each behaviour is checked twice: on a session this process has not read yet (session, then user)
and on one it has (session and user in one statement, joined on the remembered user id).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from reviewqueue.tenancy import sessions
from reviewqueue.tenancy.sessions import UserBackend


@pytest.fixture(params=["unseen", "seen"])
def _logged_in(request):
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        if request.param == "seen":
            assert client.get("/api/v1/queues").status_code == 200  # the process now knows the session
        return client

    return make


def test_a_seen_session_and_its_user_are_one_query(world, django_assert_num_queries):
    client = Client()
    client.force_login(world.reviewer)
    # Each request also looks the (missing) item up.
    with django_assert_num_queries(3):  # the session, then the user
        client.get("/api/v1/items/999999")
    with django_assert_num_queries(2):  # both at once
        client.get("/api/v1/items/999999")


def test_a_wrong_hint_still_gives_the_sessions_own_user(world, _logged_in):
    client = _logged_in(world.reviewer)
    other = User.objects.create_user("someone-else", password="x")
    # The process remembers the wrong user for this session (a key reused after a login elsewhere).
    sessions._user_hints[client.cookies["sessionid"].value] = other.pk
    response = client.get("/api/v1/queues")
    assert response.status_code == 200 and response.wsgi_request.user.pk == world.reviewer.pk


def test_a_deleted_user_is_anonymous(world, _logged_in):
    client = _logged_in(world.reviewer)
    User.objects.filter(pk=world.reviewer.pk).delete()
    assert client.get("/api/v1/queues").status_code in {401, 403}


def test_a_live_session_authenticates_and_logout_ends_it(world, _logged_in):
    client = _logged_in(world.reviewer)
    assert client.get("/api/v1/queues").status_code == 200
    client.post("/logout/")
    assert client.get("/api/v1/queues").status_code in {401, 403}


def test_an_expired_session_is_anonymous(world, _logged_in):
    client = _logged_in(world.reviewer)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/queues").status_code in {401, 403}


def test_a_deactivated_user_is_anonymous_at_once(world, _logged_in):
    client = _logged_in(world.reviewer)
    type(world.reviewer).objects.filter(pk=world.reviewer.pk).update(is_active=False)
    assert client.get("/api/v1/queues").status_code in {401, 403}


def test_a_password_change_ends_other_sessions(world, _logged_in):
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
