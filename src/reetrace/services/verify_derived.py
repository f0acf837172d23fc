"""The tables derived from the events, compared with what the event bodies say
(reetrace.ledger.derived): the events' own type, time and digest columns, `lots`, `lot_draws`,
`event_keys`, and on PostgreSQL the identities of `event_ids`. The shipment index and a lot's
history (reetrace.store.shipment_index, reetrace.store.lot_history) are queries over these
tables and the events, and hold nothing of their own.

While the events stream past (in the verification's one pass over them), the rows each one
implies go into keyed digests per range of 65,536 ledger positions; each stored table is then
read once, in any order, into digests of its own. A range whose digests differ is read again,
alone, and its rows compared one by one: each row missing, added or changed is named, with the
event it derives from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Connection

from reetrace.ledger.derived import Derived, Underivable, derive, stored_composition
from reetrace.ledger.multiset import MultisetDigest, RowHasher
from reetrace.store import derived as stored

RANGE_BITS = 16  # ledger positions per range compared: 65,536
MAX_NAMED = 20  # rows named per table; beyond, how many more differ
MAX_RANGES = 4  # ranges read again per table to name their rows

COLUMNS = {
    "lots": ("seq", "position", "lot", "form", "mass_kg", "composition", "hs_code"),
    "lot_draws": ("seq", "position", "lot", "mass_kg"),
    "event_keys": ("key", "seq"),
    "event_ids": ("seq", "reporter", "event_id", "digest"),
}


# Stored rows are compared as the events' rows are written (masses as floats, compositions as
# pairs). Whoever edits the database may store anything in any column (SQLite keeps whatever it
# is given): such a value is kept as it is, compares unequal, and is named.


def _mass(value: Any) -> Any:
    return float(value) if type(value) in (int, float) else value


def _lot(row: tuple[Any, ...]) -> tuple[Any, ...]:
    seq, position, lot, form, mass, composition, hs_code = row
    shown = stored_composition(composition) if isinstance(composition, str) else composition
    return (seq, position, lot, form, _mass(mass), shown, hs_code)


def _draw(row: tuple[Any, ...]) -> tuple[Any, ...]:
    seq, position, lot, mass = row
    return (seq, position, lot, _mass(mass))


def _same(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(row)


def _seq_first(row: tuple[Any, ...]) -> int:
    return row[0] if type(row[0]) is int else -1  # not a position: a range of its own, read again


def _seq_second(row: tuple[Any, ...]) -> int:
    return row[1] if type(row[1]) is int else -1


# table → (how its stored rows are read; each row as compared; the ledger position it belongs to)
_Reader = Callable[..., Iterator[tuple[Any, ...]]]
_TABLES: dict[str, tuple[_Reader, Callable[[tuple[Any, ...]], tuple[Any, ...]], Callable[[tuple[Any, ...]], int]]] = {
    "lots": (stored.lots, _lot, _seq_first),
    "lot_draws": (stored.draws, _draw, _seq_first),
    "event_keys": (stored.keys, _same, _seq_second),
    "event_ids": (stored.identities, _same, _seq_first),
}


def _implied(table: str, derived: Derived, seq: int, reporter: str, event_id: str) -> tuple[tuple[Any, ...], ...]:
    if table == "lots":
        return derived.lots
    if table == "lot_draws":
        return derived.draws
    if table == "event_keys":
        return derived.keys
    return ((seq, reporter, event_id, derived.digest),)


def derived_tables(conn: Connection) -> list[str]:
    """The derived tables this store keeps."""
    return [name for name in _TABLES if name != "event_ids" or stored.has_identities(conn)]


def stored_digests(conn: Connection, tables: list[str], hasher: RowHasher) -> dict[str, MultisetDigest]:
    """Each stored table read once, in its own order, into digests per range of positions."""
    digests = {}
    for table in tables:
        reader, normal, position = _TABLES[table]
        found = digests[table] = MultisetDigest(hasher)
        add = found.add
        for row in reader(conn):
            add(position(row) >> RANGE_BITS, normal(row))
    return digests


class DerivedCheck:
    """Fed every event in acceptance order (`add_event`); compares the stored tables at `finish`."""

    def __init__(self, conn: Connection, hasher: RowHasher) -> None:
        self.conn = conn
        self.tables = derived_tables(conn)
        self.expected = {name: MultisetDigest(hasher) for name in self.tables}
        self.identities = self.expected.get("event_ids")
        self.hasher = hasher
        self.problems: list[str] = []
        self.events = 0

    def add_event(self, seq: int, reporter: str, event_id: str, type_: str, time: str, digest: str, body: str) -> None:
        self.events += 1
        try:
            derived = derive(seq, reporter, body)
        except Underivable as exc:
            self._name(f"events: row {seq} ({reporter}:{event_id}): its body cannot be read as an event ({exc})")
            return
        for column, found, implied in (
            ("type", type_, derived.type),
            ("time", time, derived.time),
            ("digest", digest, derived.digest),
        ):
            if found != implied:
                self._name(
                    f"events: row {seq} ({reporter}:{event_id}, leaf {seq - 1}): its {column} column is "
                    f"{found!r}, the event says {implied!r}: the column was changed"
                )
        bucket = seq >> RANGE_BITS
        expected = self.expected
        if derived.lots:
            expected["lots"].add_all(bucket, derived.lots)
        if derived.draws:
            expected["lot_draws"].add_all(bucket, derived.draws)
        if derived.keys:
            expected["event_keys"].add_all(bucket, derived.keys)
        if self.identities is not None:
            self.identities.add(bucket, (seq, reporter, event_id, derived.digest))

    def finish(self, problems: list[str], found: dict[str, MultisetDigest] | None = None) -> dict[str, int]:
        """Compare the stored tables (their digests `found`, made by another process reading
        the same snapshot; else read here) with the events' rows, name what differs; returns
        the rows compared per table (the events' columns under "events")."""
        problems.extend(self.problems)
        compared = {"events": self.events}
        found = found if found is not None else stored_digests(self.conn, self.tables, self.hasher)
        for table in self.tables:
            compared[table] = found[table].rows
            ranges = self.expected[table].differing(found[table])
            named: list[str] = []
            for bucket in ranges[:MAX_RANGES]:
                named.extend(self._rows_differing(table, bucket))
            problems.extend(named[:MAX_NAMED])
            if len(named) > MAX_NAMED or len(ranges) > MAX_RANGES:
                problems.append(
                    f"{table}: more rows differ than named here ({len(ranges)} ranges of "
                    f"{1 << RANGE_BITS:,} ledger positions differ)"
                )
        return compared

    def _name(self, problem: str) -> None:
        if len(self.problems) < MAX_NAMED:
            self.problems.append(problem)

    def _rows_differing(self, table: str, bucket: int) -> list[str]:
        """Every row of `table` in the range `bucket` that the events and the store disagree on."""
        reader, normal, position = _TABLES[table]
        refs: dict[int, str] = {}
        expected: Counter[tuple[Any, ...]] = Counter()
        if bucket < 0:  # rows whose position is not one: the whole table, for them
            found = Counter(normal(row) for row in reader(self.conn) if position(row) < 0)
            return describe(table, expected, found, refs)
        lo, hi = bucket << RANGE_BITS, (bucket + 1) << RANGE_BITS
        for seq, reporter, event_id, _, _, _, body, _ in stored.events(self.conn, lo, hi):
            refs[seq] = f"{reporter}:{event_id}"
            try:
                expected.update(_implied(table, derive(seq, reporter, body), seq, reporter, event_id))
            except Underivable:
                continue
        found = Counter(normal(row) for row in reader(self.conn, lo, hi))
        return describe(table, expected - found, found - expected, refs)


def describe(
    table: str, missing: Counter[tuple[Any, ...]], added: Counter[tuple[Any, ...]], refs: dict[int, str]
) -> list[str]:
    """Name the rows of `table` the events imply but the store lacks (`missing`) or holds
    otherwise, and the rows the store holds that no event implies (`added`); at most
    MAX_NAMED + 1 of them (enough to say that more differ)."""
    columns = COLUMNS[table]
    paired = columns[:2] if table in ("lots", "lot_draws") else columns[:1] if table == "event_ids" else columns
    width = len(paired)
    seq_at = columns.index("seq")
    twins: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    for row in sorted(added.elements(), key=repr):
        twins.setdefault(row[:width], []).append(row)
    out: list[str] = []
    for row in sorted(missing.elements(), key=repr):
        if len(out) > MAX_NAMED:
            return out
        seq = row[seq_at]
        where = f"row ({', '.join(f'{c} {_shown(v)}' for c, v in zip(paired, row[:width], strict=True))})"
        event = f"event {refs.get(seq, '?')} (leaf {seq - 1})" if type(seq) is int else "no event"
        same_place = twins.get(row[:width])
        if same_place:
            twin = same_place.pop(0)
            changes = "; ".join(
                f"{c} is {_shown(found)}, the event says {_shown(said)}"
                for c, found, said in zip(columns, twin, row, strict=True)
                if found != said
            )
            out.append(f"{table}: {where} differs from {event}: {changes}: it was changed")
        else:
            shown = ", ".join(f"{c} {_shown(v)}" for c, v in zip(columns, row, strict=True) if c not in paired)
            out.append(f"{table}: {where} of {event} is missing{' (' + shown + ')' if shown else ''}: it was deleted")
    for rows in twins.values():
        for row in rows:
            if len(out) > MAX_NAMED:
                return out
            shown = ", ".join(f"{c} {_shown(v)}" for c, v in zip(columns, row, strict=True))
            out.append(f"{table}: row ({shown}) derives from no event: it was inserted")
    return out


def _shown(value: Any) -> str:
    if isinstance(value, tuple):  # a composition
        return "{" + ", ".join(f"{element}: {share!r}" for element, share in value) + "}"
    return repr(value) if isinstance(value, str | float) else str(value)
