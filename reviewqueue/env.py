"""Strict readers for settings taken from the environment.

A malformed value must stop the process at start-up with a message naming the variable, not
surface later as a confusing runtime error (healthchecks `settings.py` does the same).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use one of 1/0, true/false).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_float(name: str, default: float, *, low: float, high: float) -> float:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number.") from None
    if not low <= value <= high:
        raise ImproperlyConfigured(f"{name}={value} must be between {low} and {high}.")
    return value


# DRF reads only the first letter of the period; these are the spellings we accept.
_RATE_PERIODS = {"s", "sec", "second", "m", "min", "minute", "h", "hour", "d", "day"}


def env_rate(name: str, default: str) -> str:
    """A throttle rate `N/period` (period s, min, h or day), checked the way DRF will read it."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    count, _, period = raw.strip().partition("/")
    if not count.isdigit() or int(count) < 1 or period not in _RATE_PERIODS:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a rate such as 600/min (periods: s, min, h, day).")
    return f"{int(count)}/{period}"


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _flag(url: str, name: str, raw: str) -> bool:
    if raw.lower() not in {"true", "false", "1", "0"}:
        raise ImproperlyConfigured(f"DATABASE_URL={url!r}: {name}={raw!r} is not true or false.")
    return raw.lower() in {"true", "1"}


def database_from_url(url: str, *, base_dir: Path) -> dict[str, object]:
    """Parse `postgres://user:pass@host:port/name` or `sqlite:///path` into a DATABASES entry."""
    parts = urlsplit(url)
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    if parts.scheme == "sqlite":
        # sqlite:///relative.db, sqlite:////abs/path.db, sqlite://:memory:
        raw_path = parts.path[1:] if parts.path.startswith("/") else parts.path
        if parts.netloc == ":memory:" or raw_path == ":memory:":
            name: str | Path = ":memory:"
        elif not raw_path:
            raise ImproperlyConfigured(f"DATABASE_URL={url!r} names no SQLite file.")
        else:
            path = Path(unquote(raw_path))
            name = path if path.is_absolute() else base_dir / path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the busy timeout
            # instead of one failing with "database is locked" when it upgrades a read lock.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        if not parts.path.strip("/"):
            raise ImproperlyConfigured(f"DATABASE_URL={url!r} names no database.")
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"DATABASE_URL={url!r} has an invalid port.") from None
        raw_age = options.pop("conn_max_age", "60")
        try:
            conn_max_age = int(raw_age)
        except ValueError:
            raise ImproperlyConfigured(
                f"DATABASE_URL={url!r}: conn_max_age={raw_age!r} is not an integer (seconds)."
            ) from None
        # On by default (Django's default is off): with persistent connections, one that died
        # between requests (a database restart, pg_terminate_backend, a proxy's idle cut) would
        # otherwise fail the next request on it with a 500. The check is one `SELECT 1` round trip
        # on the first query of a request (measured in bench/bench_intake.py; README, Limits).
        health_checks = _flag(url, "health_checks", options.pop("health_checks", "true"))
        # Server-side binding lets PostgreSQL keep a plan per statement (prepared after
        # `prepare_threshold` runs on a connection) instead of parsing and planning the hot
        # statements on every request, and spares psycopg quoting each parameter into the SQL.
        # Behind a transaction-pooling PgBouncer older than 1.21, set prepare_threshold=off.
        server_binding = _flag(url, "server_side_binding", options.pop("server_side_binding", "true"))
        raw_threshold = options.pop("prepare_threshold", "5").lower()
        if raw_threshold in {"off", "none"}:
            threshold: int | None = None
        elif raw_threshold.isdigit():
            threshold = int(raw_threshold)
        else:
            raise ImproperlyConfigured(
                f"DATABASE_URL={url!r}: prepare_threshold={raw_threshold!r} is not a number or off."
            )
        # PostgreSQL's JIT compiles a plan when its estimated cost is high, which the ops pages'
        # windowed UNION queries always are: at 1M items it spent about 1 s compiling each one
        # against 0.3-0.7 s running it (bench/bench_ops.py). Off for this app's sessions; a
        # `?options=` in the URL replaces it (libpq's run-time options, e.g. "-c jit=on").
        pg_options = options.pop("options", "-c jit=off")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.strip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": conn_max_age,
            "CONN_HEALTH_CHECKS": health_checks,
            "OPTIONS": {
                **options,
                "options": pg_options,
                "server_side_binding": server_binding,
                "prepare_threshold": threshold if server_binding else None,
            },
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL={url!r}: unsupported scheme {parts.scheme!r} (use postgres:// or sqlite:///)."
    )


def check_broker_url(url: str) -> str:
    scheme = urlsplit(url).scheme
    if scheme not in {"redis", "rediss", "amqp", "pyamqp", "filesystem", "memory", "sqla+sqlite"}:
        raise ImproperlyConfigured(f"CELERY_BROKER_URL={url!r}: unsupported scheme {scheme!r}.")
    return url
