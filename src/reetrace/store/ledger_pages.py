"""The ledger read in pages of acceptance order, for exports that must never hold it whole.

Pages are keyset-paginated on `seq` (the primary key): each page is its own short query
`seq > last ORDER BY seq LIMIT n`, so memory stays bounded and no cursor is held open between
pages. The ledger is append-only and its rows are appended in `seq` order under the write lock,
so the events up to a `seq` read at the start form a fixed prefix, whatever is appended during
the export.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, false, func, or_, select

from reetrace.store import tables as t


def ledger_extent(conn: Connection) -> tuple[int, int]:
    """(number of events, highest seq) of the ledger now."""
    count, last = conn.execute(select(func.count(), func.max(t.events.c.seq)).select_from(t.events)).one()
    return count or 0, last or 0


def count_events(conn: Connection, last_seq: int, time_ranges: Sequence[tuple[str, str]] | None = None) -> int:
    """Events up to `last_seq`, with an event time (UTC text) in one of `time_ranges` [start, end)
    when they are given."""
    stmt = select(func.count()).select_from(t.events).where(t.events.c.seq <= last_seq)
    if time_ranges is not None:
        stmt = stmt.where(_in_ranges(time_ranges))
    return conn.scalar(stmt) or 0


def event_pages(
    conn: Connection, last_seq: int, page_size: int = 20_000, time_ranges: Sequence[tuple[str, str]] | None = None
) -> Iterator[Sequence[Any]]:
    """The events up to `last_seq` in pages of at most `page_size` rows, in seq order; each row
    is (seq, reporter, event_id, type, time, received_at, submission_id, digest, body). With
    `time_ranges`, only events whose time falls in one of them [start, end), UTC text."""
    e = t.events.c
    stmt = select(e.seq, e.reporter, e.event_id, e.type, e.time, e.received_at, e.submission_id, e.digest, e.body)
    if time_ranges is not None:
        stmt = stmt.where(_in_ranges(time_ranges))
    after = 0
    while after < last_seq:
        rows = conn.execute(stmt.where(e.seq > after, e.seq <= last_seq).order_by(e.seq).limit(page_size)).all()
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def _in_ranges(time_ranges: Sequence[tuple[str, str]]) -> ColumnElement[bool]:
    time = t.events.c.time
    return or_(*(and_(time >= start, time < end) for start, end in time_ranges)) if time_ranges else false()
