"""Customs imports and declarations, arrival reports and mirror statistics in the store.
Repositories never commit: the caller's unit of work does. Declarations (one row per item),
imports and arrival reports are only ever inserted; mirror statistics are replaced per (year,
partner, hs6)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, select

from reetrace.domain.customs import ArrivalReport, CustomsRecords, Declaration, DeclarationItem, Period
from reetrace.domain.mirror import MirrorStatistic
from reetrace.store import chains
from reetrace.store import tables as t
from reetrace.store.bulk import select_in
from reetrace.store.timefmt import from_utc_text, to_utc_text
from reetrace.store.upsert import upsert

DECLARATION_COLUMNS = (
    "declaration_no",
    "item",
    "date",
    "exporter",
    "hs_code",
    "net_kg",
    "destination",
    "license_no",
    "lots",
    "import_id",
)


@dataclass(frozen=True, slots=True)
class CustomsImport:
    id: int
    sha256: str
    source: str | None
    rows: int
    added: int
    period: Period
    by: str
    recorded_at: datetime


def _declarations(rows: Iterable[dict[str, Any]]) -> list[Declaration]:
    """Declarations from their item rows, given in (declaration, item) order."""
    found: dict[str, tuple[dict[str, Any], list[DeclarationItem]]] = {}
    for row in rows:
        first, items = found.setdefault(row["declaration_no"], (row, []))
        items.append(DeclarationItem(row["hs_code"], float(row["net_kg"]), tuple(json.loads(row["lots"]))))
    return [
        Declaration(
            row["declaration_no"],
            date.fromisoformat(row["date"]),
            row["exporter"],
            row["destination"],
            row["license_no"],
            tuple(items),
        )
        for row, items in found.values()
    ]


def declarations_numbered(conn: Connection, numbers: Sequence[str]) -> dict[str, Declaration]:
    """The recorded declarations among `numbers`, by number."""
    columns = DECLARATION_COLUMNS[:-1]
    rows = select_in(
        conn,
        f"SELECT {', '.join(columns)} FROM customs_declarations WHERE declaration_no IN_LIST",
        (),
        sorted(set(numbers)),
    )
    rows.sort(key=lambda values: (values[0], values[1]))
    return {d.declaration_no: d for d in _declarations(dict(zip(columns, values, strict=True)) for values in rows)}


def record_import(
    conn: Connection,
    sha256: str,
    source: str | None,
    rows: int,
    added: int,
    period: Period,
    by: str,
    recorded_at: datetime,
) -> int:
    stored = chains.append(
        conn,
        t.customs_imports,
        {
            "sha256": sha256,
            "source": source,
            "rows": rows,
            "added": added,
            "period_from": period.start.isoformat(),
            "period_to": period.end.isoformat(),
            "by": by,
            "recorded_at": to_utc_text(recorded_at),
        },
    )
    return int(stored["id"])


def insert_declarations(conn: Connection, import_id: int, declarations: Iterable[Declaration]) -> None:
    """One row per item, numbered from 1."""
    chains.append_many(
        conn,
        t.customs_declarations,
        DECLARATION_COLUMNS,
        [
            (
                d.declaration_no,
                n,
                d.day.isoformat(),
                d.exporter,
                item.hs_code,
                item.net_kg,
                d.destination,
                d.license_no,
                json.dumps(list(item.lots)),
                import_id,
            )
            for d in declarations
            for n, item in d.numbered()
        ],
    )


def list_declarations(conn: Connection) -> list[Declaration]:
    """Every declaration with its items, by date and number."""
    c = t.customs_declarations.c
    stmt = select(t.customs_declarations).order_by(c.date, c.declaration_no, c.item)
    return _declarations(row._asdict() for row in conn.execute(stmt))


def list_imports(conn: Connection) -> list[CustomsImport]:
    return [
        CustomsImport(
            row.id,
            row.sha256,
            row.source,
            row.rows,
            row.added,
            Period(date.fromisoformat(row.period_from), date.fromisoformat(row.period_to)),
            row.by,
            from_utc_text(row.recorded_at),
        )
        for row in conn.execute(select(t.customs_imports).order_by(t.customs_imports.c.id))
    ]


def _arrival(row: Row) -> ArrivalReport:
    return ArrivalReport(
        row.export_ref, date.fromisoformat(row.arrived_on), row.by, from_utc_text(row.recorded_at), row.note
    )


def arrival_report(conn: Connection, export_ref: str) -> ArrivalReport | None:
    row = conn.execute(select(t.arrival_reports).where(t.arrival_reports.c.export_ref == export_ref)).first()
    return _arrival(row) if row else None


def list_arrivals(conn: Connection) -> list[ArrivalReport]:
    return [_arrival(row) for row in conn.execute(select(t.arrival_reports).order_by(t.arrival_reports.c.export_ref))]


def record_arrival(conn: Connection, report: ArrivalReport) -> None:
    chains.append(
        conn,
        t.arrival_reports,
        {
            "export_ref": report.export_ref,
            "arrived_on": report.arrived_on.isoformat(),
            "by": report.by,
            "note": report.note,
            "recorded_at": to_utc_text(report.recorded_at),
        },
    )


def customs_records(conn: Connection) -> CustomsRecords:
    """Everything the audit reads about customs, inside the caller's transaction."""
    return CustomsRecords.of(list_declarations(conn), [i.period for i in list_imports(conn)], list_arrivals(conn))


def export_event(conn: Connection, reporter: str, event_id: str) -> Row | None:
    """The recorded event (seq, type, time, body), or None."""
    c = t.events.c
    return conn.execute(
        select(c.seq, c.type, c.time, c.body).where(c.reporter == reporter, c.event_id == event_id)
    ).first()


def export_events(conn: Connection, until: str | None = None) -> list[Row]:
    """Every recorded export event (reporter, event_id, time, body), in event-time order."""
    c = t.events.c
    stmt = (
        select(c.reporter, c.event_id, c.time, c.body)
        .where(c.type == "export")
        .order_by(c.time, c.reporter, c.event_id)
    )
    if until is not None:
        stmt = stmt.where(c.time <= until)
    return list(conn.execute(stmt))


# -- mirror statistics ------------------------------------------------------------------------


def mirror_keys(conn: Connection, years: Iterable[int]) -> set[tuple[int, str, str]]:
    c = t.mirror_statistics.c
    return {
        (row.year, row.partner, row.hs6)
        for row in conn.execute(select(c.year, c.partner, c.hs6).where(c.year.in_(sorted(set(years)))))
    }


def replace_mirror(
    conn: Connection, statistics: Sequence[MirrorStatistic], source: str | None, loaded_at: datetime
) -> None:
    upsert(
        conn,
        t.mirror_statistics,
        [
            {
                "year": s.year,
                "partner": s.partner,
                "hs6": s.hs6,
                "kg": s.kg,
                "value_usd": s.value_usd,
                "source": source,
                "loaded_at": to_utc_text(loaded_at),
            }
            for s in statistics
        ],
    )


def list_mirror(conn: Connection, year: int | None = None) -> list[MirrorStatistic]:
    c = t.mirror_statistics.c
    stmt = select(t.mirror_statistics).order_by(c.year, c.partner, c.hs6)
    if year is not None:
        stmt = stmt.where(c.year == year)
    return [MirrorStatistic(row.year, row.partner, row.hs6, row.kg, row.value_usd) for row in conn.execute(stmt)]
