"""Opening a store creates its schema once, however many processes open it at the same time."""

from __future__ import annotations

import multiprocessing as mp

from sqlalchemy import create_engine, text

from reetrace.errors import StoreError
from reetrace.store.database import open_store


def _open(url: str) -> None:
    open_store(url).dispose()


def test_processes_opening_a_new_store_together(store_url):
    procs = [mp.get_context("spawn").Process(target=_open, args=(store_url,)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    engine = create_engine(store_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM events")).scalar() == 0
    engine.dispose()


def test_a_bad_url_is_a_clear_error():
    import pytest

    with pytest.raises(StoreError, match="not a database URL"):
        open_store("not a url")
    with pytest.raises(StoreError, match="unsupported database"):
        open_store("mysql://localhost/x")


def test_an_unreachable_server_is_a_clear_error():
    import pytest

    with pytest.raises(StoreError, match="cannot open the store"):
        open_store("postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=2")
