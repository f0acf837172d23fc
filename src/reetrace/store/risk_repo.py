"""The ledger's figures behind the risk view (reetrace.domain.risk), by grouped queries over the
lot indexes: no event is replayed or parsed in Python.

Per enterprise, local month and process, two queries each answer one row:

- `output_elements`: the element kilograms of the lots created by its `extract` (process None)
  and `transform` events (`lots` ⋈ `events`);
- `input_elements`: the kilograms drawn by its transforms, and the element kilograms they held,
  at the composition of each drawn lot's first creation (`lot_draws` ⋈ `lots`).

A transform's `process` and a lot's element fractions are read from their JSON text by the
database (SQLite's JSON functions, PostgreSQL's `jsonb` operators). The local month is the
event time's month at the audit's UTC offset, by the month bounds in UTC text, so the `time`
index and the year partitions serve the range.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import JSON, ColumnElement, Connection, and_, case, cast, exists, func, literal, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import KeyedColumnElement

from reetrace.domain.elements import ELEMENTS
from reetrace.domain.risk import Flow
from reetrace.store import tables as t
from reetrace.store.bulk import select_in
from reetrace.store.timefmt import to_utc_text


def month_bounds(year: int, utc_offset_hours: int) -> list[str]:
    """The 13 instants (UTC text) that begin each local month of `year` and the next year."""
    zone = timezone(timedelta(hours=utc_offset_hours))
    starts = [datetime(year, m, 1, tzinfo=zone) for m in range(1, 13)] + [datetime(year + 1, 1, 1, tzinfo=zone)]
    return [to_utc_text(s) for s in starts]


def _month_of(time: KeyedColumnElement[Any], bounds: list[str]) -> ColumnElement[int]:
    return case(*((time < bounds[m], literal(m)) for m in range(1, 12)), else_=literal(12))


def _json(conn: Connection, column: KeyedColumnElement[Any]) -> ColumnElement[Any]:
    """A JSON text column read as JSON: parsed once per row on PostgreSQL (jsonb), by SQLite's
    JSON functions as it is."""
    if conn.dialect.name == "postgresql":
        return cast(column, JSONB)
    return type_coerce(column, JSON)


def _element_sums(conn: Connection, composition: ColumnElement[Any], mass: Any) -> list[Any]:
    return [func.coalesce(func.sum(mass * composition[e].as_float()), 0.0).label(e) for e in ELEMENTS]


def output_elements(conn: Connection, year: int, utc_offset_hours: int) -> dict[tuple[str, str, str | None], Flow]:
    """Element kilograms created per enterprise, month and process (None: extracted) in `year`."""
    bounds = month_bounds(year, utc_offset_hours)
    e, lots = t.events.c, t.lots.c
    made = (
        select(
            e.reporter.label("reporter"),
            _month_of(e.time, bounds).label("month"),
            _json(conn, e.body)["process"].as_string().label("process"),
            lots.mass_kg.label("mass_kg"),
            _json(conn, lots.composition).label("composition"),
        )
        .join_from(t.events, t.lots, lots.seq == e.seq)
        .where(e.type.in_(("extract", "transform")), e.time >= bounds[0], e.time < bounds[12])
        .subquery()
    )
    m = made.c
    query = select(m.reporter, m.month, m.process, *_element_sums(conn, m.composition, m.mass_kg)).group_by(
        m.reporter, m.month, m.process
    )
    return _flows(conn, query, year, with_mass=False)


def input_elements(conn: Connection, year: int, utc_offset_hours: int) -> dict[tuple[str, str, str | None], Flow]:
    """Kilograms drawn by transforms per enterprise, month and process in `year`, and the element
    kilograms they held (at each drawn lot's first creation; a lot no event created holds none)."""
    bounds = month_bounds(year, utc_offset_hours)
    e, d, lots = t.events.c, t.lot_draws.c, t.lots.c
    earlier = t.lots.alias("earlier")
    first_creation = ~exists().where(
        earlier.c.lot == lots.lot,
        (earlier.c.seq < lots.seq) | and_(earlier.c.seq == lots.seq, earlier.c.position < lots.position),
    )
    drawn = (
        select(
            e.reporter.label("reporter"),
            _month_of(e.time, bounds).label("month"),
            _json(conn, e.body)["process"].as_string().label("process"),
            d.mass_kg.label("mass_kg"),
            _json(conn, lots.composition).label("composition"),
        )
        .join_from(t.events, t.lot_draws, d.seq == e.seq)
        .outerjoin(t.lots, and_(lots.lot == d.lot, first_creation))
        .where(e.type == "transform", e.time >= bounds[0], e.time < bounds[12])
        .subquery()
    )
    m = drawn.c
    query = select(
        m.reporter,
        m.month,
        m.process,
        func.coalesce(func.sum(m.mass_kg), 0.0).label("drawn_kg"),
        *_element_sums(conn, m.composition, m.mass_kg),
    ).group_by(m.reporter, m.month, m.process)
    return _flows(conn, query, year, with_mass=True)


def _flows(conn: Connection, query: Any, year: int, *, with_mass: bool) -> dict[tuple[str, str, str | None], Flow]:
    flows: dict[tuple[str, str, str | None], Flow] = {}
    for row in conn.execute(query).mappings():
        elements = {el: float(row[el]) for el in ELEMENTS if row[el]}
        flows[(row["reporter"], f"{year:04d}-{int(row['month']):02d}", row["process"])] = Flow(
            float(row["drawn_kg"]) if with_mass else 0.0, elements
        )
    return flows


def event_months(conn: Connection, refs: set[str], zone: timezone) -> dict[str, str]:
    """The month (YYYY-MM, local) of each of these events ("<USCC>:<event_id>")."""
    by_reporter: dict[str, list[str]] = defaultdict(list)
    for ref in refs:
        reporter, _, event_id = ref.partition(":")
        by_reporter[reporter].append(event_id)
    months = {}
    for reporter, ids in by_reporter.items():
        rows = select_in(
            conn, "SELECT event_id, time FROM events WHERE reporter = %s AND event_id IN_LIST", (reporter,), ids
        )
        for event_id, time in rows:
            months[f"{reporter}:{event_id}"] = datetime.fromisoformat(time).astimezone(zone).strftime("%Y-%m")
    return months
