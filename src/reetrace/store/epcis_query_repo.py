"""The ledger read as EPCIS answers it (docs/epcis.md): recorded events selected by what a
query asks (lots named, type, event time, reporter, the enterprise asking), a page at a time in
event-time order; and the index of EPCIS eventIDs (`epcis_ids`), which says which event an
eventID stands for.

Order and paging: events come in (time, seq) order — `time` is UTC text of fixed width, so text
order is time order, and `seq` breaks ties — and a page starts after a position (time, seq) of
the page before (keyset paging: the same cost for the thousandth page as for the first, and no
event skipped or repeated when others are recorded meanwhile).

Prefix look-ups (a lot pattern, a shipment's key by its parties) compare text as bytes: on
SQLite always; on PostgreSQL as a range over the index when the database's collation orders text
by its bytes (C, POSIX), else as a pattern, which is right but reads the whole index.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Engine,
    Select,
    and_,
    any_,
    func,
    literal,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite

from reetrace.domain.event_keys import lot_key
from reetrace.store import tables as t

Position = tuple[str, int]  # (event time as stored, seq)
Pattern = tuple[str, bool]  # a lot id, or with True the prefix of lot ids
_TOP = "\U0010ffff"  # sorts after every character: `p <= x < p + _TOP` is "x starts with p"
_e, _i = t.events.c, t.epcis_ids.c


@dataclass(frozen=True, slots=True)
class RecordedRow:
    """One recorded event as a query returns it, with the EPCIS eventID `epcis_ids` holds for
    it (None: none yet; its hash is then worked out from the body)."""

    seq: int
    reporter: str
    event_id: str
    type: str
    time: str
    received_at: str
    body: str
    epcis_id: str | None

    @property
    def position(self) -> Position:
        return (self.time, self.seq)


@dataclass(frozen=True, slots=True)
class Selection:
    """Which recorded events: each condition given narrows them (None: no condition)."""

    seqs: frozenset[int] | None = None  # only events at these ledger positions
    reporter: str | None = None  # only events this enterprise reported
    types: frozenset[str] | None = None  # only events of these §4 types
    since: str | None = None  # event time at or after (UTC text)
    until: str | None = None  # event time before (UTC text)

    @property
    def empty(self) -> bool:
        """Whether nothing can be selected, without asking the store."""
        return (self.seqs is not None and not self.seqs) or (self.types is not None and not self.types)


class TooMany(Exception):
    """A lot pattern names more events than a query may gather."""


# --- events, a page at a time -------------------------------------------------------------------


def _recorded() -> Select[Any]:
    return select(_e.seq, _e.reporter, _e.event_id, _e.type, _e.time, _e.received_at, _e.body, _i.epcis_id).outerjoin(
        t.epcis_ids, and_(_i.reporter == _e.reporter, _i.event_id == _e.event_id)
    )


def _conditions(conn: Connection, selection: Selection, after: Position | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if selection.seqs is not None:
        where.append(_among(conn, _e.seq, selection.seqs))
    if selection.reporter is not None:
        where.append(_e.reporter == selection.reporter)
    if selection.types is not None:
        where.append(_e.type.in_(sorted(selection.types)))
    if selection.since is not None:
        where.append(_e.time >= selection.since)
    if selection.until is not None:
        where.append(_e.time < selection.until)
    if after is not None:  # the first condition is the one an index on time alone answers
        where.append(_e.time >= after[0])
        where.append(tuple_(_e.time, _e.seq) > tuple_(literal(after[0]), literal(after[1])))
    return where


def _rows(conn: Connection, where: list[ColumnElement[bool]], limit: int) -> list[RecordedRow]:
    """The first `limit` events in (time, seq) order: their positions first (a sort of narrow
    rows, however many events match), then the whole of those few."""
    first = select(_e.seq).where(*where).order_by(_e.time, _e.seq).limit(limit)
    seqs = list(conn.scalars(first))
    if not seqs:
        return []
    rows = [RecordedRow(*row) for row in conn.execute(_recorded().where(_e.seq.in_(seqs)))]
    return sorted(rows, key=lambda row: row.position)


def page_of(
    conn: Connection, selection: Selection, after: Position | None, limit: int, party: str | None = None
) -> list[RecordedRow]:
    """Up to `limit` selected events after position `after`, in (time, seq) order. With `party`,
    only the events that enterprise is party to: it reported them, or it is the receiver of a
    shipment or the sender of a receipt (`counterparty_seqs`)."""
    if selection.empty or limit < 1:
        return []
    where = _conditions(conn, selection, after)
    if party is None:
        return _rows(conn, where, limit)
    others = counterparty_seqs(conn, party)
    if selection.seqs is not None:  # few events: one statement, either way of being party to them
        mine = or_(_e.reporter == party, _among(conn, _e.seq, others & selection.seqs))
        return _rows(conn, [*where, mine], limit)
    # two streams in the same order, each read from its own index, merged
    own = _rows(conn, [*where, _e.reporter == party], limit)
    theirs = _rows(conn, [*where, _among(conn, _e.seq, others)], limit) if others else []
    merged = {row.seq: row for row in (*own, *theirs)}
    return sorted(merged.values(), key=lambda row: row.position)[:limit]


def count_of(conn: Connection, selection: Selection) -> int:
    """How many events the selection holds (for a progress bar)."""
    if selection.empty:
        return 0
    stmt = select(func.count()).select_from(t.events).where(*_conditions(conn, selection, None))
    return int(conn.scalar(stmt) or 0)


def counterparty_seqs(conn: Connection, party: str) -> frozenset[int]:
    """The ledger positions of the shipments and receipts `party` is named in by others: ships
    to it, receipts from it (and its own of both, which it reported anyway). The shipment keys
    (`S|<sender>|<receiver>|<shipment>`, reetrace.domain.event_keys) are read by prefix: those it
    sent under `S|<party>|`, those it received under `S|<sender>|<party>|` for every registered
    enterprise (a ship's sender is its reporter, always registered): one index range each."""
    k = t.event_keys.c
    if not bytewise(conn):  # a collation that does not order by bytes: read every shipment key
        fields = or_(func.substr(k.key, 3, 19) == party + "|", func.substr(k.key, 22, 19) == party + "|")
        stmt = select(k.seq).where(k.key.like("S|%"), fields)
        return frozenset(conn.scalars(stmt))
    seqs = set(conn.scalars(select(k.seq).where(k.key >= f"S|{party}|", k.key < f"S|{party}|" + _TOP)))
    low = literal("S|") + t.enterprises.c.uscc + f"|{party}|"
    if conn.dialect.name == "postgresql":
        # the planner expects millions of rows from this join and would compile it (JIT) for them
        conn.execute(text("SET LOCAL jit = off"))
    received = select(k.seq).join_from(t.enterprises, t.event_keys, and_(k.key >= low, k.key < low + _TOP))
    seqs.update(conn.scalars(received))
    return frozenset(seqs)


def rows_of_submission(conn: Connection, submission_id: int) -> list[RecordedRow]:
    """The events a submission added to the ledger, in ledger order."""
    rows = conn.execute(_recorded().where(_e.submission_id == submission_id).order_by(_e.seq))
    return [RecordedRow(*row) for row in rows]


def submission_size(conn: Connection, submission_id: int) -> tuple[str, int] | None:
    """Who sent a submission and how many events it added; None when there is no such submission."""
    reporter = conn.execute(select(t.submissions.c.reporter).where(t.submissions.c.id == submission_id)).scalar()
    if reporter is None:
        return None
    counted = select(func.count()).select_from(t.events).where(_e.submission_id == submission_id)
    count = conn.execute(counted).scalar_one()
    return reporter, int(count)


def row_at(conn: Connection, seq: int) -> RecordedRow | None:
    row = conn.execute(_recorded().where(_e.seq == seq)).first()
    return None if row is None else RecordedRow(*row)


# --- lots -------------------------------------------------------------------------------------


def seqs_naming(conn: Connection, patterns: Sequence[Pattern], role: str, most: int) -> frozenset[int]:
    """The ledger positions of the events naming a lot that matches one of `patterns`: `any`
    names it anywhere (creates, draws on, moves, consumes or adjusts it), `input` draws on it in
    a transform, `output` creates it in a transform. Raises `TooMany` past `most` events."""
    exact = sorted({lot for lot, prefix in patterns if not prefix})
    prefixes = sorted({lot for lot, prefix in patterns if prefix})
    sources = {"any": ("lots", "draws", "keys"), "input": ("draws",), "output": ("lots",)}[role]
    transforms_only = role != "any"
    found: set[int] = set()
    for source in sources:
        if source == "keys":
            column: Any = t.event_keys.c.key
            wanted = [lot_key(lot) for lot in exact]
            starts = [lot_key(prefix) for prefix in prefixes]
        else:
            column = (t.lots if source == "lots" else t.lot_draws).c.lot
            wanted, starts = exact, prefixes
        table = column.table
        conditions: list[ColumnElement[bool]] = []
        if wanted:
            conditions.append(column.in_(wanted))
        conditions.extend(_starts_with(conn, column, start) for start in starts)
        if not conditions:
            continue
        stmt = select(table.c.seq).where(or_(*conditions)).distinct()
        if transforms_only:
            stmt = stmt.join_from(table, t.events, t.events.c.seq == table.c.seq).where(t.events.c.type == "transform")
        found.update(conn.scalars(stmt.limit(most + 1)))
        if len(found) > most:
            raise TooMany(most)
    return frozenset(found)


def _starts_with(conn: Connection, column: Any, prefix: str) -> ColumnElement[bool]:
    if bytewise(conn):
        return and_(column >= prefix, column < prefix + _TOP)
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(escaped + "%", escape="\\")


# --- EPCIS eventIDs ---------------------------------------------------------------------------


def seqs_of_epcis_ids(conn: Connection, epcis_ids: Collection[str]) -> dict[str, int]:
    """The ledger position of the event each of `epcis_ids` stands for, as `epcis_ids` holds
    them (an id not there yet is absent)."""
    if not epcis_ids:
        return {}
    stmt = (
        select(_i.epcis_id, _e.seq)
        .join_from(t.epcis_ids, t.events, and_(_e.reporter == _i.reporter, _e.event_id == _i.event_id))
        .where(_i.epcis_id.in_(sorted(epcis_ids)))
    )
    return {epcis_id: seq for epcis_id, seq in conn.execute(stmt)}


def epcis_watermark(conn: Connection) -> int:
    """How far `epcis_ids` holds every event's id: each event up to this seq has its row."""
    return int(conn.scalar(select(t.epcis_index.c.seq).where(t.epcis_index.c.id == 1)) or 0)


def ledger_size(conn: Connection) -> int:
    """The last seq recorded (0: an empty ledger)."""
    return int(conn.scalar(select(func.max(_e.seq))) or 0)


def unindexed(conn: Connection, after: int, upto: int) -> list[tuple[int, str, str, str]]:
    """(seq, reporter, event_id, body) of the events with `after < seq <= upto` that have no
    row in `epcis_ids`, in seq order."""
    stmt = (
        select(_e.seq, _e.reporter, _e.event_id, _e.body)
        .outerjoin(t.epcis_ids, and_(_i.reporter == _e.reporter, _i.event_id == _e.event_id))
        .where(_e.seq > after, _e.seq <= upto, _i.epcis_id.is_(None))
        .order_by(_e.seq)
    )
    return [(seq, reporter, event_id, body) for seq, reporter, event_id, body in conn.execute(stmt)]


def record_epcis_ids(conn: Connection, rows: Iterable[tuple[str, str, str, int]], upto: int) -> None:
    """Keep (epcis_id, reporter, event_id, captured) rows — one already there, by id or by event,
    stays as it is — and move the watermark up to `upto` (never down)."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    values = [{"epcis_id": a, "reporter": b, "event_id": c, "captured": d} for a, b, c, d in rows]
    if values:
        conn.execute(insert(t.epcis_ids).on_conflict_do_nothing(), values)
    conn.execute(insert(t.epcis_index).values(id=1, seq=0).on_conflict_do_nothing())
    index = t.epcis_index.c
    conn.execute(t.epcis_index.update().where(index.id == 1, index.seq < upto).values(seq=upto))


# --- helpers ----------------------------------------------------------------------------------


def _among(conn: Connection, column: Any, values: Collection[int]) -> ColumnElement[bool]:
    """`column IN values` as one parameter however many values: a JSON array read by
    `json_each` on SQLite, an array compared with `= ANY` on PostgreSQL."""
    ordered = sorted(values)
    if conn.dialect.name == "sqlite":
        listed = func.json_each(json.dumps(ordered)).table_valued("value")
        return column.in_(select(listed.c.value))
    return column == any_(literal(ordered, type_=postgresql.ARRAY(BigInteger)))


_BYTEWISE: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def bytewise(conn: Connection) -> bool:
    """Whether the store orders text by its bytes (its index answers a prefix as a range)."""
    if conn.dialect.name == "sqlite":
        return True
    known = _BYTEWISE.get(conn.engine)
    if known is None:
        collation = conn.scalar(text("SELECT datcollate FROM pg_database WHERE datname = current_database()"))
        name = str(collation or "")
        known = _BYTEWISE[conn.engine] = name in ("C", "POSIX") or name.startswith("C.")
    return known
