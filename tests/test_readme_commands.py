"""Every command in README.md runs as written from a fresh clone, where that is practical.

The commands are read from the README itself (its `sh` blocks, and inline `manage.py …`,
`python -m scoring …`, `python bench/…` and `scripts/…` spans), so a command added there is
checked here, or the test says it is not covered. Each is run in a `git clone` of this checkout
at HEAD, on the embedded default (no DATABASE_URL, a fresh REVIEWQUEUE_VAR_DIR): the quick ones
as written, scoring's `evaluate` on a slice (`--limit`), the slow or server-bound ones with
`--help`; the rest (a server, Docker, the whole test suite) are named with the reason they are
not run. Marked `readme` (and `slow`): `-m "not readme"` skips it; CI runs it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reviewqueue.calibration.fitting import MIN_LABELS_PER_CLASS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()

# (pattern, how): `run` as written; `slice` as written plus `--limit 3`; `help` the command's
# `--help`; `exists` the script is there and executable; `json` the request body is valid JSON;
# anything else is the reason it is not run here.
RULES: list[tuple[str, str]] = [
    (r"^python -m scoring score ", "run"),
    (r"^python -m scoring evaluate \.\./", "the labelled dev data is not in the repository (licences)"),
    (r"^python -m scoring evaluate ", "slice"),
    (r"^python -m scoring (pairs|fit-prior|calibrate|fit-fusion)\b", "help"),  # they read the user's files
    (r"^python -m scoring\.train", "help"),
    (r"^python manage\.py (migrate|create_admin)\b(?!.*\b[A-Z]{3,}\b)", "run"),  # not with placeholders
    (r"^(python )?manage\.py ", "help"),
    (r"^python bench/", "help"),
    (r"^cp \.env\.example \.env$", "run"),
    (r"^(scripts/run-embedded|scripts/test|\.ci/run)\b", "exists"),
    (r"^scripts/check_import_cycles\.py$", "run"),
    (r"^curl ", "json"),
    (r"^docker compose ", "Docker is not on the test machines (tests/test_compose.py checks the file)"),
]


def _complete(line: str) -> bool:
    try:
        shlex.split(line)
    except ValueError:  # a quoted argument goes on over the next lines (curl's JSON body)
        return False
    return True


def _sh_commands(text: str) -> list[str]:
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL):
        pending = ""
        for raw in block.replace("\\\n", " ").splitlines():
            line = f"{pending}\n{raw}" if pending else raw.strip()
            if not _complete(line):
                pending = line
                continue
            pending = ""
            if not line or line.startswith("#") or re.match(r"^[A-Z_][A-Z0-9_]*=", line):
                continue  # comments, and the environment blocks (settings, not commands)
            commands.append(re.sub(r"\s+#[^'\"]*$", "", line).strip())
    return commands


def _inline_commands(text: str) -> list[str]:
    spans = re.findall(
        r"`((?:python )?manage\.py [^`]+|python -m scoring[^`]*|python bench/[^`]+|scripts/[^`]+)`", text
    )
    # Inline spans may wrap across lines in the Markdown source.
    return [" ".join(span.split()) for span in spans if "<" not in span and "…" not in span]


COMMANDS = list(dict.fromkeys(_sh_commands(README) + _inline_commands(README)))


def how(command: str) -> str:
    for pattern, mode in RULES:
        if re.search(pattern, command):
            return mode
    return ""


def test_the_readme_has_commands_and_each_is_covered() -> None:
    assert len(COMMANDS) > 15
    uncovered = [c for c in COMMANDS if not how(c)]
    assert not uncovered, f"README commands no rule covers (add one to RULES): {uncovered}"


def test_the_setup_the_issue_asked_for_is_documented() -> None:
    config = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    assert "| `REVIEWQUEUE_VAR_DIR` |" in config
    minimum = f"at least {MIN_LABELS_PER_CLASS} good and {MIN_LABELS_PER_CLASS} bad labels"
    assert minimum in README and "--min-labels" in README
    assert "python manage.py create_admin" in README and "python manage.py grant_lead" in README


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    target = tmp_path_factory.mktemp("fresh") / "reviewqueue"
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(target)], check=True)
    subprocess.run(["git", "-c", "advice.detachedHead=false", "checkout", "--quiet", head], cwd=target, check=True)
    return target


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, clone: Path) -> dict[str, str]:
    """The embedded default, with this interpreter as `python`, migrated once (the README runs
    `migrate` before `create_admin`; the tests run in random order)."""
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY"}}
    base.pop("DJANGO_SETTINGS_MODULE", None)
    base.update(
        REVIEWQUEUE_VAR_DIR=str(tmp_path_factory.mktemp("var")),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{base.get('PATH', '')}",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        OMP_NUM_THREADS="1",
        REVIEWQUEUE_ADMIN_PASSWORD="readme-Admin-pw-2026!",
    )
    subprocess.run(["python", "manage.py", "migrate", "-v", "0"], cwd=clone, env=base, check=True, timeout=600)
    return base


@pytest.mark.readme
@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS)
def test_readme_command_runs_from_a_fresh_clone(command: str, clone: Path, env: dict[str, str]) -> None:
    mode = how(command)
    if mode == "exists":
        script = clone / shlex.split(command)[0]
        assert script.is_file() and os.access(script, os.X_OK), f"{command}: not an executable file in the clone"
        return
    if mode == "json":
        body = re.search(r"-d '(.*)'", command, flags=re.DOTALL)
        assert body is not None, command
        json.loads(body.group(1))
        return
    if mode not in {"run", "slice", "help"}:
        pytest.skip(mode)
    argv = shlex.split(command)
    if argv[0] == "manage.py":
        argv = ["python", *argv]
    if mode == "slice" and "--limit" not in argv:
        argv += ["--limit", "3"]
    if mode == "help":
        # The program and its subcommand, if it has one: `manage.py sweep`, `-m scoring pairs`.
        if argv[1] == "manage.py":
            cut = 3
        elif argv[1] == "-m":
            cut = 4 if argv[2] == "scoring" else 3
        else:
            cut = 2
        argv = [*argv[:cut], "--help"]
    done = subprocess.run(argv, cwd=clone, env=env, capture_output=True, text=True, timeout=600)
    output = f"{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    assert done.returncode == 0, f"{' '.join(argv)} exited {done.returncode}:\n{output}"
    if mode == "help":
        assert "usage:" in done.stdout.lower()
    elif argv[:4] == ["python", "-m", "scoring", "score"]:
        assert json.loads(done.stdout)["decision"]["action"] in {
            "auto_send",
            "auto_draft_human_send",
            "queue_for_review",
            "block",
        }
    elif argv[:4] == ["python", "-m", "scoring", "evaluate"]:
        assert "AUROC" in done.stdout
