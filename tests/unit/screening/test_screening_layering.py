"""The matcher stays pure: nothing under `reetrace/screening/` imports the database, the CLI or
the web stack (it is tested with plain strings, and the services give it the store's rows)."""

from __future__ import annotations

import ast
from pathlib import Path

import reetrace

FORBIDDEN = (
    "sqlalchemy",
    "pydantic",
    "fastapi",
    "typer",
    "rich",
    "alembic",
    "reetrace.store",
    "reetrace.services",
    "reetrace.cli",
)


def imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_screening_imports_no_framework():
    folder = Path(reetrace.__file__).parent / "screening"
    offenders = [
        f"{path.name} imports {name}"
        for path in sorted(folder.glob("*.py"))
        for name in imports(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    ]
    assert offenders == []
    assert len(list(folder.glob("*.py"))) >= 6
