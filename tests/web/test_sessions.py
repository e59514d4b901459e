"""Reviewer sessions are Django's database sessions and ModelBackend: what a signed-in reviewer
can do ends with the session, the user or the password."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone


@pytest.fixture
def _logged_in():
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        assert client.get("/api/v1/queues").status_code == 200
        return client

    return make


def test_a_session_request_reads_the_session_and_then_the_user(world, django_assert_num_queries):
    client = Client()
    client.force_login(world.reviewer)
    # Each request also looks the (missing) item up.
    for _ in range(2):
        with django_assert_num_queries(3):  # the session, the user, the item
            client.get("/api/v1/items/999999")


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
