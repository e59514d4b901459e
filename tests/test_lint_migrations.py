"""scripts/lint_migrations.py: the project's migrations pass, and each rule catches what it names."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("lint_migrations", ROOT / "scripts" / "lint_migrations.py")
assert _spec is not None and _spec.loader is not None
lint_migrations = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lint_migrations)


def test_the_projects_migrations_pass() -> None:
    assert lint_migrations.main() == 0


def test_each_rule_reports_its_line(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(lint_migrations, "ROOT", tmp_path)
    migration = tmp_path / "0002_x.py"
    migration.write_text(
        "from django.db import migrations\n"
        "from reviewqueue.review.models import Draft\n"
        "ops = [\n"
        "    migrations.RunPython(forwards),\n"
        "    migrations.RunPython(forwards, migrations.RunPython.noop),\n"
        "    migrations.RunSQL('select 1'),\n"
        "    migrations.RunSQL('select 1', reverse_sql=migrations.RunSQL.noop),\n"
        "    migrations.RemoveField('draft', 'old'),\n"
        "    migrations.RemoveField('draft', 'older'),  # migration-lint: ok\n"
        "]\n"
    )
    findings = lint_migrations.lint(migration)
    assert [f.split(":")[1] for f in findings] == ["2", "4", "6", "8"]
