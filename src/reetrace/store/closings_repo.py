"""Closed years (reetrace.domain.closing): each closing's row, chained, and its opening's bytes
kept in parts (a national year's opening is larger than one value of either database should be)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, func, insert, select

from reetrace.store import chains
from reetrace.store import tables as t

PART_BYTES = 16 * 1024 * 1024


def record_closing(conn: Connection, row: Mapping[str, Any], blob: bytes) -> dict[str, Any]:
    """Store a closing (the caller's write transaction): the row chained, then its bytes."""
    stored = chains.append(conn, t.year_closings, dict(row))
    for n, start in enumerate(range(0, max(len(blob), 1), PART_BYTES)):
        # one part at a time: memory holds one copy of a part, not of the whole opening
        part = blob[start : start + PART_BYTES]
        conn.execute(insert(t.year_closing_parts).values(closing_id=stored["id"], part=n, data=part))
    return stored


def closings(conn: Connection) -> list[dict[str, Any]]:
    """Every closing, the latest of each year first among that year's, latest years first."""
    rows = conn.execute(select(t.year_closings).order_by(t.year_closings.c.year.desc(), t.year_closings.c.id.desc()))
    return [dict(row._mapping) for row in rows]


def latest_closings(conn: Connection) -> list[dict[str, Any]]:
    """The latest closing of each closed year, latest years first."""
    seen: set[int] = set()
    found = []
    for row in closings(conn):
        if row["year"] not in seen:
            seen.add(row["year"])
            found.append(row)
    return found


def opening_bytes(conn: Connection, closing_id: int) -> bytes:
    rows = conn.execute(
        select(t.year_closing_parts.c.data)
        .where(t.year_closing_parts.c.closing_id == closing_id)
        .order_by(t.year_closing_parts.c.part)
    )
    return b"".join(bytes(data) for (data,) in rows)


def last_seq_before(conn: Connection, boundary: str) -> int:
    """The last ledger position among the events before `boundary` (UTC text)."""
    return int(conn.execute(select(func.max(t.events.c.seq)).where(t.events.c.time < boundary)).scalar() or 0)


def recorded_since(conn: Connection, last_seq: int, boundary: str) -> int:
    """How many events before `boundary` were recorded after position `last_seq`."""
    stmt = select(func.count()).where(t.events.c.seq > last_seq, t.events.c.time < boundary)
    return int(conn.execute(stmt).scalar() or 0)
