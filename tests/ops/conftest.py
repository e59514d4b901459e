from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from reviewqueue.celery import app

# WhiteNoise warns (an error under -W error) when STATIC_ROOT is missing (see tests/web/conftest.py).
Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture
def client_for():
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def eager() -> Iterator[None]:
    """Celery tasks run in the caller (the calibration fit a page starts)."""
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False
