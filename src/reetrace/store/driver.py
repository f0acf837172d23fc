"""The DB-API connection under an SQLAlchemy one, for the few hot paths that hand statements and
rows straight to the driver (sqlite3 or psycopg)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from reetrace.errors import StoreError


def driver_connection(conn: Connection) -> Any:
    """The driver's own connection: `sqlite3.Connection` or `psycopg.Connection` (typed Any, as
    SQLAlchemy types it: which one depends on the URL)."""
    driver = conn.connection.driver_connection
    if driver is None:
        raise StoreError("the connection to the store is closed")
    return driver
