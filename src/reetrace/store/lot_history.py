"""The events that touched given lots: the ones that created them, drew on them, moved them
(ship, receive, export) or adjusted them, so that a few lots' custody can be replayed without
reading the whole ledger."""

from __future__ import annotations

import json

from collections.abc import Collection, Iterator
from datetime import datetime

from sqlalchemy import Connection, or_, select

from reetrace.contract.stored import decode_event
from reetrace.domain.events import Event
from reetrace.store import tables as t

MOVING_TYPES = ("ship", "receive", "export", "adjust")
_CHUNK = 100


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def events_touching(conn: Connection, lots: Collection[str]) -> list[Event]:
    """Every event naming one of `lots`, decoded, in no particular order."""
    seqs: set[int] = set()
    wanted = sorted(set(lots))
    e = t.events.c
    for chunk in _chunks(wanted, _CHUNK):
        seqs.update(conn.scalars(select(t.lots.c.seq).where(t.lots.c.lot.in_(chunk))))
        seqs.update(conn.scalars(select(t.lot_draws.c.seq).where(t.lot_draws.c.lot.in_(chunk))))
        # Moves name their lots only in the body: the lot id appears there as a JSON string.
        mentions = [e.body.contains(f'"{lot}"', autoescape=True) for lot in chunk]
        seqs.update(conn.scalars(select(e.seq).where(e.type.in_(MOVING_TYPES), or_(*mentions))))
    events = []
    ordered = sorted(seqs)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start:start + 500]
        for row in conn.execute(select(e.reporter, e.time, e.body).where(e.seq.in_(chunk))):
            events.append(decode_event(row.reporter, datetime.fromisoformat(row.time), row.body))
    return events


def consignees(conn: Connection) -> Iterator[str]:
    """The consignee of every export in the ledger."""
    for body in conn.scalars(select(t.events.c.body).where(t.events.c.type == "export")):
        yield json.loads(body)["consignee"]
