"""The API sits on the services, never the other way round (STYLE rule 3)."""

from __future__ import annotations

import ast
from pathlib import Path

import reetrace

PACKAGE = Path(reetrace.__file__).parent


def imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_services_store_and_domain_never_import_the_api_or_web():
    offenders = [
        f"{p.relative_to(PACKAGE)} imports {n}"
        for folder in ("services", "store", "domain", "ledger", "contract")
        for p in (PACKAGE / folder).rglob("*.py")
        for n in imports(p)
        if n.startswith(("reetrace.api", "reetrace.web", "fastapi", "starlette", "uvicorn"))
    ]
    assert offenders == []


def test_api_modules_stay_small():
    sizes = {
        str(p.relative_to(PACKAGE)): len(p.read_text(encoding="utf-8").splitlines())
        for p in (PACKAGE / "api").rglob("*.py")
    }
    assert sizes and all(n <= 400 for n in sizes.values()), sizes
