"""Use cases: keep the findings up to date as submissions arrive (incremental supervision).

`start` audits the whole ledger once as of a date and stores every finding with its subject
(reetrace.domain.supervision). From then on `absorb`, run inside the transaction that appends a
batch of events, recomputes only the subjects those events can change: it gathers, through the
ledger's indexes, every event those subjects depend on, replays them with the audit's own rules
and replaces the subjects' findings. A late submission is no different: the subjects it touches
are recomputed from all their events, whatever order they arrived in. The result equals a full
audit as of the same date (tests/integration/test_supervision_incremental.py proves it, with
submissions in shuffled order).

The stored findings hold for one audit date and one set of thresholds. A change to what the
audit reads besides the ledger (registry, control list, customs records) marks them stale; so
does a batch too large to be worth recomputing piecemeal. Readers then fall back to a full
audit until `start` rebuilds them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Connection, func, select

from reetrace.config import Settings
from reetrace.domain.accounts import Actor
from reetrace.domain.audit import audit_keyed
from reetrace.domain.customs import CustomsRecords, Declaration
from reetrace.domain.event_keys import declaration_key
from reetrace.domain.events import Export, Receive, RecordedEvent, Ship, Transform, created_lots
from reetrace.domain.findings import Finding, Thresholds
from reetrace.domain.rules.descent import MANUFACTURED_FORMS
from reetrace.domain.supervision import (
    capacity_account,
    event_subject,
    export_keys,
    lots_named,
    quota_account,
    report_subject,
    shipment_of,
)
from reetrace.services.access_log import note_change
from reetrace.services.audit import replay_ledger
from reetrace.services.controls import control_list_in
from reetrace.store import tables as t
from reetrace.store.customs_repo import customs_records
from reetrace.store.database import Store
from reetrace.store.lot_history import recorded_at, seqs_creating, seqs_drawing, seqs_keyed, seqs_touching
from reetrace.store.registry_repo import capacity_enterprises, load_registry
from reetrace.store.supervision_repo import (
    SupervisionState,
    event_count,
    load_state,
    now_text,
    replace_all,
    replace_subjects,
    save_state,
    stored_findings,
)
from reetrace.store.timefmt import to_utc_text

# A batch whose recomputation would replay more events than this is not worth doing piecemeal:
# the findings are marked stale and rebuilt by the next full audit (`start`).
REPLAY_LIMIT = 400_000


@dataclass(frozen=True, slots=True)
class Absorbed:
    """What one incremental update did."""

    events: int  # new events taken in
    subjects: int  # subjects recomputed
    replayed: int  # events replayed to recompute them
    removed: int  # findings removed
    written: int  # findings written
    stale: bool = False  # too large: the findings were marked stale instead


def thresholds_digest(thresholds: Thresholds) -> str:
    return hashlib.sha256(json.dumps(asdict(thresholds), sort_keys=True).encode()).hexdigest()


def start(
    store: Store,
    settings: Settings,
    as_of: date,
    *,
    actor: Actor | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Audit the whole ledger as of `as_of`, store every finding and keep them up to date from
    now on, written to the access log with it, naming `actor`; returns the number of findings.
    `progress` is told how many events the audit has read, every so many."""
    thresholds = settings.thresholds
    with store.writing() as conn:
        size = event_count(conn)
        written = replace_all(conn, replay_ledger(conn, settings, as_of, progress))
        stamp = now_text()
        save_state(conn, SupervisionState(as_of, thresholds_digest(thresholds), size, False, stamp, stamp))
        note_change(conn, actor, "supervision start", None, f"as of {as_of}: {written} findings over {size} events")
    return written


def current_findings(conn: Connection, settings: Settings, as_of: date) -> list[Finding] | None:
    """The supervised findings, when they hold for this ledger, date and thresholds; else None."""
    state = load_state(conn)
    if (
        state is None
        or state.stale
        or state.as_of != as_of
        or state.thresholds != thresholds_digest(settings.thresholds)
        or state.ledger_size != event_count(conn)
    ):
        return None
    return stored_findings(conn)


def state(store: Store) -> SupervisionState | None:
    with store.reading() as conn:
        return load_state(conn)


