"""The one-LPUSH publisher writes what apply_async writes, so a Celery worker cannot tell them apart.

Both are published to a scratch Redis database (not the test broker's, where a worker from
another test could take them) and compared field by field; only the ids, the delivery tag and
the argument repr differ, and those are checked for shape. A real worker consuming fast-path
messages is tests/review/test_worker.py.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from celery import shared_task
from django.conf import settings

from reviewqueue.celery import app
from reviewqueue.review import publish
from reviewqueue.review.tasks import score_draft
from tests.api.broker import broker

pytestmark = pytest.mark.skipif(
    not str(settings.CELERY_BROKER_URL).startswith("redis://"), reason="needs a Redis broker (CELERY_BROKER_URL)"
)


def _scratch_url() -> str:
    parts = urlsplit(str(settings.CELERY_BROKER_URL))
    db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(db + 1) % 16}"))


@pytest.fixture
def scratch() -> Iterator[tuple[str, redis.Redis]]:
    url = _scratch_url()
    client = redis.Redis.from_url(url)
    client.delete("scoring")
    with broker(url):
        yield url, client
    client.delete("scoring", "_kombu.binding.scoring", "_kombu.binding_permanent.scoring")


def _popped(client: redis.Redis) -> dict:
    raw = client.rpop("scoring")
    assert raw is not None, "nothing was published to the `scoring` list"
    return json.loads(raw)


def _masked(message: dict) -> dict:
    """The message with its per-message values replaced by their type."""
    masked = json.loads(json.dumps(message))
    for key in ("id", "root_id"):
        masked["headers"][key] = type(masked["headers"][key]).__name__
    for key in ("correlation_id", "delivery_tag"):
        masked["properties"][key] = type(masked["properties"][key]).__name__
    return masked


def test_fast_envelope_is_what_apply_async_writes(scratch):
    _, client = scratch
    score_draft.apply_async(args=[41], retry=False)
    reference = _popped(client)
    publish.send(score_draft, [41])
    fast = _popped(client)
    assert client.llen("scoring") == 0

    assert _masked(fast) == _masked(reference)
    assert fast["headers"]["root_id"] == fast["headers"]["id"] == fast["properties"]["correlation_id"]
    assert fast["properties"]["delivery_tag"] != reference["properties"]["delivery_tag"]
    args, kwargs, embed = json.loads(base64.b64decode(fast["body"]))
    assert (args, kwargs) == ([41], {})
    assert embed == json.loads(base64.b64decode(reference["body"]))[2]


def test_each_message_has_its_own_ids(scratch):
    _, client = scratch
    publish.send(score_draft, [1])
    publish.send(score_draft, [2])
    first, second = _popped(client), _popped(client)
    assert first["headers"]["id"] != second["headers"]["id"]
    assert first["properties"]["delivery_tag"] != second["properties"]["delivery_tag"]


def test_unreachable_broker_raises_fast():
    # draft_dispatch turns this into "stays received, the re-dispatch sweep retries".
    with broker("redis://127.0.0.1:1/0"), pytest.raises(redis.ConnectionError):
        publish.send(score_draft, [1])


def test_what_the_fast_path_cannot_express_goes_through_apply_async(scratch):
    _, client = scratch
    saved = app.conf.broker_transport_options
    app.conf.broker_transport_options = {**(saved or {}), "global_keyprefix": "rqtest:"}
    publish.reset()  # the route is worked out once, at start-up in a real process
    try:
        assert publish._target_list(app, score_draft) is None
        publish.send(score_draft, [5])
    finally:
        app.conf.broker_transport_options = saved
        publish.reset()
    assert client.llen("scoring") == 0  # kombu prefixed the key: apply_async published it
    raw = client.rpop("rqtest:scoring")
    client.delete("rqtest:_kombu.binding.scoring", "rqtest:_kombu.binding_permanent.scoring")
    assert raw is not None
    assert json.loads(base64.b64decode(json.loads(raw)["body"]))[0] == [5]


@shared_task(name="tests.review.test_publish.publish_both")
def _publish_both() -> None:
    score_draft.apply_async(args=[9], retry=False)
    publish.send(score_draft, [9])


def test_sent_from_inside_a_task_it_names_its_parent_as_apply_async_does(scratch):
    _, client = scratch
    parent = _publish_both.apply()
    reference, fast = _popped(client), _popped(client)
    assert _masked(fast) == _masked(reference)
    for message in (reference, fast):
        assert message["headers"]["parent_id"] == parent.id
        assert message["headers"]["root_id"] == parent.id


def test_a_connection_the_server_closed_is_replaced_and_the_message_still_lands(scratch):
    _, client = scratch
    publish.send(score_draft, [1])
    # The server drops every other client (a restart or an idle timeout would): the thread's kept
    # connection is dead, and the next send finds out only when it uses it.
    assert client.client_kill_filter(_type="normal", skipme=True) >= 1
    publish.send(score_draft, [2])
    sent = [json.loads(base64.b64decode(_popped(client)["body"]))[0] for _ in range(2)]
    assert sent == [[1], [2]]


def test_threads_publish_on_their_own_connections(scratch):
    import threading

    _, client = scratch
    before = {c["id"] for c in client.client_list()}
    errors: list[BaseException] = []

    def send_some(first: int) -> None:
        try:
            for i in range(first, first + 25):
                publish.send(score_draft, [i])
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=send_some, args=(n * 100,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    sent = sorted(
        json.loads(base64.b64decode(json.loads(raw)["body"]))[0][0] for raw in client.lrange("scoring", 0, -1)
    )
    assert sent == sorted(n * 100 + i for n in range(4) for i in range(25))
    assert len({c["id"] for c in client.client_list()} - before) >= 4
