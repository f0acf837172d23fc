"""A fresh, empty store for a test: an SQLite file by default, or, with `REETRACE_TEST_DB` set to a
PostgreSQL URL, a schema of its own in that database, dropped afterwards. An unreachable server
is an error, never a skip."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

PG_URL = os.environ.get("REETRACE_TEST_DB")


@contextmanager
def fresh_store_url(sqlite_file: Path) -> Iterator[str]:
    if not PG_URL:
        yield f"sqlite:///{sqlite_file}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # raises if the server is unreachable: never skip silently
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
