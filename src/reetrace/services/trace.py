"""Use case: trace a lot backward to its origins or forward to its descendants (docs/contract.md §6)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, exists, or_, select

from reetrace.domain import trace as tracing
from reetrace.errors import NotFound, UsageError
from reetrace.store import tables as t
from reetrace.store.database import Store
from reetrace.store.lot_history import bodies_at, seqs_touching
from reetrace.store.lot_source import SqlLotSource

DIRECTIONS = ("backward", "forward")


def trace(store: Store, lot: str, direction: str) -> dict[str, Any]:
    """The trace of a lot in the ledger: two queries per level of the lot graph (`SqlLotSource`).

    A lot the trace found a creation for is in the ledger; only a lot without one (never created,
    or not in the ledger at all) costs one more query, to tell the two apart."""
    if direction not in DIRECTIONS:
        raise UsageError(f"direction must be backward or forward, not {direction!r}")
    with store.reading() as conn:
        source = SqlLotSource(conn)
        result = tracing.backward(lot, source) if direction == "backward" else tracing.forward(lot, source)
        if result.creation is None and not _in_ledger(conn, lot):
            raise NotFound(f"lot {lot!r} is not in the ledger")
        return result.as_contract()


def history(store: Store, lot: str) -> list[tuple[str, dict[str, Any]]]:
    """The events of a lot's history, backward, in ledger order, each as (reporter, the event as
    submitted): the creation of the lot and of every lot it was made from (its trace's lots), and
    every shipment, receipt, export, adjustment and use of those lots; not the creations of
    other lots made from them. NotFound for a lot not in the ledger."""
    with store.reading() as conn:
        creations = tracing.ancestry(lot, SqlLotSource(conn))
        if creations[lot] is None and not _in_ledger(conn, lot):
            raise NotFound(f"lot {lot!r} is not in the ledger")
        rows = bodies_at(conn, seqs_touching(conn, creations))
    events = [(reporter, json.loads(body)) for reporter, body in rows]
    return [
        (reporter, event)
        for reporter, event in events
        if event["type"] not in tracing.CREATING_TYPES or any(o["lot"] in creations for o in event["outputs"])
    ]


def _in_ledger(conn: Connection, lot: str) -> bool:
    """Whether any event created or drew from the lot."""
    return bool(conn.scalar(select(or_(exists().where(t.lots.c.lot == lot), exists().where(t.lot_draws.c.lot == lot)))))
