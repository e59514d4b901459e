from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test.utils import override_settings

from scoring import engine
from tests.factories import World, make_world
from tests.receiver import Receiver

# A fixed instant for deadline tests; `clock` freezes time here (tick=False) and tests move it.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hasher() -> Iterator[None]:
    # Personas are real users with passwords; PBKDF2 at 1M rounds costs ~0.3 s each.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # Throttle and lockout counters live in the cache: each test starts with none, in a
    # per-process cache (clearing the shared Redis one would flush the test broker too).
    from django.core.cache import cache

    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
        cache.clear()
        yield
        cache.clear()


@pytest.fixture
def tiny_scorer(tmp_path: Path, settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The worker's scorer on a tiny NLI model built for the test (real inference, fast)."""
    from scoring.tinymodel import build_tiny_nli_model

    settings.REVIEWQUEUE_SCORING_MODEL = str(build_tiny_nli_model(tmp_path / "tiny"))
    engine.reset_scorer()
    yield
    engine.reset_scorer()


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db: None) -> World:
    return make_world()


@pytest.fixture
def api_client():  # type: ignore[no-untyped-def]
    from rest_framework.test import APIClient

    return APIClient(enforce_csrf_checks=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Tests marked `postgres` need row locks and real concurrency; on SQLite they are skipped
    # (the embedded path has its own tests).
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:  # type: ignore[no-untyped-def]
    """A webhook receiver on 127.0.0.1 (allowed here by REVIEWQUEUE_WEBHOOK_ALLOW_PRIVATE)."""
    settings.REVIEWQUEUE_WEBHOOK_ALLOW_PRIVATE = True
    r = Receiver()
    yield r
    r.close()
