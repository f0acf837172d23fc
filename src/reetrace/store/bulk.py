"""Bulk inserts that hand rows straight to the driver's `executemany`.

SQLAlchemy's Core insert builds a parameter dict per row, which dominates the cost of writing
hundreds of thousands of small ledger rows. Here the statement is compiled once per table and
dialect, and rows go to the driver as tuples.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table


@lru_cache(maxsize=64)
def _statement(table: Table, columns: tuple[str, ...], paramstyle: str) -> str:
    marks = {"qmark": "?", "format": "%s", "pyformat": "%s", "numeric": None, "named": None}[paramstyle]
    if marks is None:
        raise ValueError(f"unsupported paramstyle {paramstyle}")
    names = ", ".join(columns)
    return f"INSERT INTO {table.name} ({names}) VALUES ({', '.join([marks] * len(columns))})"


def insert_rows(conn: Connection, table: Table, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]) -> None:
    if not rows:
        return
    sql = _statement(table, columns, conn.dialect.paramstyle)
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()
