"""The tables whose rows must never change, each kept as a hash chain (reetrace.ledger.chains).

A row of a chained table is written only by `append` (or `append_many`), in the caller's write
transaction: the row is inserted, read back as the database holds it, digested (its non-null
columns: a column added by a later migration leaves the digests of older rows as they were)
and linked to the chain's head in `chain_links`. Reading the row back, rather than digesting
the values handed in, makes the digest what a verifier will read later, whatever the driver
does to numbers and bytes.

The write lock (`Store.writing`) serialises appends, so a chain never forks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, insert, inspect, select, text, tuple_

from reetrace.ledger import chains
from reetrace.store import tables as t
from reetrace.store.bulk import insert_rows
from reetrace.store.derived import stream


@dataclass(frozen=True)
class Chained:
    """A chained table: its name, its key columns, and which of its rows the chain covers."""

    table: Table
    key: tuple[str, ...]
    where: str | None = None  # SQL over the table's columns; None: every row

    @property
    def name(self) -> str:
        return self.table.name


CHAINED: dict[str, Chained] = {
    c.name: c
    for c in (
        Chained(t.access_log, ("id",)),
        Chained(t.account_changes, ("id",)),
        Chained(t.rejections, ("id",)),
        Chained(t.control_changes, ("id",)),
        Chained(t.finding_actions, ("id",)),
        Chained(t.license_applications, ("number",)),
        Chained(t.application_documents, ("id",)),
        Chained(t.application_steps, ("id",)),
        Chained(t.prereviews, ("id",)),
        Chained(t.licenses, ("license_no",), "source = 'review'"),  # issued here; migrated ones are upserted
        Chained(t.officials, ("name",)),
        Chained(t.screening_loads, ("id",)),
        Chained(t.customs_imports, ("id",)),
        Chained(t.customs_declarations, ("declaration_no", "item")),
        Chained(t.arrival_reports, ("export_ref",)),
        Chained(t.year_closings, ("id",)),
    )
}


LINK_COLUMNS = ("chain", "n", "row_key", "digest", "link")


def row_key(values: Mapping[str, Any], key: Sequence[str]) -> str:
    """A row's key as the chain records it: the JSON list of its key columns' values."""
    if len(key) == 1 and type(values[key[0]]) is int:
        return f"[{values[key[0]]}]"  # what json.dumps writes, without its machinery (most keys)
    return json.dumps([values[k] for k in key], ensure_ascii=False, separators=(",", ":"))


def row_values(row: Mapping[str, Any]) -> dict[str, Any]:
    """What a row's digest covers: its non-null columns."""
    return {k: v for k, v in row.items() if v is not None}


def append(conn: Connection, table: Table, values: Mapping[str, Any]) -> dict[str, Any]:
    """Insert one row into a chained table and link it; returns the row as stored."""
    spec = _spec(conn, table)
    result = conn.execute(insert(table).values(**values))
    key_values = dict(values)
    for column, value in zip(table.primary_key.columns, result.inserted_primary_key or (), strict=True):
        key_values[column.name] = value
    stored = _read_back(conn, spec, key_values)
    length, head = _head(conn, spec.name)
    _link(conn, spec, stored, length, head)
    return stored


