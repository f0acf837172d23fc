"""EPCIS capture jobs and the EPCIS ids of captured events (migration 0021; docs/epcis.md).

A capture job is written once, in the transaction that records the capture as a submission or
a rejection, and never changed. `epcis_ids` rows are inserted or ignored: an id already held,
or an event that already has one, keeps what it has, so capturing a document again changes
nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select

from reetrace.store import tables as t
from reetrace.store.bulk import select_in
from reetrace.store.timefmt import to_utc_text

JOB_COLUMNS = (
    "id",
    "received_at",
    "enterprise",
    "username",
    "digest",
    "size",
    "submission_id",
    "rejection_id",
    "success",
    "event_count",
    "accepted",
    "errors",
)


def add_capture(conn: Connection, row: dict[str, Any]) -> int:
    """Write one capture job; its id."""
    return int(conn.execute(insert(t.epcis_captures).values(**row).returning(t.epcis_captures.c.id)).scalar_one())


def events_of_ids(conn: Connection, epcis_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """The event (reporter, event_id) each of these EPCIS ids already names, where one does."""
    rows = select_in(
        conn, "SELECT epcis_id, reporter, event_id FROM epcis_ids WHERE epcis_id IN_LIST", (), sorted(set(epcis_ids))
    )
    return {epcis_id: (reporter, event_id) for epcis_id, reporter, event_id in rows}


def submission_ids(conn: Connection, digests: Sequence[str]) -> dict[str, int]:
    """The id of each submission already recorded, by its digest."""
    rows = select_in(conn, "SELECT digest, id FROM submissions WHERE digest IN_LIST", (), sorted(set(digests)))
    return {digest: sub_id for digest, sub_id in rows}


def capture_job(conn: Connection, job_id: int) -> Any | None:
    c = t.epcis_captures.c
    return conn.execute(select(*(getattr(c, name) for name in JOB_COLUMNS)).where(c.id == job_id)).first()


JOB_SORTS = {"received": "id", "events": "event_count", "accepted": "accepted", "outcome": "success"}


def capture_jobs(
    conn: Connection,
    enterprise: str | None,
    limit: int,
    offset: int,
    start: datetime | None = None,
    end: datetime | None = None,
    q: str = "",
    sort: str = "received",
    descending: bool = True,
) -> tuple[list[Any], int]:
    """Capture jobs, newest first unless sorted otherwise: one enterprise's (None: every
    one's), received within [start, end), whose account or errors hold `q`."""
    c = t.epcis_captures.c
    conditions = []
    if enterprise is not None:
        conditions.append(c.enterprise == enterprise)
    if start is not None:
        conditions.append(c.received_at >= to_utc_text(start))
    if end is not None:
        conditions.append(c.received_at < to_utc_text(end))
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(or_(c.username.ilike(like, escape="\\"), c.errors.ilike(like, escape="\\")))
    total = conn.scalar(select(func.count()).select_from(t.epcis_captures).where(*conditions)) or 0
    column = getattr(c, JOB_SORTS[sort])
    order = [column.desc() if descending else column.asc(), c.id.desc() if descending else c.id.asc()]
    stmt = select(*(getattr(c, name) for name in JOB_COLUMNS)).where(*conditions).order_by(*order)
    return list(conn.execute(stmt.limit(limit).offset(offset))), total
