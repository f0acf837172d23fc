"""Bulk inserts that hand rows straight to the driver: `COPY` on PostgreSQL, `executemany` on SQLite.

SQLAlchemy's Core insert builds a parameter dict per row, which dominates the cost of writing
hundreds of thousands of small ledger rows. Here rows go to the driver as tuples: on PostgreSQL
through psycopg's `COPY ... FROM STDIN` in binary format (one stream a table and batch, no
statement per row, numbers and hashes sent as they are, not as text), on SQLite through
`executemany` of a statement compiled once per table.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import BigInteger, Connection, Float, Integer, LargeBinary, SmallInteger, String, Table

from reetrace.store.driver import driver_connection


@lru_cache(maxsize=64)
def _statement(table: Table, columns: tuple[str, ...], paramstyle: str) -> str:
    marks = {"qmark": "?", "format": "%s", "pyformat": "%s", "numeric": None, "named": None}[paramstyle]
    if marks is None:
        raise ValueError(f"unsupported paramstyle {paramstyle}")
    names = ", ".join(columns)
    return f"INSERT INTO {table.name} ({names}) VALUES ({', '.join([marks] * len(columns))})"


# PostgreSQL types of the binary COPY format, by column type (most specific first)
_COPY_TYPES = (
    (BigInteger, "int8"),
    (SmallInteger, "int2"),
    (Integer, "int4"),
    (Float, "float8"),
    (LargeBinary, "bytea"),
    (String, "text"),
)


@lru_cache(maxsize=64)
def _copy_types(table: Table, columns: tuple[str, ...]) -> tuple[str, ...] | None:
    """The binary COPY types of these columns, or None if one has a type not listed (then the
    rows go as text)."""
    types = []
    for name in columns:
        column_type = table.c[name].type
        found = next((pg for kind, pg in _COPY_TYPES if isinstance(column_type, kind)), None)
        if found is None:
            return None
        types.append(found)
    return tuple(types)


def insert_rows(
    conn: Connection, table: Table, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]], copy: bool | None = None
) -> None:
    """Insert `rows` (tuples in the order of `columns`) into `table`, inside the caller's
    transaction. `copy` chooses the path (default: COPY on PostgreSQL, executemany elsewhere);
    both write the same rows."""
    if not rows:
        return
    if copy is None:
        copy = conn.dialect.name == "postgresql"
    if copy:
        if conn.dialect.name != "postgresql":
            raise ValueError(f"COPY needs PostgreSQL, not {conn.dialect.name}")
        _copy_rows(conn, table, columns, rows)
        return
    sql = _statement(table, columns, conn.dialect.paramstyle)
    cursor = driver_connection(conn).cursor()
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


def _copy_rows(conn: Connection, table: Table, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]) -> None:
    types = _copy_types(table, columns)
    sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    cursor = driver_connection(conn).cursor()
    try:
        with cursor.copy(sql if types is None else sql + " (FORMAT BINARY)") as stream:
            if types is not None:
                stream.set_types(list(types))
            for row in rows:
                stream.write_row(row)
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
    cursor = driver_connection(conn).cursor()
    try:
        cursor.execute(text_sql, params)
        return cursor.fetchall()
    finally:
        cursor.close()
