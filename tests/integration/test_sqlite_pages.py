"""A new SQLite store is made with the large pages bulk ingest is fastest with; a store made
before keeps the pages it has (SQLite cannot change them in WAL mode) and opens as before."""

from __future__ import annotations

import sqlite3

from reetrace.store.database import PAGE_SIZE, open_store


def page_size(path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()


def test_a_new_store_gets_large_pages(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'new.db'}")
    store.dispose()
    assert PAGE_SIZE > 4096
    assert page_size(tmp_path / "new.db") == PAGE_SIZE


def test_an_existing_store_keeps_its_pages(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE note (text TEXT)")
    conn.close()
    store = open_store(f"sqlite:///{path}")
    with store.reading() as c:
        assert c.exec_driver_sql("SELECT count(*) FROM events").scalar() == 0
    store.dispose()
    assert page_size(path) == 4096
