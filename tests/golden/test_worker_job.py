"""The version-change job on a real Celery worker (Redis + PostgreSQL): publishing a policy
queues the golden-set check after commit, and the worker stores a run for the new policy."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.utils import timezone

from reviewqueue.golden.models import GoldenRun
from reviewqueue.golden.services import golden_import
from reviewqueue.policy.services import policy_publish
from scoring.policy import RoutingPolicy
from tests.factories import make_world
from tests.intake.test_worker import minilm_dir, start_worker  # noqa: F401 - fixtures

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SMALL = Path(__file__).parent / "data" / "small.jsonl"


def test_a_policy_publish_runs_the_golden_set_on_a_worker(start_worker) -> None:  # noqa: F811
    world = make_world()
    golden_import(tenant=world.tenant, lines=SMALL.read_bytes().splitlines(), now=timezone.now())
    start_worker()
    config = {**RoutingPolicy.default().to_dict(), "version": "worker-check-1"}
    policy_publish(tenant=world.tenant, config=config, now=timezone.now())
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not GoldenRun.objects.filter(tenant=world.tenant).exists():
        time.sleep(0.5)
    run = GoldenRun.objects.get(tenant=world.tenant)
    assert run.policy == "worker-check-1" and run.trigger == "version_change" and run.live and run.n == 6
