"""Reviewer sessions and users, read without compiling ORM queries on every request.

Every reviewer API call and page loads the session and then the user. Through the ORM each of
those costs more CPU to compile than to run, which bounded how many claims a web process can
serve. These read the same tables and rows, in raw SQL through reviewqueue.rows; everything
else (writes, expiry, the session auth hash check) is Django's own.

Once this process has seen a session, it reads the session and its user in one round trip: the
user id the session held last time picks the user row to join. That id is only a hint. The
session data is still decoded and verified as always, and the joined row is used only if the
session still names that user; otherwise get_user reads the user on its own.

    SESSION_ENGINE = "reviewqueue.tenancy.sessions"
    AUTHENTICATION_BACKENDS = ["reviewqueue.tenancy.sessions.UserBackend"]
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from reviewqueue import rows

# The two timestamps are left deferred: no request reads them (login writes last_login through the
# ORM), and loading a timestamptz is Python code in Django's loader.
_USER_DEFER: rows.Defer = ("last_login", "date_joined")
_SESSION_SQL = "SELECT session_data FROM django_session WHERE session_key = %s AND expire_date > %s"
_USER_SQL = f"SELECT {rows.columns(User, 'u', _USER_DEFER)} FROM auth_user AS u WHERE u.id = %s"  # noqa: S608
_SESSION_AND_USER_SQL = (
    f"SELECT s.session_data, {rows.columns(User, 'u', _USER_DEFER)} FROM django_session AS s"  # noqa: S608
    " LEFT JOIN auth_user AS u ON u.id = %s WHERE s.session_key = %s AND s.expire_date > %s"
)

MAX_HINTS = 10_000
# Session key -> the user id its data held when this process last decoded it.
_user_hints: dict[str, int] = {}
# The user row read along with this request's session: (user id, the user or None if no such row).
# Per request: a thread's (or an async task's) own context, reset by every session read.
_joined_user: ContextVar[tuple[int, User | None] | None] = ContextVar("reviewqueue_joined_user", default=None)


def _user_id(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        _joined_user.set(None)
        hint = _user_hints.get(self.session_key) if self.session_key else None
        with connection.cursor() as cursor:
            if hint is None:
                cursor.execute(_SESSION_SQL, [self.session_key, timezone.now()])
            else:
                cursor.execute(_SESSION_AND_USER_SQL, [hint, self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        if hint is not None:
            user_row = row[1:]
            # The LEFT JOIN's NULL id: the user is gone, and get_user must say so.
            _joined_user.set((hint, None if user_row[0] is None else rows.from_row(User, user_row, _USER_DEFER)))
        # load() reads only session_data from what this returns.
        return Session(session_key=self._session_key or "", session_data=row[0])

    def load(self) -> dict[str, Any]:
        data: dict[str, Any] = super().load()
        user_id = _user_id(data.get(SESSION_KEY))
        if self.session_key and user_id is not None and _user_hints.get(self.session_key) != user_id:
            if len(_user_hints) >= MAX_HINTS:
                _user_hints.clear()  # hints only save a round trip; losing them costs one each
            _user_hints[self.session_key] = user_id
        return data


class UserBackend(ModelBackend):
    """ModelBackend (password login, permissions) with a raw-SQL get_user."""

    def get_user(self, user_id: Any) -> User | None:
        pk = _user_id(user_id)
        if pk is None:
            return None
        joined = _joined_user.get()
        if joined is not None and joined[0] == pk:
            _joined_user.set(None)  # one request's row, used once
            user = joined[1]
        else:
            with connection.cursor() as cursor:
                cursor.execute(_USER_SQL, [pk])
                row = cursor.fetchone()
            user = None if row is None else rows.from_row(User, row, _USER_DEFER)
        return user if user is not None and self.user_can_authenticate(user) else None
