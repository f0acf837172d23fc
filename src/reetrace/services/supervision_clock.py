"""Use case: move the supervised findings forward in time, re-evaluating only what the days passed
can change (docs/supervision.md, "As days pass").

A finding can change with time alone, without any submission, in four ways, each found through
the ledger's time index rather than by replaying it:

- an event whose event time falls on a day the audit now reaches enters it (a report dated ahead):
  it is taken in exactly as a newly appended event (`absorb`);
- a shipment's receipt window closes (`SHIPMENT_NOT_RECEIVED`): the ships whose window ends
  between the two dates, judged again on both halves of their shipment;
- an export's arrival report falls due (`ARRIVAL_NOT_REPORTED`): the exports whose deadline passes
  between the two dates, and every export already overdue (its finding counts the days, so it
  changes each day);
- a customs declaration's day is reached: the declaration and every export it can be matched to.

So each subject's next moment of change is known from its events: a ship's is the end of its
receipt window, an export's the end of its arrival window, an event dated ahead the day it is
dated; between those moments its findings cannot change with time.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Connection, select

from reetrace.config import Settings
from reetrace.domain.event_keys import declaration_key
from reetrace.domain.events import Export
from reetrace.services.supervision import REPLAY_LIMIT, thresholds_digest
from reetrace.services.supervision_changes import rejudge, rejudge_code, rejudge_shipments
from reetrace.store import tables as t
from reetrace.store.customs_repo import customs_records
from reetrace.store.lot_history import recorded_at, seqs_keyed, seqs_touching
from reetrace.store.supervision_repo import (
    SupervisionState,
    load_state,
    now_text,
    refs_with,
    save_state,
)
from reetrace.store.timefmt import to_utc_text

NOT_RECEIVED = "SHIPMENT_NOT_RECEIVED"
NOT_ARRIVED = "ARRIVAL_NOT_REPORTED"


@dataclass(frozen=True, slots=True)
class Advanced:
    """What moving the findings from one date to another did."""

    since: date
    to: date
    entered: int  # events whose event time the audit now reaches
    ships: int  # shipments judged again
    exports: int  # exports judged again for their arrival report
    declarations: int  # declarations whose day was reached
    replayed: int  # events replayed
    stale: bool = False  # too much at once: the findings were marked stale instead


def _edge(day: date, zone: timezone) -> datetime:
    """The first instant after `day`, in `zone`: what an audit as of `day` reaches (excluded)."""
    return datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(days=1)


def _seqs_between(conn: Connection, low: datetime, high: datetime, kind: str | None = None) -> set[int]:
    c = t.events.c
    query = select(c.seq).where(c.time >= to_utc_text(low), c.time < to_utc_text(high))
    if kind is not None:
        query = query.where(c.type == kind)
    return set(conn.scalars(query))


def _seqs_of_refs(conn: Connection, refs: Collection[str]) -> set[int]:
    c = t.events.c
    seqs: set[int] = set()
    for ref in refs:
        reporter, _, event_id = ref.partition(":")
        seqs.update(conn.scalars(select(c.seq).where(c.reporter == reporter, c.event_id == event_id)))
    return seqs


def advance(conn: Connection, settings: Settings, day: date) -> Advanced | None:
    """Bring the stored findings from their date forward to `day`, inside the caller's write
    transaction. Nothing to do (None) when supervision is off, stale, judged by other thresholds
    or already at or past `day`."""
    current = load_state(conn)
    thresholds = settings.thresholds
    if current is None or current.stale or current.thresholds != thresholds_digest(thresholds) or day <= current.as_of:
        return None
    since = current.as_of
    zone = timezone(timedelta(hours=thresholds.utc_offset_hours))
    window = timedelta(days=thresholds.shipment_receipt_days)
    arrival = timedelta(days=thresholds.arrival_report_days + 1)

    # a ship's window closes on the day that holds its time plus the window
    ships = _seqs_between(conn, _edge(since, zone) - window, _edge(day, zone) - window, "ship")
    # an export is overdue once more than the window's days have passed since its day; an overdue
    # one's finding counts the days
    exports = _seqs_between(conn, _edge(since - arrival, zone), _edge(day - arrival, zone), "export")
    exports |= _seqs_of_refs(conn, refs_with(conn, NOT_ARRIVED))
    records = customs_records(conn)
    declared = [d for d in records.declarations if since < d.day <= day]
    entered = _seqs_between(conn, _edge(since, zone), _edge(day, zone))

    replayed = rejudge_shipments(conn, settings, day, ships)
    replayed += rejudge_code(conn, settings, day, exports, NOT_ARRIVED)
    # events entering the audit and declarations whose day came: as if they had just arrived
    if declared:
        numbers = {d.declaration_no for d in declared}
        lots = {lot for d in declared for lot in d.lots}
        related = seqs_keyed(conn, {declaration_key(n) for n in numbers}) | seqs_touching(conn, lots)
        entered |= {r.seq for r in recorded_at(conn, related) if isinstance(r.event, Export)}
    if entered or declared:
        done = rejudge(conn, settings, current, entered, {d.declaration_no for d in declared}, as_of=day)
        if done is None:
            _save(conn, current, day, stale=True)
            return Advanced(since, day, len(entered), len(ships), len(exports), len(declared), REPLAY_LIMIT, True)
        replayed += done
    _save(conn, current, day, stale=False)
    return Advanced(since, day, len(entered), len(ships), len(exports), len(declared), replayed)


def _save(conn: Connection, current: SupervisionState, day: date, stale: bool) -> None:
    save_state(
        conn,
        SupervisionState(day, current.thresholds, current.ledger_size, stale, current.built_at, now_text()),
    )
