"""Lots by the beginning of their id, for browsing: each creation of a matching lot with the
enterprise and time of the event that made it, in the order of the ids."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from reetrace.store import tables as t


@dataclass(frozen=True, slots=True)
class LotEntry:
    lot: str
    form: str
    mass_kg: float
    enterprise: str
    created: datetime


def _like_prefix(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def lots_starting_with(conn: Connection, prefix: str, limit: int) -> list[LotEntry]:
    """Up to `limit` creations of lots whose id begins with `prefix` (taken literally: `%` and
    `_` are characters of an id here), by id then order of creation."""
    lo, e = t.lots.c, t.events.c
    rows = conn.execute(
        select(lo.lot, lo.form, lo.mass_kg, e.reporter, e.time)
        .join(t.events, e.seq == lo.seq)
        .where(lo.lot.like(_like_prefix(prefix), escape="\\"))
        .where(func.substr(lo.lot, 1, len(prefix)) == prefix)  # SQLite's LIKE ignores case
        .order_by(lo.lot, lo.seq)
        .limit(limit)
    )
    return [LotEntry(r.lot, r.form, r.mass_kg, r.reporter, datetime.fromisoformat(r.time)) for r in rows]


def lot_exists(conn: Connection, lot: str) -> bool:
    return conn.scalar(select(t.lots.c.lot).where(t.lots.c.lot == lot).limit(1)) is not None
