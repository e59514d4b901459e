"""scripts/check_import_cycles.py: the packages of reviewqueue import each other without a cycle,
and the check finds one where there is one."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("check_import_cycles", ROOT / "scripts" / "check_import_cycles.py")
assert _spec is not None and _spec.loader is not None
check_import_cycles = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_import_cycles)


def test_the_project_has_no_import_cycle_between_packages(capsys) -> None:
    assert check_import_cycles.main() == 0, capsys.readouterr().out


def _tree(tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = tmp_path / "reviewqueue" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_a_cycle_is_reported_with_the_files_that_make_it(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(check_import_cycles, "ROOT", tmp_path)
    _tree(
        tmp_path,
        {
            "__init__.py": "",
            "review/__init__.py": "",
            "review/services.py": "from reviewqueue.audit.events import record\n",
            "audit/__init__.py": "",
            # A function-local import is an edge too: hiding it in a function does not break the cycle.
            "audit/events.py": "def record():\n    from reviewqueue.review import models\n",
            "review/models.py": "",
            "review/migrations/0001_initial.py": "from reviewqueue.intake import x\n",  # not counted
        },
    )
    assert check_import_cycles.main() == 1
    out = capsys.readouterr().out
    assert "import cycle between reviewqueue packages: audit, review" in out
    assert "audit → review: reviewqueue/audit/events.py" in out
    assert "intake" not in out


def test_type_checking_imports_and_one_way_imports_pass(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(check_import_cycles, "ROOT", tmp_path)
    _tree(
        tmp_path,
        {
            "review/services.py": "from reviewqueue.audit.events import record\n",
            "audit/events.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from reviewqueue.review.models import Draft\n"
            ),
            "intake/services.py": "from reviewqueue import review\nfrom . import drafts\n",
            "intake/drafts.py": "",
        },
    )
    assert check_import_cycles.main() == 0
