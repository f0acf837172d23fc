"""Bulk inserts that hand rows straight to the driver's `executemany`.

SQLAlchemy's Core insert builds a parameter dict per row, which dominates the cost of writing
hundreds of thousands of small ledger rows. Here the statement is compiled once per table and
dialect, and rows go to the driver as tuples.
"""

from __future__ import annotations

import json
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


def select_in(conn: Connection, sql: str, fixed: tuple[Any, ...], values: Sequence[str]) -> list[tuple[Any, ...]]:
    """Run `sql`, whose last condition is `IN_LIST`, with `values` bound as one parameter: a JSON
    array read by `json_each` on SQLite, an array compared with `= ANY` on PostgreSQL. One
    statement however many values, and nothing for SQLAlchemy to compile per value."""
    if conn.dialect.name == "sqlite":
        text_sql = sql.replace("IN_LIST", "IN (SELECT value FROM json_each(?))").replace("%s", "?")
        params: tuple[Any, ...] = (*fixed, json.dumps(list(values)))
    else:
        text_sql = sql.replace("IN_LIST", "= ANY(%s)")
        params = (*fixed, list(values))
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(text_sql, params)
        return cursor.fetchall()
    finally:
        cursor.close()
