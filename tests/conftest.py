"""Fixtures.

How they are built: every test that touches a store gets `store_url`, a fresh, empty database.
By default that is an SQLite file in the test's tmp dir. With `REETRACE_TEST_DB` set to a
PostgreSQL URL (as `.ci/run` does for its second pass), it is a fresh schema in that database,
created for the test and dropped after it; an unreachable server is an error, never a skip.
`store` opens it (migrations applied). `world` is a small registered chain (mine, separation
plant, exporter) from `tests/factory.py`, whose parties sign real Ed25519 submissions.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from factory import World
from reetrace.store.database import Store, open_store
from stores import fresh_store_url


@pytest.fixture(scope="session", autouse=True)
def own_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A home directory of the session's own (for every subprocess too). A store that is not an
    SQLite file keeps the log's keys and the session secret under ~/.local/share/reetrace: the
    tests must neither use the keys of whoever runs them nor leave theirs behind. libpq's password
    and service files are still looked for where they were."""
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as patch:
        for name, file in (("PGPASSFILE", ".pgpass"), ("PGSERVICEFILE", ".pg_service.conf")):
            if name not in os.environ:
                patch.setenv(name, str(Path.home() / file))
        patch.setenv("HOME", str(home))
        yield home


@pytest.fixture
def store_url(tmp_path: Path) -> Iterator[str]:
    with fresh_store_url(tmp_path / "store.db") as url:
        yield url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = open_store(store_url)
    yield s
    s.dispose()


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def write_json(tmp_path: Path):
    def write(name: str, doc: object) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        return path

    return write