def absorb(conn: Connection, settings: Settings, seqs: Collection[int]) -> Absorbed | None:
    """Bring the findings up to date with the events just appended at `seqs`, inside the
    appending transaction. Nothing to do (None) when supervision is off or stale."""
    current = load_state(conn)
    if current is None or current.stale:
        return None
    thresholds = settings.thresholds
    if current.thresholds != thresholds_digest(thresholds):
        _save(conn, current, stale=True)
        return Absorbed(len(seqs), 0, 0, 0, 0, stale=True)
    zone = timezone(timedelta(hours=thresholds.utc_offset_hours))
    new = recorded_at(conn, seqs)
    plan = Plan(conn, zone, thresholds.layered_days)
    plan.take(new)
    if len(plan.replay) > REPLAY_LIMIT:
        _save(conn, current, stale=True)
        return Absorbed(len(new), 0, len(plan.replay), 0, 0, stale=True)
    events = plan.events(plan.replay)
    registry = load_registry(conn)
    customs = customs_for(events, plan) if plan.exports else CustomsRecords()
    keyed = audit_keyed(events, registry, control_list_in(conn, settings), current.as_of, thresholds, customs)
    removed, written = replace_subjects(conn, plan.subjects, keyed)
    _save(conn, current, stale=False, size=current.ledger_size + len(new))
    return Absorbed(len(new), len(plan.subjects), len(events), removed, written)


def _save(conn: Connection, current: SupervisionState, stale: bool, size: int | None = None) -> None:
    save_state(
        conn,
        SupervisionState(
            current.as_of,
            current.thresholds,
            current.ledger_size if size is None else size,
            stale,
            current.built_at,
            now_text(),
        ),
    )


