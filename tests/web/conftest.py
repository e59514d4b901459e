from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from reviewqueue.review import services
from reviewqueue.review.models import ReviewItem
from tests.factories import World
from tests.web.factories import make_scored_item

# WhiteNoise warns (an error under -W error) when STATIC_ROOT is missing; on a fresh checkout
# collectstatic has not run, and the finders serve the files anyway.
Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture
def client_for():
    """A test client signed in as `user` (CSRF is enforced in test_csrf.py)."""

    def make(user, *, csrf: bool = False) -> Client:
        client = Client(enforce_csrf_checks=csrf)
        client.force_login(user)
        return client

    return make


@pytest.fixture
def claimed_item(world: World) -> ReviewItem:
    """A scored item claimed by world.reviewer."""
    make_scored_item(world)
    item = services.review_item_claim_next(user=world.reviewer, now=timezone.now())
    assert item is not None
    return item
