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
