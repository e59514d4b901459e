#!/usr/bin/env python
"""Lint the project's migrations for what makes a deploy or a rollback go wrong.

Reads every `reviewqueue/*/migrations/*.py` as source (no database, no Django setup) and fails on:
- `RunPython` without a reverse function, `RunSQL` without `reverse_sql`: the migration cannot
  be rolled back (pass `migrations.RunPython.noop` / `migrations.RunSQL.noop` if nothing to undo);
- importing the project's models (`from reviewqueue… import …`) instead of `apps.get_model`:
  the migration would run against today's model, not the one of its own time;
- `RemoveField`, `DeleteModel` or `RenameField`/`RenameModel` without a `# migration-lint: ok`
  comment on the line: old code still running during a deploy reads the column or table.
Exit status 1 with one line per finding.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BREAKING = {"RemoveField", "DeleteModel", "RenameField", "RenameModel"}
ALLOW = "# migration-lint: ok"


def _op_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def lint(path: Path) -> list[str]:
    source = path.read_text()
    lines = source.splitlines()
    where = path.relative_to(ROOT)
    found = []
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("reviewqueue"):
            found.append(f"{where}:{node.lineno}: imports {node.module}; use apps.get_model in migrations")
        if not isinstance(node, ast.Call):
            continue
        name, keywords = _op_name(node), {k.arg for k in node.keywords}
        if name == "RunPython" and len(node.args) < 2 and "reverse_code" not in keywords:
            found.append(f"{where}:{node.lineno}: RunPython without reverse_code (RunPython.noop if none)")
        elif name == "RunSQL" and len(node.args) < 2 and "reverse_sql" not in keywords:
            found.append(f"{where}:{node.lineno}: RunSQL without reverse_sql (RunSQL.noop if none)")
        elif name in BREAKING and ALLOW not in lines[node.lineno - 1]:
            found.append(f"{where}:{node.lineno}: {name} breaks code still running during a deploy ({ALLOW!r})")
    return found


def main() -> int:
    paths = sorted(p for p in ROOT.glob("reviewqueue/*/migrations/*.py") if p.name != "__init__.py")
    findings = [finding for path in paths for finding in lint(path)]
    for finding in findings:
        print(finding)
    print(f"migrations lint: {len(paths)} files, {len(findings)} findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
