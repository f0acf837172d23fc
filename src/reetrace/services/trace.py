"""Use case: trace a lot backward to its origins or forward to its descendants (CONTRACT §6)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, or_, select

from reetrace.domain import trace as tracing
from reetrace.errors import NotFound, UsageError
from reetrace.store import tables as t
from reetrace.store.database import Store
from reetrace.store.lot_source import SqlLotSource

DIRECTIONS = ("backward", "forward")


def trace(store: Store, lot: str, direction: str) -> dict[str, Any]:
    if direction not in DIRECTIONS:
        raise UsageError(f"direction must be backward or forward, not {direction!r}")
    with store.reading() as conn:
        known = conn.scalar(select(or_(
            exists().where(t.lots.c.lot == lot), exists().where(t.lot_draws.c.lot == lot))))
        if not known:
            raise NotFound(f"lot {lot!r} is not in the ledger")
        source = SqlLotSource(conn)
        result = tracing.backward(lot, source) if direction == "backward" else tracing.forward(lot, source)
        return result.as_contract()
