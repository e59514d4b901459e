from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

# WhiteNoise warns (an error under -W error) when STATIC_ROOT is missing (see tests/web/conftest.py).
Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture
def client_for():
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
