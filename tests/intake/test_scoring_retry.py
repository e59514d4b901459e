"""A database blip while scoring is retried, never stored as a verdict (`scoring_failed`).

On a real PostgreSQL: a statement cancelled by `statement_timeout` and a connection killed with
`pg_terminate_backend` from another session, each during the scoring task's first run. The
task (run eagerly with `apply`, which executes its retries in line) retries on a fresh
connection and the draft is scored once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import OperationalError, connection

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.intake import worker
from reviewqueue.review.models import Draft
from scoring import engine
from tests.factories import make_draft


@pytest.fixture
def tiny_scorer(tmp_path: Path, settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    from scoring.tinymodel import build_tiny_nli_model

    settings.REVIEWQUEUE_SCORING_MODEL = str(build_tiny_nli_model(tmp_path / "tiny"))
    engine.reset_scorer()
    yield
    engine.reset_scorer()


def _cancel_statement() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 50")
        cursor.execute("SELECT pg_sleep(2)")


def _terminate_connection() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"], autocommit=True
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _fail_first_call(monkeypatch: pytest.MonkeyPatch, blip: Callable[[], None], times: int = 1) -> list[int]:
    calls: list[int] = []
    real = worker.active_calibrator

    def flaky(**kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) <= times:
            blip()
        return real(**kwargs)

    monkeypatch.setattr(worker, "active_calibrator", flaky)
    return calls


def _raise_operational_error() -> None:
    raise OperationalError("canceling statement due to lock timeout")


def _assert_scored_once(draft: Draft) -> None:
    draft.refresh_from_db()
    assert draft.status in {"routed", "decided"}
    assert draft.score is not None
    types = list(ReviewEvent.objects.filter(draft=draft).values_list("type", flat=True))
    assert types.count("draft.scored") == 1 and "draft.scoring_failed" not in types


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("blip", [_cancel_statement, _terminate_connection], ids=["cancelled", "terminated"])
def test_a_database_blip_while_scoring_is_retried_on_postgres(world, tiny_scorer, monkeypatch, blip) -> None:  # type: ignore[no-untyped-def]
    draft = make_draft(world)
    calls = _fail_first_call(monkeypatch, blip)
    result = worker.score_draft.apply(args=[draft.pk])
    assert result.successful(), result.traceback
    assert len(calls) == 2
    _assert_scored_once(draft)


@pytest.mark.django_db(transaction=True)
def test_an_operational_error_is_retried_not_stored_as_scoring_failed(world, tiny_scorer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    draft = make_draft(world)
    calls = _fail_first_call(monkeypatch, _raise_operational_error, times=2)
    assert worker.score_draft.apply(args=[draft.pk]).successful()
    assert len(calls) == 3
    _assert_scored_once(draft)


@pytest.mark.django_db(transaction=True)
def test_when_retries_run_out_the_draft_stays_received_for_redispatch(world, tiny_scorer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    draft = make_draft(world)
    calls = _fail_first_call(monkeypatch, _raise_operational_error, times=100)
    result = worker.score_draft.apply(args=[draft.pk])
    assert result.failed() and isinstance(result.result, OperationalError)
    assert len(calls) == worker.score_draft.max_retries + 1
    draft.refresh_from_db()
    assert draft.status == "received"  # the redispatch sweep sends it again; no verdict stored
    assert not ReviewEvent.objects.filter(draft=draft, type="draft.scoring_failed").exists()
