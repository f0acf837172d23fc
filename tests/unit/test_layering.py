"""The domain and the ledger stay free of frameworks (STYLE rule 1)."""

from __future__ import annotations

import ast
from pathlib import Path

import reetrace

PACKAGE = Path(reetrace.__file__).parent
FORBIDDEN = (
    "sqlalchemy",
    "pydantic",
    "fastapi",
    "typer",
    "rich",
    "alembic",
    "reetrace.store",
    "reetrace.services",
    "reetrace.contract",
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


def test_domain_and_ledger_import_no_framework():
    offenders = []
    for folder in ("domain", "ledger", "credentials"):
        for path in (PACKAGE / folder).rglob("*.py"):
            for name in imports(path):
                if any(name == f or name.startswith(f + ".") for f in FORBIDDEN):
                    offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def test_services_never_import_the_cli():
    offenders = [
        str(p) for p in (PACKAGE / "services").rglob("*.py") if any(n.startswith("reetrace.cli") for n in imports(p))
    ]
    assert offenders == []