class Plan:
    """The subjects new events make dirty, and the events their findings depend on."""

    def __init__(self, conn: Connection, zone: timezone, layered_days: int = Thresholds().layered_days) -> None:
        self.conn = conn
        self.zone = zone
        self.layered_window = timedelta(days=layered_days)
        self.subjects: set[str] = set()
        self.replay: set[int] = set()
        self.exports = False
        self.declarations: set[str] = set()  # declarations to judge again, whatever exports they match
        self._customs: CustomsRecords | None = None
        self._read: dict[int, RecordedEvent] = {}
        self._capacities: set[str] | None = None

    def capacities(self) -> set[str]:
        """The enterprises with a site of registered capacity (only their output is tallied)."""
        if self._capacities is None:
            self._capacities = capacity_enterprises(self.conn)
        return self._capacities

    def customs(self) -> CustomsRecords:
        if self._customs is None:
            self._customs = customs_records(self.conn)
        return self._customs

    def events(self, seqs: Iterable[int]) -> list[RecordedEvent]:
        """The events at these positions, each read and decoded once per plan."""
        missing = [seq for seq in seqs if seq not in self._read]
        for record in recorded_at(self.conn, missing):
            self._read[record.seq] = record
        return [self._read[seq] for seq in sorted(set(seqs))]

    def histories(self, lots: set[str]) -> set[int]:
        """Every event of these lots and of the lots received together with them: a receipt
        shares its weighed mass among its lots by what each held, so a lot's state after it
        depends on the others' (closed over such receipts, to the last lot)."""
        seqs: set[int] = set()
        fresh = set(lots)
        while fresh:
            found = seqs_touching(self.conn, fresh) - seqs
            seqs |= found
            fresh = set()
            for record in self.events(found):
                if isinstance(record.event, Receive) and len(record.event.lots) > 1:
                    fresh.update(lot for lot in record.event.lots if lot not in lots)
            lots |= fresh
        return seqs

    def take(self, new: list[RecordedEvent]) -> None:
        conn = self.conn
        for record in new:
            self._read[record.seq] = record
        lots: set[str] = set()
        keys: set[str] = set()
        accounts: set[tuple[str, int, str]] = set()
        months: set[tuple[str, int, int]] = set()
        changed: dict[str, datetime] = {}  # lot -> when a new event changed what descends from it
        for record in new:
            event = record.event
            lots |= lots_named(event)
            moved = event.lots if isinstance(event, (Ship, Receive)) else ()
            for lot in (*(out.lot for out in created_lots(event)), *moved):
                if lot not in changed or event.time < changed[lot]:
                    changed[lot] = event.time
            shipment = shipment_of(event)
            if shipment:
                keys.add(shipment)
            local = event.time.astimezone(self.zone)
            account = quota_account(event, local)
            if account:
                self.subjects.add(account)
                accounts.add((event.reporter, local.year, account.rsplit("|", 1)[1]))
            capacity = capacity_account(event, local)
            if capacity and event.reporter in self.capacities():
                self.subjects.add(capacity)
                accounts.add((event.reporter, local.year, "capacity"))
            months.add((event.reporter, local.year, local.month))
        # the lots made since from lots whose creation or custody changed: what they descend
        # from (their manufactured share, the holdings they carry) may have changed with it
        lots |= self.descendants(changed)
        # the events whose own findings may change: every event of those lots (and of the lots
        # received with them) or of those shipments
        dirty = {r.seq for r in new} | self.histories(lots) | seqs_keyed(conn, keys)
        dirty_events = self.events(dirty)
        # exports among them bring their licenses and declarations, and every export under those
        subject_keys: set[str] = set()
        for record in dirty_events:
            subject_keys |= export_keys(record.event)
        exports = [r.event for r in dirty_events if isinstance(r.event, Export)]
        declared_lots: set[str] = set()
        if exports:
            self.exports = True
            # declarations matched to those exports by number or by their lots, and what else they match
            for declaration in _related_declarations(self.customs(), exports):
                subject_keys.add(declaration_key(declaration.declaration_no))
                declared_lots.update(declaration.lots)
        if subject_keys:
            more = (seqs_keyed(conn, subject_keys) | seqs_touching(conn, declared_lots)) - dirty
            dirty |= more
            dirty_events = self.events(dirty)
            self.subjects |= subject_keys
        self.subjects |= {event_subject(r.event.ref) for r in dirty_events}
        self.subjects |= {declaration_key(number) for number in self.declarations}
        # what those findings read: every event of their lots and of the other half of their shipments
        ship_keys = {k for r in dirty_events if (k := shipment_of(r.event))}
        partners = seqs_keyed(conn, ship_keys) - dirty
        history_lots: set[str] = set()
        for record in (*dirty_events, *self.events(partners)):
            history_lots |= lots_named(record.event)
        # receipts and recycling runs are judged on what their lots descend from
        history_lots |= self.ancestors(dirty_events)
        self.replay = dirty | partners | self.histories(history_lots)
        # quota and capacity accounts, reporting months: all of the enterprise's events that count in them
        for uscc, year, kind in accounts:
            self.replay |= account_events(conn, uscc, year, kind, self.zone)
        for uscc, year, month in months:
            self.subjects.add(report_subject(uscc, year, month))
            self.replay |= _month_events(conn, uscc, year, month, self.zone)

    def descendants(self, changed: dict[str, datetime]) -> set[str]:
        """The lots made, at or after the time given for a lot, from it or from lots so made."""
        found: set[str] = set()
        frontier = dict(changed)
        while frontier:
            following: dict[str, datetime] = {}
            for record in self.events(seqs_drawing(self.conn, frontier)):
                event = record.event
                if not isinstance(event, Transform):
                    continue
                if any(d.lot in frontier and event.time >= frontier[d.lot] for d in event.inputs):
                    for out in event.outputs:
                        if out.lot not in found and out.lot not in changed:
                            found.add(out.lot)
                            following[out.lot] = event.time
            frontier = following
        return found

    def ancestors(self, records: Iterable[RecordedEvent]) -> set[str]:
        """The ancestors a receipt's or a recycling run's findings read (reetrace.domain.rules.
        descent): of a received lot, those made within `layered_window` before the receipt (an
        older holding has expired) and the lots they were made from; of a recycling input, all
        of them back to manufactured material (whose share is whole whatever it was made from)."""
        frontier: dict[str, datetime | None] = {}  # lot -> earliest creation to look behind; None: all
        for record in records:
            event = record.event
            if isinstance(event, Receive):
                for lot in event.lots:
                    frontier[lot] = _earlier(frontier.get(lot, event.time), event.time - self.layered_window)
            elif isinstance(event, Transform) and event.process == "recycling":
                for draw in event.inputs:
                    frontier[draw.lot] = None
        seen: dict[str, datetime | None] = {}
        while frontier:
            seen.update(frontier)
            following: dict[str, datetime | None] = {}
            for record in self.events(seqs_creating(self.conn, frontier)):
                event = record.event
                if not isinstance(event, Transform):
                    continue
                for out in event.outputs:
                    if out.lot not in frontier:
                        continue
                    since = frontier[out.lot]
                    if (out.form in MANUFACTURED_FORMS) if since is None else event.time < since:
                        continue
                    for draw in event.inputs:
                        if draw.lot not in seen or _wider(since, seen[draw.lot]):
                            following[draw.lot] = (
                                since if draw.lot not in following else _earlier(following[draw.lot], since)
                            )
            frontier = following
        return set(seen)


def _earlier(a: datetime | None, b: datetime | None) -> datetime | None:
    """The wider of two limits: None (no limit) is widest."""
    return None if a is None or b is None else min(a, b)


