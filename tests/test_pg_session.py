"""The app's PostgreSQL sessions run with the options env.database_from_url gives them."""

from __future__ import annotations

import pytest
from django.db import connection

from reviewqueue.env import database_from_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_sessions_run_without_jit() -> None:
    # JIT compile time dwarfed the ops pages' queries at scale (env.py says by how much).
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def test_options_in_the_url_replace_the_default(tmp_path) -> None:
    db = database_from_url("postgres://u@h/db?options=-c%20jit%3Don", base_dir=tmp_path)
    assert db["OPTIONS"]["options"] == "-c jit=on"
