"""Sign-in lockout per account and per client address, with a clear message, and the same
hashing cost for unknown usernames as for known ones."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from django.urls import reverse

from tests.factories import World

LOCKED = b"Too many failed sign-in attempts"


def _password(world: World) -> str:
    return f"pw-{world.reviewer.username}-123!"


def _sign_in(username: str, password: str, address: str = "203.0.113.7"):  # type: ignore[no-untyped-def]
    return Client(REMOTE_ADDR=address).post(reverse("web:login"), {"username": username, "password": password})


@pytest.fixture
def limits(settings):  # type: ignore[no-untyped-def]
    settings.REVIEWQUEUE_LOGIN_FAILURES_PER_ACCOUNT = 3
    settings.REVIEWQUEUE_LOGIN_FAILURES_PER_ADDRESS = 5
    settings.REVIEWQUEUE_LOGIN_LOCKOUT_SECONDS = 600
    return settings


def test_an_account_is_locked_after_repeated_failures_until_the_window_ends(world, limits, clock) -> None:  # type: ignore[no-untyped-def]
    username = world.reviewer.username
    for _ in range(3):
        response = _sign_in(username, "wrong")
        assert response.status_code == 200 and b"Could not sign in" in response.content
        assert LOCKED not in response.content
    # Locked: even the right password is refused, from any address, with the wait named.
    locked = _sign_in(username, _password(world), address="198.51.100.1")
    assert locked.status_code == 200 and LOCKED in locked.content and b"10 minute" in locked.content
    clock.shift(timedelta(seconds=599))
    assert LOCKED in _sign_in(username, _password(world), address="198.51.100.1").content
    clock.shift(timedelta(seconds=1))  # exactly at the end of the window
    assert _sign_in(username, _password(world)).status_code == 302


def test_a_success_resets_the_account_count(world, limits, clock) -> None:  # type: ignore[no-untyped-def]
    username = world.reviewer.username
    for _ in range(2):
        _sign_in(username, "wrong")
    assert _sign_in(username, _password(world)).status_code == 302
    for _ in range(2):
        _sign_in(username, "wrong")
    assert _sign_in(username, _password(world)).status_code == 302


def test_an_address_is_locked_after_failures_across_accounts(world, limits, clock) -> None:  # type: ignore[no-untyped-def]
    for i in range(5):
        _sign_in(f"guess-{i}", "wrong", address="192.0.2.99")
    assert LOCKED in _sign_in(world.reviewer.username, _password(world), address="192.0.2.99").content
    # The account itself is not locked: the same user signs in from elsewhere.
    assert _sign_in(world.reviewer.username, _password(world), address="192.0.2.100").status_code == 302
    clock.shift(timedelta(seconds=601))
    assert _sign_in(world.reviewer.username, _password(world), address="192.0.2.99").status_code == 302


def test_unknown_usernames_are_locked_and_hashed_like_known_ones(world, limits, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    encodes: list[str] = []
    real = MD5PasswordHasher.encode

    def counting(self, password, salt):  # type: ignore[no-untyped-def]
        encodes.append(password)
        return real(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting)
    _sign_in(world.reviewer.username, "wrong-1")
    known = len(encodes)
    _sign_in("nobody-here", "wrong-2")
    assert known >= 1 and len(encodes) - known == known  # ModelBackend hashes a dummy for the unknown user
    for _ in range(2):
        _sign_in("nobody-here", "wrong")
    before = len(encodes)
    assert LOCKED in _sign_in("nobody-here", "wrong").content
    assert len(encodes) == before  # a locked attempt costs no hashing at all


def test_sign_in_works_when_the_cache_is_unreachable(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    assert _sign_in(world.reviewer.username, _password(world)).status_code == 302