def _wider(a: datetime | None, b: datetime | None) -> bool:
    """Whether limit `a` reaches further back than `b`."""
    return b is not None and (a is None or a < b)


def _window(year: int, month: int | None, zone: timezone) -> tuple[str, str]:
    if month is None:
        start, end = datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)
    else:
        start = datetime(year, month, 1, tzinfo=zone)
        end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone)
    return to_utc_text(start), to_utc_text(end)


ACCOUNT_TYPES = {"mining": ("extract",), "separation": ("transform",), "capacity": ("extract", "transform")}


def account_events(conn: Connection, uscc: str, year: int, kind: str, zone: timezone) -> set[int]:
    """The enterprise's events of the year that may count in an account: its mining or
    separation quota, or the capacity of its sites."""
    low, high = _window(year, None, zone)
    c = t.events.c
    types = ACCOUNT_TYPES[kind]
    return set(conn.scalars(select(c.seq).where(c.reporter == uscc, c.time >= low, c.time < high, c.type.in_(types))))


def _month_events(conn: Connection, uscc: str, year: int, month: int, zone: timezone) -> set[int]:
    low, high = _window(year, month, zone)
    c = t.events.c
    return set(conn.scalars(select(c.seq).where(c.reporter == uscc, c.time >= low, c.time < high)))


def _related_declarations(records: CustomsRecords, exports: list[Export]) -> list[Declaration]:
    """The declarations an export could be matched to: the one it names, and those naming its lots."""
    numbers = {e.customs_declaration for e in exports if e.customs_declaration}
    lots = {lot for e in exports for lot in e.lots}
    return [d for d in records.declarations if d.declaration_no in numbers or lots.intersection(d.lots)]


def customs_for(events: list[RecordedEvent], plan: Plan) -> CustomsRecords:
    """The customs records, narrowed to the declarations the replayed exports could match: the
    others' findings are not recomputed, and cost nothing."""
    records = plan.customs()
    if not records.declarations:
        return records
    exports = [r.event for r in events if isinstance(r.event, Export)]
    related = [d for d in records.declarations if d.declaration_no in plan.declarations] + [
        d for d in _related_declarations(records, exports) if d.declaration_no not in plan.declarations
    ]
    return CustomsRecords(tuple(related), records.covered, records.arrivals)


def status(store: Store, settings: Settings, today: date) -> dict[str, Any] | None:
    """The supervision state as it is stored (nothing is moved by asking), whether it is current
    — holds for the ledger as it is, these thresholds and `today` (the day readers ask for, in
    the audit's zone) — what the next reading as of today will do, and findings by code.

    The stored findings are moved forward to today lazily, by the first reading of a new day
    (reetrace.services.supervision_clock): until then they are as of an earlier date, and saying
    they are current would be untrue."""
    with store.reading() as conn:
        current = load_state(conn)
        if current is None:
            return None
        events = event_count(conn)
        c = t.supervised_findings.c
        by_code: dict[str, int] = dict(
            conn.execute(select(c.code, func.count()).group_by(c.code).order_by(c.code)).all()
        )
    replay = (
        "the whole ledger replayed as of today (on a large ledger by a background job,"
        " which rebuilds the stored findings as of today)"
    )
    if current.stale:
        holds = "no: stale (registry, control list, customs records or a bulk load changed what it depends on)"
        on_reading = replay
    elif current.thresholds != thresholds_digest(settings.thresholds):
        holds = "no: other thresholds"
        on_reading = replay
    elif current.ledger_size != events:
        holds = f"no: {events - current.ledger_size:,} events arrived without it"
        on_reading = replay
    elif current.as_of < today:
        days = (today - current.as_of).days
        holds = f"no: as of {current.as_of.isoformat()}, {days:,} day{'s' * (days != 1)} before today"
        on_reading = (
            f"moved forward from {current.as_of.isoformat()} to {today.isoformat()} "
            "(only what the days passed can change is judged again)"
        )
    elif current.as_of > today:
        holds = f"no: as of {current.as_of.isoformat()}, a later day than today"
        on_reading = replay
    else:
        holds = "yes"
        on_reading = "served as stored"
    return {
        "as_of": current.as_of.isoformat(),
        "today": today.isoformat(),
        "current": holds,
        "on_reading": on_reading,
        "events": events,
        "events_supervised": current.ledger_size,
        "findings": sum(by_code.values()),
        "built_at": current.built_at,
        "updated_at": current.updated_at,
        "by_code": by_code,
    }
