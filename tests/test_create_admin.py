"""`manage.py create_admin`: the first admin of a real install; idempotent; the password once."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("create_admin", *args, stdout=out)
    return out.getvalue()


def test_creates_a_superuser_with_a_generated_password_shown_once(db, monkeypatch):
    monkeypatch.delenv("REVIEWQUEUE_ADMIN_PASSWORD", raising=False)
    out = run("--username", "boss", "--email", "boss@example.com")
    password = out.split("copy it now): ", 1)[1].strip()
    user = User.objects.get(username="boss")
    assert user.is_superuser and user.is_staff and user.email == "boss@example.com"
    assert user.check_password(password) and len(password) >= 20
    # Again: nothing changes and no password is printed.
    again = run("--username", "boss")
    assert "unchanged" in again and "copy it now" not in again
    assert User.objects.get(username="boss").check_password(password)


def test_takes_the_password_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("REVIEWQUEUE_ADMIN_PASSWORD", "a-long-enough-Passphrase-42")
    out = run()
    assert "copy it now" not in out
    assert User.objects.get(username="admin").check_password("a-long-enough-Passphrase-42")


def test_a_weak_password_from_the_environment_is_refused(db, monkeypatch):
    monkeypatch.setenv("REVIEWQUEUE_ADMIN_PASSWORD", "123")
    with pytest.raises(CommandError, match="REVIEWQUEUE_ADMIN_PASSWORD is refused"):
        run()
    assert not User.objects.exists()
