"""Snapshots of the dashboard's national overview (table `overview_snapshots`)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from reetrace.store import tables as t


def load_snapshot(conn: Connection, year: int, as_of: date, ledger_size: int | None) -> dict[str, Any] | None:
    """The snapshot for this year and date, if it was computed on a ledger of this size (of any
    size, with None)."""
    c = t.overview_snapshots.c
    row = conn.execute(select(c.ledger_size, c.payload).where(c.year == year, c.as_of == as_of.isoformat())).first()
    if row is None or (ledger_size is not None and row.ledger_size != ledger_size):
        return None
    return json.loads(row.payload)


def save_snapshot(
    conn: Connection, year: int, as_of: date, ledger_size: int, computed_at: str, payload: dict[str, Any]
) -> None:
    c = t.overview_snapshots.c
    conn.execute(delete(t.overview_snapshots).where(c.year == year, c.as_of == as_of.isoformat()))
    conn.execute(
        insert(t.overview_snapshots).values(
            year=year,
            as_of=as_of.isoformat(),
            ledger_size=ledger_size,
            computed_at=computed_at,
            payload=json.dumps(payload),
        )
    )
