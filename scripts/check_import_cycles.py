#!/usr/bin/env python
"""Fail when the packages of `reviewqueue` import each other in a cycle.

Each sub-package (`review/`, `intake/`, `audit/`, …) and each module at the project root
(`errors.py`, `sweeping.py`, …) is one node; an edge A → B is any import in A of something in B,
at module level or inside a function: a cycle is a design fault whether or not Python happens to
tolerate it at run time. Left out: imports under `if TYPE_CHECKING:` (an annotation naming the
model a foreign key points at, by string, adds no dependency the key does not already declare;
grimp's `exclude_type_checking_imports` draws the same line) and migrations (Django writes their
dependencies). Prints each cycle found and exits 1, or exits 0 when the graph is acyclic.

    python scripts/check_import_cycles.py
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "reviewqueue"


def node_of(module: str) -> str | None:
    """`reviewqueue.review.services` → `review`; `reviewqueue.errors` → `errors`; else None."""
    parts = module.split(".")
    if parts[0] != PROJECT or len(parts) < 2:
        return None
    return parts[1]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_only(tree: ast.AST) -> set[int]:
    """The ids of the import nodes under `if TYPE_CHECKING:` (or `typing.TYPE_CHECKING`)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and (
            (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
            or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
        ):
            skipped.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    return skipped


def imported_modules(tree: ast.AST, current: str, is_package: bool) -> set[str]:
    found: set[str] = set()
    skipped = _type_checking_only(tree)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolved against the importing module's package
                base = current.split(".") if is_package else current.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            # `from reviewqueue import review` names a package, not an attribute of the root.
            found.update(f"{module}.{alias.name}" for alias in node.names if module == PROJECT)
    return found


def edges() -> dict[str, dict[str, set[str]]]:
    """node → {imported node → the files that import it}."""
    graph: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in sorted((ROOT / PROJECT).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        current = module_name(path)
        source = node_of(current)
        if source is None:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for module in imported_modules(tree, current, path.name == "__init__.py"):
            target = node_of(module)
            if target is not None and target != source:
                graph[source][target].add(str(path.relative_to(ROOT)))
    return graph


def cycles(graph: dict[str, dict[str, set[str]]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def main() -> int:
    graph = edges()
    found = cycles(graph)
    for component in found:
        print(f"import cycle between reviewqueue packages: {', '.join(component)}")
        members = set(component)
        for source in component:
            for target, files in sorted(graph[source].items()):
                if target in members:
                    print(f"  {source} → {target}: {', '.join(sorted(files))}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
