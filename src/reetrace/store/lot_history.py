"""The events that touched given lots: the ones that created them, drew on them, moved them
(ship, receive, export) or adjusted them, so that a few lots' custody can be replayed without
reading the whole ledger."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator
from datetime import datetime

from sqlalchemy import Connection, select

from reetrace.contract.stored import decode_event
from reetrace.domain.event_keys import lot_key
from reetrace.domain.events import Event, RecordedEvent
from reetrace.store import tables as t
from reetrace.store.bulk import select_in

_CHUNK = 500


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def seqs_touching(conn: Connection, lots: Collection[str]) -> set[int]:
    """The ledger positions of every event naming one of `lots`: creations and draws from the
    lot tables, moves and adjustments from the event keys."""
    seqs: set[int] = set()
    wanted = sorted(set(lots))
    for chunk in _chunks(wanted, _CHUNK):
        seqs.update(seq for (seq,) in select_in(conn, "SELECT seq FROM lots WHERE lot IN_LIST", (), chunk))
        seqs.update(seq for (seq,) in select_in(conn, "SELECT seq FROM lot_draws WHERE lot IN_LIST", (), chunk))
        seqs.update(
            seq
            for (seq,) in select_in(
                conn, "SELECT seq FROM event_keys WHERE key IN_LIST", (), [lot_key(lot) for lot in chunk]
            )
        )
    return seqs


def seqs_keyed(conn: Connection, keys: Collection[str]) -> set[int]:
    """The ledger positions of the events filed under any of `keys` (reetrace.domain.event_keys)."""
    seqs: set[int] = set()
    for chunk in _chunks(sorted(set(keys)), _CHUNK):
        seqs.update(seq for (seq,) in select_in(conn, "SELECT seq FROM event_keys WHERE key IN_LIST", (), chunk))
    return seqs


def recorded_at(conn: Connection, seqs: Iterable[int]) -> list[RecordedEvent]:
    """The events at these ledger positions, decoded as the audit reads them, in ledger order."""
    ordered = sorted(set(seqs))
    e = t.events.c
    out = []
    for start in range(0, len(ordered), 900):
        chunk = ordered[start : start + 900]
        for row in conn.execute(
            select(e.seq, e.reporter, e.time, e.received_at, e.body).where(e.seq.in_(chunk)).order_by(e.seq)
        ):
            out.append(
                RecordedEvent(
                    decode_event(row.reporter, datetime.fromisoformat(row.time), row.body),
                    datetime.fromisoformat(row.received_at),
                    row.seq,
                )
            )
    return out


def bodies_at(conn: Connection, seqs: Iterable[int]) -> list[tuple[str, str]]:
    """(reporter, body as stored: the event's RFC 8785 JSON) of the events at these ledger
    positions, in ledger order."""
    ordered = sorted(set(seqs))
    e = t.events.c
    out: list[tuple[str, str]] = []
    for start in range(0, len(ordered), 900):
        chunk = ordered[start : start + 900]
        out.extend(
            (row.reporter, row.body)
            for row in conn.execute(select(e.reporter, e.body).where(e.seq.in_(chunk)).order_by(e.seq))
        )
    return out


def events_at(conn: Connection, seqs: Collection[int]) -> list[Event]:
    """The events at these ledger positions, decoded, in ledger order."""
    return [record.event for record in recorded_at(conn, seqs)]


def events_touching(conn: Connection, lots: Collection[str]) -> list[Event]:
    """Every event naming one of `lots`, decoded, in ledger order."""
    return events_at(conn, seqs_touching(conn, lots))


def consignees(conn: Connection, like: str | None = None) -> Iterator[str]:
    """The consignee of every export in the ledger; with `like`, only of the exports whose text
    holds it (case aside for ASCII letters): a cheap narrowing for one name, which the caller
    still compares as it must."""
    stmt = select(t.events.c.body).where(t.events.c.type == "export")
    if like:
        escaped = like.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(t.events.c.body.ilike(f"%{escaped}%", escape="\\"))
    for body in conn.scalars(stmt):
        yield json.loads(body)["consignee"]


def seqs_creating(conn: Connection, lots: Collection[str]) -> set[int]:
    """The ledger positions of the events that created any of `lots`."""
    seqs: set[int] = set()
    for chunk in _chunks(sorted(set(lots)), _CHUNK):
        seqs.update(seq for (seq,) in select_in(conn, "SELECT seq FROM lots WHERE lot IN_LIST", (), chunk))
    return seqs


def seqs_drawing(conn: Connection, lots: Collection[str]) -> set[int]:
    """The ledger positions of the transforms that drew on any of `lots`."""
    seqs: set[int] = set()
    for chunk in _chunks(sorted(set(lots)), _CHUNK):
        seqs.update(seq for (seq,) in select_in(conn, "SELECT seq FROM lot_draws WHERE lot IN_LIST", (), chunk))
    return seqs
