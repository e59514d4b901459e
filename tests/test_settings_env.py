"""Strict settings: a malformed environment variable stops start-up with a message naming it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from reviewqueue.env import (
    check_broker_url,
    database_from_url,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_str,
)

BASE = Path("/srv/app")


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1", True),
        ("TRUE", True),
        (" yes ", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("", False),
    ],
)
def test_env_bool_accepts(monkeypatch, raw, value):
    monkeypatch.setenv("RQ_FLAG", raw)
    assert env_bool("RQ_FLAG", default=not value) is value


@pytest.mark.parametrize("raw", ["maybe", "2", "yes please", "tru"])
def test_env_bool_refuses(monkeypatch, raw):
    monkeypatch.setenv("RQ_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match=r"RQ_FLAG=.* is not a boolean"):
        env_bool("RQ_FLAG", default=False)


def test_env_defaults_when_unset(monkeypatch):
    monkeypatch.delenv("RQ_UNSET", raising=False)
    assert env_bool("RQ_UNSET", default=True) is True
    assert env_int("RQ_UNSET", 7) == 7
    assert env_float("RQ_UNSET", 0.5, low=0, high=1) == 0.5
    assert env_str("RQ_UNSET") is None and env_str("RQ_UNSET", "d") == "d"
    assert env_list("RQ_UNSET", ["a"]) == ["a"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("ten", "is not an integer"),
        ("1.5", "is not an integer"),
        ("", "is not an integer"),
        ("3", "must be at least 5"),
    ],
)
def test_env_int_refuses(monkeypatch, raw, message):
    monkeypatch.setenv("RQ_INT", raw)
    with pytest.raises(ImproperlyConfigured, match=f"RQ_INT.*{message}"):
        env_int("RQ_INT", 10, minimum=5)


def test_env_int_accepts(monkeypatch):
    monkeypatch.setenv("RQ_INT", "42")
    assert env_int("RQ_INT", 10, minimum=5) == 42


@pytest.mark.parametrize(
    ("raw", "message"),
    [("x", "is not a number"), ("1.5", "must be between"), ("nan", "must be between"), ("-inf", "must be between")],
)
def test_env_float_refuses(monkeypatch, raw, message):
    monkeypatch.setenv("RQ_FLOAT", raw)
    with pytest.raises(ImproperlyConfigured, match=f"RQ_FLOAT.*{message}"):
        env_float("RQ_FLOAT", 0.8, low=0.05, high=0.99)


def test_env_list(monkeypatch):
    monkeypatch.setenv("RQ_LIST", " a.example , b.example,, ")
    assert env_list("RQ_LIST", []) == ["a.example", "b.example"]


def test_database_url_postgres():
    db = database_from_url(
        "postgres://app:p%40ss@db.internal:6543/review?sslmode=require&conn_max_age=0", base_dir=BASE
    )
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "review",
        "app",
        "p@ss",
        "db.internal",
        "6543",
    )
    assert db["CONN_MAX_AGE"] == 0
    assert db["OPTIONS"] == {
        "sslmode": "require",
        "options": "-c jit=off",
        "server_side_binding": True,
        "prepare_threshold": 5,
    }
    assert db["CONN_HEALTH_CHECKS"] is True  # a dropped connection must not fail a request


@pytest.mark.parametrize(
    ("query", "binding", "threshold"),
    [
        ("", True, 5),
        ("?prepare_threshold=0", True, 0),
        ("?prepare_threshold=off", True, None),
        ("?server_side_binding=false", False, None),  # client-side binding cannot prepare
    ],
)
def test_database_url_binding_and_prepared_statements(query, binding, threshold):
    db = database_from_url(f"postgres://u@h/db{query}", base_dir=BASE)
    assert db["OPTIONS"] == {"options": "-c jit=off", "server_side_binding": binding, "prepare_threshold": threshold}


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("1", True), ("FALSE", False), ("0", False)])
def test_database_url_health_checks(value, expected):
    db = database_from_url(f"postgres://u@h/db?health_checks={value}", base_dir=BASE)
    assert db["CONN_HEALTH_CHECKS"] is expected


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("sqlite:///var/db.sqlite3", BASE / "var/db.sqlite3"),
        ("sqlite:////tmp/abs.sqlite3", Path("/tmp/abs.sqlite3")),
        ("sqlite://:memory:", ":memory:"),
    ],
)
def test_database_url_sqlite(url, name):
    db = database_from_url(url, base_dir=BASE)
    assert db["ENGINE"] == "django.db.backends.sqlite3" and db["NAME"] == name


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/db", "unsupported scheme 'mysql'"),
        ("not a url", "unsupported scheme ''"),
        ("postgres://u@h:5432/", "names no database"),
        ("postgres://u@h:port/db", "invalid port"),
        ("postgres://u@h:99999/db", "invalid port"),
        ("postgres://u@h/db?conn_max_age=forever", "conn_max_age"),
        ("postgres://u@h/db?health_checks=sometimes", "health_checks"),
        ("postgres://u@h/db?server_side_binding=yes", "server_side_binding"),
        ("postgres://u@h/db?prepare_threshold=-1", "prepare_threshold"),
        ("sqlite:///", "names no SQLite file"),
    ],
)
def test_database_url_refuses(url, message):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL") as exc:
        database_from_url(url, base_dir=BASE)
    assert message in str(exc.value)


def test_broker_url_scheme_is_checked():
    assert check_broker_url("redis://localhost:6379/0") == "redis://localhost:6379/0"
    with pytest.raises(ImproperlyConfigured, match="CELERY_BROKER_URL='kafka://x'"):
        check_broker_url("kafka://x")


# --- start-up, as an operator would meet it -----------------------------------------------
@pytest.mark.parametrize(
    ("var", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG='maybe' is not a boolean"),
        (
            "DATABASE_URL",
            "postgresql://u@h:notaport/db",
            "DATABASE_URL='postgresql://u@h:notaport/db' has an invalid port",
        ),
        ("REVIEWQUEUE_MAX_BODY_BYTES", "1MB", "REVIEWQUEUE_MAX_BODY_BYTES='1MB' is not an integer"),
        ("REVIEWQUEUE_KEY_TOUCH_SECONDS", "-1", "REVIEWQUEUE_KEY_TOUCH_SECONDS=-1 must be at least 0"),
        ("SECRET_KEY", "short", "SECRET_KEY must be at least 32 characters long"),
        ("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto", "use META_NAME,value"),
        ("SECURE_HSTS_SECONDS", "a year", "SECURE_HSTS_SECONDS='a year' is not an integer"),
        ("REVIEWQUEUE_DISPATCH_EXPIRES_SECONDS", "7200", "must be below the broker's visibility timeout"),
        ("REVIEWQUEUE_BROKER_TIMEOUT_SECONDS", "0", "REVIEWQUEUE_BROKER_TIMEOUT_SECONDS=0.0 must be between"),
    ],
)
def test_django_setup_fails_with_a_clear_message(var, value, message):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update({"DJANGO_SETTINGS_MODULE": "reviewqueue.settings", "SECRET_KEY": "s" * 40, var: value})
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert message in last_line


def test_production_without_secret_key_refuses_to_start():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update({"DJANGO_SETTINGS_MODULE": "reviewqueue.settings", "DEBUG": "0", "DATABASE_URL": "postgres://u@h/db"})
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


# --- gunicorn.conf.py ------------------------------------------------------------------------
def _gunicorn_conf(monkeypatch, **env: str) -> dict:
    import runpy

    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(Path(__file__).resolve().parents[1] / "gunicorn.conf.py"))


def test_gunicorn_conf_defaults_and_overrides(monkeypatch):
    conf = _gunicorn_conf(monkeypatch)
    assert conf["worker_class"] == "gthread" and conf["keepalive"] > 0 and conf["threads"] == 4
    assert conf["workers"] == min(max(len(os.sched_getaffinity(0)), 2), 8)
    conf = _gunicorn_conf(monkeypatch, WEB_CONCURRENCY="6", GUNICORN_THREADS="2")
    assert (conf["workers"], conf["threads"]) == (6, 2)


@pytest.mark.parametrize("value", ["many", "0", "-2", "1000"])
def test_gunicorn_conf_refuses_bad_counts(monkeypatch, value):
    with pytest.raises(SystemExit, match=f"WEB_CONCURRENCY='{value}' is not a whole number"):
        _gunicorn_conf(monkeypatch, WEB_CONCURRENCY=value)
