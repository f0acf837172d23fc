"""Fixtures of the end-to-end tests.

How they are built: `cli` runs the installed `reetrace` script in a subprocess on the test's
store (`store_url`, see tests/conftest.py) and checks its exit status; a module that needs other
settings (log keys, a working directory) defines its own `cli`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REETRACE = str(Path(sys.executable).with_name("reetrace"))


@pytest.fixture
def cli(store_url):
    def run(*args: str, expect: int = 0) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [REETRACE, *args],
            env={**os.environ, "REETRACE_DB": store_url, "COLUMNS": "200"},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == expect, (result.stdout, result.stderr)
        return result

    return run


@pytest.fixture
def offline(tmp_path):
    """`reetrace` run from another directory, its store pointing into an empty directory: what a
    verifier abroad has (the file and keys), and nothing else. Afterwards both directories are
    still empty: no store, no key directory was opened or made."""
    nowhere = tmp_path / "nowhere"
    nowhere.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"REETRACE_DB": f"sqlite:///{nowhere / 'absent.db'}", "REETRACE_LOG_KEYS": str(nowhere / "keys")}

    def run(*args: str, expect: int = 0) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [REETRACE, *args],
            env={**os.environ, "COLUMNS": "200", **env},
            cwd=elsewhere,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == expect, (result.stdout, result.stderr)
        return result

    yield run
    assert list(nowhere.iterdir()) == []
    assert list(elsewhere.iterdir()) == []
