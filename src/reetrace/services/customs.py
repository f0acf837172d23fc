"""Use cases: load customs export declarations, reconcile them with the ledger, record that an
export arrived, and list exports with their arrival (docs/customs.md)."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from reetrace.config import Settings
from reetrace.contract.customs_csv import Progress, read_declarations
from reetrace.contract.stored import decode_event
from reetrace.domain.accounts import Actor
from reetrace.domain.audit import exported_kg
from reetrace.domain.customs import ArrivalReport, Declaration, Period, covered_period
from reetrace.domain.events import Export
from reetrace.domain.findings import Finding
from reetrace.domain.rules.customs import RECONCILIATION_CODES
from reetrace.errors import InvalidInput, NotFound, UsageError
from reetrace.services import findings as current_findings
from reetrace.services.access_log import note_change
from reetrace.services.audit import end_of_day, recorded_events
from reetrace.services.supervision_changes import arrival_reported, declarations_loaded
from reetrace.store.customs_repo import (
    arrival_report,
    declarations_numbered,
    export_event,
    export_events,
    insert_declarations,
    list_arrivals,
    record_arrival,
    record_import,
)
from reetrace.store.database import Store
from reetrace.store.timefmt import to_utc_text


@dataclass(frozen=True, slots=True)
class CustomsLoad:
    """What loading a declarations file did: its declarations and their items (the file's rows),
    and how many of the declarations were new or already recorded."""

    import_id: int
    sha256: str
    declarations: int
    items: int
    added: int
    unchanged: int
    period: Period


def _text(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{source}: not UTF-8 text ({exc})") from None


def load_declarations(
    store: Store,
    data: bytes,
    source: str,
    by: str,
    start: date | None = None,
    end: date | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
    actor: Actor | None = None,
    settings: Settings | None = None,
) -> CustomsLoad:
    """Load a declarations CSV (one row per item) in one transaction: every row or none. A
    declaration already recorded with the same items (in any order) is left as it is; one recorded
    with other items or another date, exporter, destination or license is an error. The import is
    recorded with the file's SHA-256, its declarations, the period it covers (`start`..`end`, by
    default its first to last declaration day) and who loaded it, and written to the access log
    with it, naming `actor`."""
    if not by.strip():
        raise UsageError("who loads the file must be named (--by)")
    if start and end and end < start:
        raise UsageError(f"the period ends ({end}) before it starts ({start})")
    read = read_declarations(_text(data, source), source, progress)
    period = covered_period((d.day for _, d in read), start, end)
    if period is None:
        raise UsageError(
            f"{source} holds no declarations: give --from and --to to record a period customs reported no exports in"
        )
    outside = [(lines, d) for lines, d in read if not period.covers(d.day)]
    if outside:
        lines, d = outside[0]
        raise InvalidInput(
            f"{source}: nothing loaded: line {lines[0]}, column date: declaration {d.declaration_no} "
            f"of {d.day} lies outside the period {period} given"
        )
    digest = hashlib.sha256(data).hexdigest()
    with store.writing() as conn:
        recorded = declarations_numbered(conn, [d.declaration_no for _, d in read])
        conflicts = [
            problem
            for lines, d in read
            if d.declaration_no in recorded
            for problem in [_conflict(lines, d, recorded[d.declaration_no])]
            if problem
        ]
        if conflicts:
            raise InvalidInput(f"{source}: nothing loaded: " + "; ".join(conflicts[:10]))
        new = [d for _, d in read if d.declaration_no not in recorded]
        import_id = record_import(
            conn, digest, source, len(read), len(new), period, by.strip(), now or datetime.now(UTC)
        )
        insert_declarations(conn, import_id, new)
        declarations_loaded(conn, settings or Settings(), {d.declaration_no for d in new}, period)
        note_change(
            conn,
            actor,
            "customs load",
            None,
            f"import {import_id} from {source}: {len(read)} declarations, {len(new)} new, covering {period}",
        )
    items = sum(len(d.items) for _, d in read)
    return CustomsLoad(import_id, digest, len(read), items, len(new), len(read) - len(new), period)


def _lines(lines: Iterable[int]) -> str:
    lines = list(lines)
    return f"line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))}"


def _conflict(lines: tuple[int, ...], new: Declaration, old: Declaration) -> str | None:
    """What the file says otherwise of a recorded declaration, naming its lines; None when it is
    the same declaration."""
    fields = old.header_differences(new)
    if fields:
        was = "; ".join(f"{name} {old.header()[name] or '(none)'}" for name in fields)
        return (
            f"{_lines(lines)}: declaration {new.declaration_no} is already recorded with another "
            f"{', '.join(fields)} ({was})"
        )
    if old.same_items(new):
        return None
    recorded = Counter(item.key for item in old.items)
    unrecorded = []
    for line, item in zip(lines, new.items, strict=True):
        if recorded[item.key] > 0:
            recorded[item.key] -= 1
        else:
            unrecorded.append(line)
    given = Counter(item.key for item in new.items)
    missing = []
    for n, item in old.numbered():
        if given[item.key] > 0:
            given[item.key] -= 1
        else:
            missing.append(f"item {n} ({item})")
    parts = []
    if unrecorded:
        parts.append(
            f"the item{'s' if len(unrecorded) > 1 else ''} on {_lines(unrecorded)} "
            f"{'are' if len(unrecorded) > 1 else 'is'} not recorded"
        )
    if missing:
        parts.append(f"recorded {', '.join(missing)} {'are' if len(missing) > 1 else 'is'} not in the file")
    return (
        f"{_lines(unrecorded or lines)}: declaration {new.declaration_no} is already recorded with other items "
        f"({len(old.items)} recorded, {len(new.items)} in the file): " + "; ".join(parts)
    )


def reconcile(store: Store, settings: Settings, as_of: date) -> list[Finding]:
    """The customs findings of the audit as of `as_of`: declarations against the ledger."""
    return [f for f in current_findings.current(store, settings, as_of) if f.code in RECONCILIATION_CODES]


def _zone(settings: Settings) -> timezone:
    return timezone(timedelta(hours=settings.thresholds.utc_offset_hours))


def report_arrival(
    store: Store,
    settings: Settings,
    export_ref: str,
    arrived_on: date,
    by: str,
    note: str | None = None,
    now: datetime | None = None,
    actor: Actor | None = None,
) -> ArrivalReport:
    """Record that the export `export_ref` ("<USCC>:<event_id>") arrived on `arrived_on`. One
    report per export, never changed; written to the access log with it, naming `actor`."""
    reporter, sep, event_id = export_ref.strip().partition(":")
    if not sep or not reporter or not event_id:
        raise UsageError(f"{export_ref!r} is not an export reference <USCC>:<event_id>")
    if not by.strip():
        raise UsageError("who reports the arrival must be named (--by)")
    recorded_at = now or datetime.now(UTC)
    zone = _zone(settings)
    ref = f"{reporter}:{event_id}"
    with store.writing() as conn:
        event = export_event(conn, reporter, event_id)
        if event is None:
            raise NotFound(f"no event {ref} in the ledger")
        if event.type != "export":
            raise InvalidInput(f"event {ref} is of type {event.type}, not an export")
        exported_on = datetime.fromisoformat(event.time).astimezone(zone).date()
        if arrived_on < exported_on:
            raise InvalidInput(f"export {ref} left on {exported_on}; it cannot have arrived on {arrived_on}")
        if arrived_on > recorded_at.astimezone(zone).date():
            raise InvalidInput(f"an arrival on {arrived_on} is in the future")
        earlier = arrival_report(conn, ref)
        if earlier is not None:
            raise InvalidInput(
                f"the arrival of export {ref} was already reported: arrived {earlier.arrived_on}, "
                f"reported by {earlier.by} at {earlier.recorded_at.isoformat(timespec='seconds')}; "
                "a report is never changed"
            )
        report = ArrivalReport(ref, arrived_on, by.strip(), recorded_at, (note or "").strip() or None)
        record_arrival(conn, report)
        arrival_reported(conn, settings, event.seq)
        note_change(conn, actor, "export arrival", reporter, f"export {ref} arrived on {arrived_on}")
    return report


@dataclass(frozen=True, slots=True)
class ExportLine:
    """One export, as `reetrace exports list` shows it."""

    ref: str
    day: date
    exporter: str
    license_no: str | None
    lots: tuple[str, ...]
    kg: float
    destination: str
    consignee: str
    customs_declaration: str
    arrival: ArrivalReport | None
    days_since: int

    def as_json(self) -> dict[str, Any]:
        return {
            "export": self.ref,
            "date": self.day.isoformat(),
            "exporter": self.exporter,
            "license_no": self.license_no,
            "lots": list(self.lots),
            "kg": round(self.kg, 3),
            "destination": self.destination,
            "consignee": self.consignee,
            "customs_declaration": self.customs_declaration,
            "arrived_on": self.arrival.arrived_on.isoformat() if self.arrival else None,
            "arrival_reported_by": self.arrival.by if self.arrival else None,
            "days_since_export": self.days_since,
        }


def list_exports(store: Store, settings: Settings, as_of: date, license_no: str | None = None) -> list[ExportLine]:
    """Every export up to `as_of`, oldest first, with the mass its lots held when exported and
    its arrival as reported by the end of `as_of`."""
    thresholds = settings.thresholds
    until = end_of_day(as_of, thresholds.utc_offset_hours)
    zone = _zone(settings)
    with store.reading() as conn:
        rows = export_events(conn, to_utc_text(until))
        arrivals = {a.export_ref: a for a in list_arrivals(conn) if a.recorded_at <= until}
        masses = exported_kg(recorded_events(conn, until), as_of, thresholds) if rows else {}
    lines = []
    for row in rows:
        event = decode_event(row.reporter, datetime.fromisoformat(row.time), row.body)
        assert isinstance(event, Export)
        if license_no is not None and (event.license_no or "") != license_no:
            continue
        day = event.time.astimezone(zone).date()
        lines.append(
            ExportLine(
                event.ref,
                day,
                event.reporter,
                event.license_no,
                event.lots,
                masses.get(event.ref, 0.0),
                event.destination,
                event.consignee,
                event.customs_declaration,
                arrivals.get(event.ref),
                (as_of - day).days,
            )
        )
    return lines
