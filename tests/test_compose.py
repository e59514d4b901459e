"""docker-compose.yml agrees with what the processes do: beat's health check reads the files beat
writes, `var/` is a volume, and the first admin is created before the web starts."""

from __future__ import annotations

import fnmatch
import os
import re
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_every_app_service_keeps_var_on_a_volume():
    config = compose()
    assert "appvar" in config["volumes"]
    for name in ("migrate", "admin", "web", "worker", "worker-scoring", "beat"):
        assert "appvar:/app/var" in config["services"][name]["volumes"], name


def test_the_first_admin_is_created_before_the_web_starts():
    services = compose()["services"]
    assert services["admin"]["command"] == ["python", "manage.py", "create_admin"]
    assert services["admin"]["restart"] == "no"
    assert services["web"]["depends_on"]["admin"] == {"condition": "service_completed_successfully"}


def test_beats_health_check_reads_the_files_beat_writes(tmp_path, settings):
    from celery.beat import PersistentScheduler

    from reviewqueue.celery import app

    beat = compose()["services"]["beat"]
    command = beat["command"]
    schedule = Path(command[command.index("--schedule") + 1])
    check = beat["healthcheck"]["test"][1]
    match = re.search(r"find (\S+) -maxdepth 1 -name '([^']+)' -mmin -(\d+)", check)
    assert match, check
    folder, pattern = match.group(1), match.group(2)
    assert Path(folder) == schedule.parent and fnmatch.fnmatch(schedule.name, pattern)

    # What beat writes, where the check looks: the same scheduler class, the same file name.
    assert app.conf.beat_sync_every == 1
    local = tmp_path / schedule.name
    scheduler = PersistentScheduler(app=app, schedule_filename=str(local), lazy=True)
    scheduler.setup_schedule()
    scheduler.sync()
    scheduler.close()
    written = [p.name for p in tmp_path.iterdir()]
    assert written and all(fnmatch.fnmatch(name, pattern) for name in written), written
    newest = max(os.path.getmtime(p) for p in tmp_path.iterdir())
    assert time.time() - newest < int(match.group(3)) * 60
