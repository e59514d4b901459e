"""Dispatching a draft to the scoring queue: Celery's apply_async, and a dead broker costs a moment.

The message is published to a scratch Redis database (not the test broker's, where a worker from
another test could take it). A real worker consuming these messages is tests/review/test_worker.py.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings

from reviewqueue.intake.dispatch import draft_dispatch
from reviewqueue.intake.worker import score_draft
from tests.api.broker import broker

pytestmark = pytest.mark.skipif(
    not str(settings.CELERY_BROKER_URL).startswith("redis://"), reason="needs a Redis broker (CELERY_BROKER_URL)"
)


def _scratch_url() -> str:
    parts = urlsplit(str(settings.CELERY_BROKER_URL))
    db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(db + 1) % 16}"))


@pytest.fixture
def scratch() -> Iterator[redis.Redis]:
    url = _scratch_url()
    client = redis.Redis.from_url(url)
    client.delete("scoring")
    with broker(url):
        yield client
    client.delete("scoring", "_kombu.binding.scoring", "_kombu.binding_permanent.scoring")


def test_a_dispatched_draft_is_one_score_draft_message_on_the_scoring_queue(scratch):
    assert draft_dispatch(draft_id=41, expires=None) is True
    raw = scratch.rpop("scoring")
    assert raw is not None, "nothing was published to the `scoring` list"
    assert scratch.llen("scoring") == 0
    message = json.loads(raw)
    assert message["headers"]["task"] == score_draft.name
    args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
    assert (args, kwargs) == ([41], {})


def test_an_unreachable_broker_is_reported_fast_and_not_raised():
    # draft_dispatch turns this into "stays received, the re-dispatch sweep retries".
    with broker("redis://127.0.0.1:1/0"):
        started = time.monotonic()
        assert draft_dispatch(draft_id=1, expires=None) is False
        elapsed = time.monotonic() - started
    assert elapsed < 3, f"dispatch waited {elapsed:.1f}s on a dead broker"