def append_all(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """`append` for many rows whose key the database gives (an autoincrement id), in order:
    one insert returning their keys, one read back, one insert of their links, however many
    rows (what a group of submissions written together costs its access log)."""
    spec = _spec(conn, table)
    if not rows:
        return
    if spec.where is not None or len(rows) == 1:
        for values in rows:
            append(conn, table, values)
        return
    key_columns = [table.c[k] for k in spec.key]
    inserted = conn.execute(insert(table).returning(*key_columns, sort_by_parameter_order=True), list(rows))
    keys = [tuple(found) for found in inserted]
    _link_all(conn, spec, keys)


def append_many(conn: Connection, table: Table, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert rows (tuples in the order of `columns`) into a chained table whose key they carry,
    in order, each linked to the one before: one bulk insert, the rows read back by key in
    chunks, one bulk insert of their links."""
    spec = _spec(conn, table)
    if not rows:
        return
    if spec.where is not None or not set(spec.key) <= set(columns):
        for row in rows:
            append(conn, table, dict(zip(columns, row, strict=True)))
        return
    insert_rows(conn, table, columns, rows)
    _link_all(conn, spec, [tuple(row[columns.index(k)] for k in spec.key) for row in rows])


def _link_all(conn: Connection, spec: Chained, keys: Sequence[tuple[Any, ...]]) -> None:
    """Link the rows of these keys, just inserted, in this order: read back in chunks, linked,
    and their links written in one bulk insert."""
    stored: dict[tuple[Any, ...], dict[str, Any]] = {}
    for start in range(0, len(keys), 200):
        chunk = keys[start : start + 200]
        params = {f"k{i}_{j}": v for i, key in enumerate(chunk) for j, v in enumerate(key)}
        where = " OR ".join(
            "(" + " AND ".join(f"{k} = :k{i}_{j}" for j, k in enumerate(spec.key)) + ")" for i in range(len(chunk))
        )
        for found in conn.execute(text(f"SELECT * FROM {spec.name} WHERE {where}"), params):
            values = dict(found._mapping)
            stored[tuple(values[k] for k in spec.key)] = values
    length, head = _head(conn, spec.name)
    links = []
    for key in keys:
        values = stored[key]
        digest = chains.row_digest(row_values(values))
        head = chains.link(head, spec.name, row_key(values, spec.key), digest)
        length += 1
        links.append((spec.name, length, row_key(values, spec.key), digest, head))
    insert_rows(conn, t.chain_links, LINK_COLUMNS, links)


def _spec(conn: Connection, table: Table) -> Chained:
    spec = CHAINED.get(table.name)
    if spec is None:
        raise ValueError(f"{table.name} is not a chained table")
    if not conn.get_execution_options().get("reetrace_write"):
        raise RuntimeError(f"rows of {table.name} are appended only under the write lock (Store.writing)")
    return spec


def _read_back(conn: Connection, spec: Chained, key_values: Mapping[str, Any]) -> dict[str, Any]:
    where = " AND ".join(f"{k} = :k{i}" for i, k in enumerate(spec.key))
    row = conn.execute(
        text(f"SELECT * FROM {spec.name} WHERE {where}"), {f"k{i}": key_values[k] for i, k in enumerate(spec.key)}
    ).first()
    if row is None:
        raise LookupError(f"{spec.name} row {row_key(key_values, spec.key)} was not stored")
    return dict(row._mapping)


def _head(conn: Connection, name: str) -> tuple[int, bytes]:
    c = t.chain_links.c
    last = conn.execute(select(c.n, c.link).where(c.chain == name).order_by(c.n.desc()).limit(1)).first()
    return (0, chains.GENESIS) if last is None else (last.n, bytes(last.link))


def _link(conn: Connection, spec: Chained, stored: Mapping[str, Any], length: int, head: bytes) -> bytes:
    if spec.where is not None and not _covered(conn, spec, stored):
        return head
    key = row_key(stored, spec.key)
    digest = chains.row_digest(row_values(stored))
    new_head = chains.link(head, spec.name, key, digest)
    conn.execute(insert(t.chain_links).values(chain=spec.name, n=length + 1, row_key=key, digest=digest, link=new_head))
    return new_head


def _covered(conn: Connection, spec: Chained, stored: Mapping[str, Any]) -> bool:
    where = " AND ".join(f"{k} = :k{i}" for i, k in enumerate(spec.key))
    params = {f"k{i}": stored[k] for i, k in enumerate(spec.key)}
    return conn.execute(text(f"SELECT 1 FROM {spec.name} WHERE {where} AND ({spec.where})"), params).first() is not None


def heads(conn: Connection) -> dict[str, tuple[int, bytes]]:
    """Every chain's length and head (chains with no row yet: length 0, the genesis head), in
    one statement: each chain's last link, looked up by the primary key."""
    names = sorted(CHAINED)
    last = " UNION ALL ".join(
        f"SELECT chain, n, link FROM (SELECT chain, n, link FROM chain_links WHERE chain = :c{i} "
        f"ORDER BY n DESC LIMIT 1) AS last{i}"
        for i in range(len(names))
    )
    found = {
        row.chain: (int(row.n), bytes(row.link))
        for row in conn.execute(text(last), {f"c{i}": name for i, name in enumerate(names)})
    }
    return {name: found.get(name, (0, chains.GENESIS)) for name in names}


def link_at(conn: Connection, name: str, n: int) -> bytes | None:
    """The head of chain `name` after its `n`th row, as stored (None: no such link)."""
    c = t.chain_links.c
    found = conn.scalar(select(c.link).where(c.chain == name, c.n == n))
    return None if found is None else bytes(found)


def links_at(conn: Connection, wanted: Mapping[str, int]) -> dict[str, bytes]:
    """`link_at` for several chains in one statement: chain name → the head after its `n`th row,
    for those that have one."""
    if not wanted:
        return {}
    c = t.chain_links.c
    rows = conn.execute(select(c.chain, c.link).where(tuple_(c.chain, c.n).in_(list(wanted.items()))))
    return {row.chain: bytes(row.link) for row in rows}


def links(conn: Connection, name: str, yield_per: int = 10_000) -> Iterator[Any]:
    """A chain's links in order: (n, row_key, digest, link)."""
    c = t.chain_links.c
    yield from conn.execute(
        select(c.n, c.row_key, c.digest, c.link)
        .where(c.chain == name)
        .order_by(c.n)
        .execution_options(yield_per=yield_per)
    )


def link_rows(conn: Connection, name: str) -> Iterator[tuple[Any, ...]]:
    """`links`, straight from the driver (a verification reads every link): tuples
    (n, row_key, digest, link) in order."""
    return stream(conn, "SELECT n, row_key, digest, link FROM chain_links WHERE chain = %s ORDER BY n", (name,))


def rows_as_stored(conn: Connection, name: str) -> Iterator[dict[str, Any]]:
    """`covered_rows` straight from the driver, in no particular order (a verification reads
    every row): the same values, as neither adds anything to an untyped `SELECT *`."""
    spec = CHAINED[name]
    where = f" WHERE {spec.where}" if spec.where else ""
    columns: list[str] = []
    for row in stream(conn, f"SELECT * FROM {name}{where}", (), columns=columns):
        yield dict(zip(columns, row, strict=True))


def covered_rows(conn: Connection, name: str, yield_per: int = 10_000) -> Iterator[dict[str, Any]]:
    """The rows a chain covers, as stored, in key order."""
    spec = CHAINED[name]
    where = f" WHERE {spec.where}" if spec.where else ""
    rows = conn.execute(
        text(f"SELECT * FROM {name}{where} ORDER BY {', '.join(spec.key)}").execution_options(yield_per=yield_per)
    )
    for row in rows:
        yield dict(row._mapping)


def backfill(conn: Connection) -> None:
    """Link the rows written before the chains existed, in key order (migration 0014). A table
    a later migration creates has no rows yet: it is skipped."""
    present = set(inspect(conn).get_table_names())
    for name, spec in CHAINED.items():
        if name not in present:
            continue
        length, head = _head(conn, name)
        if length:
            continue
        for stored in covered_rows(conn, name):
            head = _link(conn, spec, stored, length, head)
            length += 1
