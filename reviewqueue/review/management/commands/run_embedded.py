"""`manage.py run_embedded` — web, Celery worker and beat in one command, no services needed.

The worker and beat are real Celery processes on the file-system broker (not eager mode), so
the embedded product behaves like the deployed one: enqueue returns at once, scoring happens
in the worker, timers fire from beat.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Migrate, load demo data, then run web + worker + beat until interrupted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--no-demo", action="store_true")

    def handle(self, *args: Any, addr: str, no_demo: bool, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if not no_demo:
            call_command("seed_demo")
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        celery = [sys.executable, "-m", "celery", "-A", "reviewqueue"]
        procs = [
            subprocess.Popen(
                [*celery, "worker", "-Q", "scoring,default", "--pool=solo", "--loglevel=INFO", "-n", "embedded@%h"]
            ),
            subprocess.Popen(
                [*celery, "beat", "--loglevel=INFO", "--schedule", str(settings.VAR_DIR / "celerybeat-schedule")]
            ),
        ]
        self.stdout.write(self.style.SUCCESS(f"reviewqueue is running at http://{addr}/  (Ctrl-C stops all)"))
        web = subprocess.Popen([sys.executable, "manage.py", "runserver", addr, "--noreload"])
        procs.append(web)
        try:
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in procs:
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
