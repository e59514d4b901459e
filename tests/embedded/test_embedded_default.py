"""The embedded default end to end, as a user runs it: no DATABASE_URL, no broker server.

migrate → seed_demo → web server + a real Celery worker on the file-system broker →
enqueue over the API → the worker routes it → a reviewer claims and approves it in a session.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.embedded
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY"}}
    env.update(
        REVIEWQUEUE_VAR_DIR=str(tmp_path / "var"), PYTHONUNBUFFERED="1", DJANGO_SETTINGS_MODULE="reviewqueue.settings"
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=120)
    seeded = subprocess.run(
        [*manage, "seed_demo"], env=env, cwd=ROOT, check=True, timeout=120, capture_output=True, text=True
    ).stdout
    key = re.search(r"API key \(shown once, stored hashed\): (\S+)", seeded)
    assert key, seeded
    port = _free_port()
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "reviewqueue",
                "worker",
                "-Q",
                "scoring,default",
                "--pool=solo",
                "-l",
                "WARNING",
            ],
            env=env,
            cwd=ROOT,
        ),
        subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    ]
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        yield {"base": base, "key": key.group(1)}
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def _json(
    opener: urllib.request.OpenerDirector, url: str, *, data: dict | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict]:
    body = None if data is None else json.dumps(data).encode()
    request = urllib.request.Request(
        url,
        data=body,
        headers={"Content-Type": "application/json", **(headers or {})},
        method="GET" if data is None else "POST",
    )
    try:
        with opener.open(request, timeout=30) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else {}
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def test_enqueue_route_claim_approve_round_trip(embedded: dict[str, str]) -> None:
    base, auth = embedded["base"], {"Authorization": f"Bearer {embedded['key']}"}
    service = urllib.request.build_opener()
    body = {
        "question": "Is there a fee to change my flight?",
        "draft": "Changes are free up to 24 hours before departure.",
        "passages": [{"id": "kb-1", "text": "Flight changes are free of charge up to 24 hours before departure."}],
        "queue": "general",
    }
    status, created = _json(service, base + "/api/v1/drafts", data=body, headers={**auth, "Idempotency-Key": "e2e-1"})
    assert status == 201, created
    draft_id = created["id"]

    # The worker (a real process) routes it; poll as a service would.
    deadline = time.monotonic() + 120
    while True:
        status, draft = _json(service, f"{base}/api/v1/drafts/{draft_id}", headers=auth)
        assert status == 200
        if draft["status"] != "received" or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert draft["status"] in {"routed", "decided"}, draft

    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    browser.open(base + "/login/", timeout=30).read()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    form = urllib.parse.urlencode(
        {"username": "reviewer", "password": "reviewer-demo", "csrfmiddlewaretoken": csrf}
    ).encode()
    browser.open(urllib.request.Request(base + "/login/", data=form, headers={"Referer": base + "/login/"}), timeout=30)
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    session_headers = {"X-CSRFToken": csrf, "Referer": base + "/"}

    if draft["status"] == "routed":
        # Work the queue until this draft's item comes up (the demo drafts are queued too).
        for _ in range(20):
            status, item = _json(browser, base + "/api/v1/items/claim-next", data={}, headers=session_headers)
            assert status == 200, item
            status, resolved = _json(
                browser,
                f"{base}/api/v1/items/{item['id']}/submit",
                data={"disposition": "approved"},
                headers=session_headers,
            )
            assert status == 200, resolved
            if item["draft_id"] == draft_id:
                break
        status, draft = _json(service, f"{base}/api/v1/drafts/{draft_id}", headers=auth)
    assert draft["status"] == "decided", draft
    assert draft["outcome"]["final_text"]
