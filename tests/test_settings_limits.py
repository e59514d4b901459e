"""Settings of the limits and throttling block: strict parsing and the shared cache."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from reviewqueue.env import env_rate

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("raw", "value"), [("600/min", "600/min"), (" 5/s", "5/s"), ("10/day", "10/day")])
def test_env_rate_accepts(monkeypatch, raw, value):
    monkeypatch.setenv("RQ_RATE", raw)
    assert env_rate("RQ_RATE", "1/s") == value


@pytest.mark.parametrize("raw", ["600", "lots/min", "0/min", "-1/min", "10/fortnight", "10/ min", ""])
def test_env_rate_refuses(monkeypatch, raw):
    monkeypatch.setenv("RQ_RATE", raw)
    with pytest.raises(ImproperlyConfigured, match=r"RQ_RATE=.* is not a rate"):
        env_rate("RQ_RATE", "1/s")


def _setup(**env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    full.update({"DJANGO_SETTINGS_MODULE": "reviewqueue.settings", "SECRET_KEY": "s" * 40, **env})
    code = "import django; django.setup(); from django.conf import settings as s; print(s.CACHES['default']['BACKEND'])"
    return subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, timeout=60, cwd=ROOT)


@pytest.mark.parametrize(
    ("var", "value", "message"),
    [
        ("REVIEWQUEUE_API_RATE_PER_CLIENT", "lots", "REVIEWQUEUE_API_RATE_PER_CLIENT='lots' is not a rate"),
        ("REVIEWQUEUE_LOGIN_FAILURES_PER_ACCOUNT", "0", "REVIEWQUEUE_LOGIN_FAILURES_PER_ACCOUNT=0 must be at least 1"),
        ("REVIEWQUEUE_WEBHOOK_ALLOW_PRIVATE", "maybe", "is not a boolean"),
        ("REVIEWQUEUE_CACHE_URL", "memcached://x", "REVIEWQUEUE_CACHE_URL='memcached://x'"),
    ],
)
def test_bad_limit_settings_stop_start_up(var, value, message):
    result = _setup(**{var: value})
    assert result.returncode != 0
    assert message in result.stderr.strip().splitlines()[-1]


def test_the_cache_is_the_brokers_redis_unless_told_otherwise(tmp_path):
    redis = _setup(CELERY_BROKER_URL="redis://127.0.0.1:6379/9", REVIEWQUEUE_VAR_DIR=str(tmp_path))
    assert redis.stdout.strip() == "django.core.cache.backends.redis.RedisCache", redis.stderr
    env = {"REVIEWQUEUE_VAR_DIR": str(tmp_path), "CELERY_BROKER_URL": "", "DATABASE_URL": ""}
    embedded = _setup(**env)
    assert embedded.stdout.strip() == "django.core.cache.backends.filebased.FileBasedCache", embedded.stderr
    assert _setup(**env, REVIEWQUEUE_CACHE_URL="locmem://").stdout.strip().endswith("LocMemCache")
