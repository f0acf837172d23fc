"""Nothing in the product, its tests or its benchmarks reads outside the repository: a path built
from a module's own location (`Path(__file__).parents[n]`, `.parent.parent`) must stay inside
it; what the tests need from elsewhere is vendored under tests/data with its licence. And the
session's home directory is its own (tests/conftest.py), so the keys a store keeps under
~/.local/share are never those of whoever runs the suite."""

from __future__ import annotations

import re
from pathlib import Path

from reetrace.config import Settings

ROOT = Path(__file__).resolve().parents[2]
FROM_HERE = re.compile(r"Path\(__file__\)(?:\.resolve\(\))?(?:\.parents\[(\d+)\]|((?:\.parent)+))")


def escapes(module: Path, text: str) -> list[str]:
    """Each path expression of `text` (the source of `module`) that climbs out of the repository."""
    found = []
    for match in FROM_HERE.finditer(text):
        levels = int(match.group(1)) + 1 if match.group(1) is not None else match.group(2).count(".parent")
        parents = module.resolve().parents
        target = parents[levels - 1] if levels <= len(parents) else Path("/")
        if not target.is_relative_to(ROOT):
            found.append(f"{module.relative_to(ROOT)}: {match.group(0)} is {target}")
    return found


def test_the_check_catches_a_path_out_of_the_repository_and_passes_one_inside():
    module = ROOT / "tests" / "unit" / "ledger" / "test_merkle.py"
    assert escapes(module, 'VECTORS = Path(__file__).parents[4] / "shared" / "data"') != []
    assert escapes(module, "HERE = Path(__file__).resolve().parent.parent.parent.parent.parent") != []
    assert escapes(module, "ROOT = Path(__file__).resolve().parent.parent.parent.parent") == []
    assert escapes(module, 'VECTORS = Path(__file__).resolve().parents[2] / "data" / "merkle-vectors"') == []
    assert escapes(module, "ROOT = Path(__file__).parents[3]") == []  # the repository itself


def test_no_module_reads_outside_the_repository():
    this = Path(__file__).resolve()  # its examples above climb out on purpose
    modules = sorted(
        p
        for folder in ("src", "tests", "bench")
        for p in (ROOT / folder).rglob("*.py")
        if p != this and not any(part.startswith(".") for part in p.relative_to(ROOT).parts)  # bench/.venv-baseline
    )
    assert len(modules) > 100
    assert [e for m in modules for e in escapes(m, m.read_text(encoding="utf-8"))] == []


def test_the_vendored_vectors_carry_their_licence_and_origin():
    vectors = ROOT / "tests" / "data" / "merkle-vectors"
    assert "Apache License" in (vectors / "LICENSE").read_text(encoding="utf-8")
    assert "github.com/transparency-dev/merkle" in (vectors / "README.md").read_text(encoding="utf-8")


def test_keys_of_a_server_store_live_in_the_sessions_own_home(own_home: Path):
    assert Path.home() == own_home
    settings = Settings(db_url="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    assert settings.log_keys_path().is_relative_to(own_home)
