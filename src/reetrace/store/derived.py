"""Reading the ledger for its verification: the events in acceptance order, and the rows derived
from them (reetrace.ledger.derived) as stored, in whatever order is cheapest, whole or for a
range of ledger positions.

Rows come straight from the driver's cursor in batches (a national year is millions of rows):
on PostgreSQL through a named, server-side cursor, so memory holds one batch. A verification
reads everything inside one snapshot (`snapshot`), so an ingest running meanwhile cannot make
the events and the rows derived from them disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from typing import Any

from sqlalchemy import Connection, inspect, text

from reetrace.errors import StoreError
from reetrace.store.database import Store

_BATCH = 20_000
_SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f]+(-[0-9A-Fa-f]+)*").fullmatch
_names = count()


@contextmanager
def snapshot(store: Store, shared: str | None = None) -> Iterator[Connection]:
    """A read transaction that sees one state of the whole store for as long as it lasts:
    REPEATABLE READ on PostgreSQL (its default reads each statement at a new snapshot); an
    SQLite read transaction is one snapshot already (WAL). On PostgreSQL, `shared` names the
    snapshot of another transaction (`share`) to read instead: another process then sees exactly
    what that transaction sees."""
    with store.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            if shared is not None and conn.dialect.name == "postgresql":
                if not _SNAPSHOT_ID(shared):
                    raise StoreError(f"not a snapshot name: {shared!r}")
                conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{shared}'")
            yield conn


def share(conn: Connection) -> str | None:
    """The name under which other transactions can read this one's snapshot (PostgreSQL only)."""
    if conn.dialect.name != "postgresql":
        return None
    return str(conn.scalar(text("SELECT pg_export_snapshot()")))


def state(conn: Connection) -> tuple[Any, ...]:
    """What says two snapshots hold the same ledger and the same stored findings: the ledger's
    last position and the supervision's row (any write to either changes it)."""
    last = conn.scalar(text("SELECT MAX(seq) FROM events"))
    supervision = conn.execute(text("SELECT * FROM supervision")).all()
    return (last, tuple(tuple(row) for row in supervision))


def stream(
    conn: Connection,
    sql: str,
    params: tuple[Any, ...] = (),
    batch: int = _BATCH,
    columns: list[str] | None = None,
) -> Iterator[tuple[Any, ...]]:
    """The rows of `sql` (written with `%s` placeholders) as plain tuples, batch by batch; the
    names of the columns are put in `columns` when given."""
    driver = conn.connection.driver_connection
    if driver is None:
        raise StoreError("the store's connection is closed")
    if conn.dialect.name == "postgresql":
        cursor = driver.cursor(f"reetrace_verify_{next(_names)}")
    else:
        sql = sql.replace("%s", "?")
        cursor = driver.cursor()
    try:
        cursor.execute(sql, params)
        if columns is not None:
            columns.extend(d[0] for d in cursor.description or ())
        while rows := cursor.fetchmany(batch):
            yield from rows
    finally:
        cursor.close()


def _range(column: str, lo: int | None, hi: int | None) -> tuple[str, tuple[int, ...]]:
    if lo is None or hi is None:
        return "", ()
    return f" WHERE {column} >= %s AND {column} < %s", (lo, hi)


def events(conn: Connection, lo: int | None = None, hi: int | None = None) -> Iterator[tuple[Any, ...]]:
    """(seq, reporter, event_id, type, time, digest, body, leaf) in acceptance order; positions
    [lo, hi) when given."""
    where, params = _range("seq", lo, hi)
    return stream(
        conn,
        f"SELECT seq, reporter, event_id, type, time, digest, body, leaf FROM events{where} ORDER BY seq",
        params,
    )


def tree_nodes(conn: Connection) -> Iterator[tuple[Any, ...]]:
    """(level, idx, hash) of the stored subtrees, in the order appending leaves completes them:
    by the number of leaves that completes each ((idx + 1) * 2**level), then by level."""
    return stream(
        conn, "SELECT level, idx, hash FROM log_nodes ORDER BY (idx + 1) * (CAST(1 AS BIGINT) << level), level"
    )


def lots(conn: Connection, lo: int | None = None, hi: int | None = None) -> Iterator[tuple[Any, ...]]:
    """(seq, position, lot, form, mass_kg, composition, hs_code), in no particular order."""
    where, params = _range("seq", lo, hi)
    return stream(conn, f"SELECT seq, position, lot, form, mass_kg, composition, hs_code FROM lots{where}", params)


def draws(conn: Connection, lo: int | None = None, hi: int | None = None) -> Iterator[tuple[Any, ...]]:
    """(seq, position, lot, mass_kg), in no particular order."""
    where, params = _range("seq", lo, hi)
    return stream(conn, f"SELECT seq, position, lot, mass_kg FROM lot_draws{where}", params)


def keys(conn: Connection, lo: int | None = None, hi: int | None = None) -> Iterator[tuple[Any, ...]]:
    """(key, seq) of `event_keys`, in its own (key) order."""
    where, params = _range("seq", lo, hi)
    return stream(conn, f"SELECT key, seq FROM event_keys{where}", params)


def has_table(conn: Connection, name: str) -> bool:
    """Whether the store has this table (a store opened without migrating may be older)."""
    return inspect(conn).has_table(name)


def has_identities(conn: Connection) -> bool:
    """Whether the store keeps event identities in a table of their own (PostgreSQL, `event_ids`)."""
    return conn.dialect.name == "postgresql" and has_table(conn, "event_ids")


def identities(conn: Connection, lo: int | None = None, hi: int | None = None) -> Iterator[tuple[Any, ...]]:
    """(seq, reporter, event_id, digest) of `event_ids`, in no particular order."""
    where, params = _range("seq", lo, hi)
    return stream(conn, f"SELECT seq, reporter, event_id, digest FROM event_ids{where}", params)


def signing_keys(conn: Connection) -> list[tuple[str, str, bytes]]:
    """(key_id, uscc, public key) of every key the registry holds."""
    return [(k, u, bytes(p)) for k, u, p in conn.execute(text("SELECT key_id, uscc, public_key FROM signing_keys"))]


def submissions_without_their_key(conn: Connection, limit: int) -> list[tuple[int, str, str]]:
    """(id, reporter, key_id) of accepted submissions whose key the registry does not hold for
    their reporter, first ones first."""
    return [
        (i, r, k)
        for i, r, k in conn.execute(
            text(
                "SELECT s.id, s.reporter, s.key_id FROM submissions s "
                "LEFT JOIN signing_keys k ON k.key_id = s.key_id AND k.uscc = s.reporter "
                "WHERE k.key_id IS NULL ORDER BY s.id LIMIT :n"
            ),
            {"n": limit},
        )
    ]
