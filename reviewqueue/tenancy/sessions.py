"""Reviewer sessions and users, read without compiling ORM queries on every request.

Every reviewer API call and page loads the session and then the user. Through the ORM each of
those costs more CPU to compile than to run, which bounded how many claims a web process can
serve. These read the same tables and rows, in raw SQL through reviewqueue.rows; everything
else (writes, expiry, the session auth hash check) is Django's own.

    SESSION_ENGINE = "reviewqueue.tenancy.sessions"
    AUTHENTICATION_BACKENDS = ["reviewqueue.tenancy.sessions.UserBackend"]
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from reviewqueue import rows

_SESSION_SQL = "SELECT session_data FROM django_session WHERE session_key = %s AND expire_date > %s"
# The two timestamps are left deferred: no request reads them (login writes last_login through the
# ORM), and loading a timestamptz is Python code in Django's loader.
_USER_DEFER: rows.Defer = ("last_login", "date_joined")
_USER_SQL = f"SELECT {rows.columns(User, 'u', _USER_DEFER)} FROM auth_user AS u WHERE u.id = %s"  # noqa: S608


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        with connection.cursor() as cursor:
            cursor.execute(_SESSION_SQL, [self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        # load() reads only session_data from what this returns.
        return Session(session_key=self._session_key or "", session_data=row[0])


class UserBackend(ModelBackend):
    """ModelBackend (password login, permissions) with a raw-SQL get_user."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        with connection.cursor() as cursor:
            cursor.execute(_USER_SQL, [pk])
            row = cursor.fetchone()
        if row is None:
            return None
        user = rows.from_row(User, row, _USER_DEFER)
        return user if self.user_can_authenticate(user) else None
