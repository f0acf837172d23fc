"""Use cases: close a year, find the opening an audit can start from, verify a closed year
(reetrace.domain.closing, docs/closing.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection

from reetrace.config import Settings
from reetrace.domain import closing
from reetrace.domain.accounts import Actor
from reetrace.domain.audit import close_stream
from reetrace.domain.closing import Opening, Sources
from reetrace.errors import UsageError
from reetrace.services.accounts import note_access
from reetrace.services.controls import control_list_in
from reetrace.store import closings_repo
from reetrace.store.customs_repo import customs_records
from reetrace.store.database import Store, scan_cache
from reetrace.store.registry_repo import load_registry
from reetrace.store.shipment_index import reach_before, shipment_index
from reetrace.store.timefmt import to_utc_text


def sources(conn: Connection, settings: Settings, as_of: date) -> Sources:
    """What an audit as of `as_of` knows besides the events, as the store holds it."""
    from reetrace.services.audit import end_of_day

    thresholds = settings.thresholds
    until = end_of_day(as_of, thresholds.utc_offset_hours)
    reaches: dict[datetime, Mapping[str, frozenset[str]]] = {}

    def reach(limit: datetime) -> Mapping[str, frozenset[str]]:
        # asked for each closed year's limit, computed once (in the caller's transaction)
        if limit not in reaches:
            reaches[limit] = reach_before(conn, to_utc_text(min(limit, until)))
        return reaches[limit]

    return Sources(
        load_registry(conn),
        control_list_in(conn, settings),  # the initial list and every change recorded
        thresholds,
        customs_records(conn),  # declarations, periods customs reported on, arrival reports
        shipment_index(conn, to_utc_text(until), thresholds),
        reach,
    )


@dataclass(frozen=True, slots=True)
class Usable:
    """An opening an audit may start from, or why none of a year's could be used."""

    opening: Opening | None
    reasons: tuple[str, ...] = ()  # why later closings were passed over, newest first


def opening_for(conn: Connection, settings: Settings, as_of: date, known: Sources, before: int | None = None) -> Usable:
    """The latest closed year (before the year `before`, if given) whose opening holds for an
    audit as of `as_of` with the sources `known` (reetrace.domain.closing), read and checked;
    None when none does."""
    reasons: list[str] = []
    zone_end = closing.boundary(as_of.year + 1, settings.thresholds)
    for row in closings_repo.latest_closings(conn):
        if before is not None and row["year"] >= before:
            continue
        why = _passed_over(conn, row, as_of, zone_end, known)
        if isinstance(why, Opening):
            return Usable(why, tuple(reasons))
        reasons.append(why)
    return Usable(None, tuple(reasons))


def _passed_over(conn: Connection, row: dict, as_of: date, end: datetime, known: Sources) -> Opening | str:
    year = row["year"]
    if date.fromisoformat(row["as_of"]) > as_of:
        return f"{year} was closed as of {row['as_of']}, after {as_of.isoformat()}"
    if datetime.fromisoformat(row["boundary"]) >= end:
        return f"{year} ends after {as_of.isoformat()}"
    late = closings_repo.recorded_since(conn, row["last_seq"], row["boundary"])
    if late:
        return f"{year} is reopened: {late} event(s) of it or before were recorded after it was closed"
    opening = _read(conn, row)
    moved = closing.changed(opening.journal, known)
    if moved:
        return f"{year} is reopened: {len(moved)} answer(s) it rests on changed, the first {_question(moved[0])}"
    return opening


def _question(question: tuple) -> str:
    return " ".join(str(part) for part in question)


def _read(conn: Connection, row: dict) -> Opening:
    blob = closings_repo.opening_bytes(conn, row["id"])
    if closing.blob_digest(blob) != row["blob_digest"]:
        raise ValueError(f"the stored opening of {row['year']} (closing {row['id']}) is not the one its record signs")
    return closing.load(blob)


@dataclass(frozen=True, slots=True)
class Closed:
    year: int
    as_of: date
    events: int  # replayed to reach the opening, from the start of the ledger
    replayed: int  # replayed by this closing
    started_from: int | None  # the closed year it started from
    state_digest: str
    blob_bytes: int


def close_year(store: Store, settings: Settings, year: int, as_of: date, actor: Actor) -> Closed:
    """Close `year` as of `as_of`: replay it from the latest opening that holds (or from the
    start), store the next year's opening with its digests, chained, so that the next signed
    checkpoint covers it. The replay reads in a read transaction; the write is short, and
    refused if an event of the year arrived in between."""
    from reetrace.services.audit import check_day, check_year
    from reetrace.services.log import publish_checkpoint

    check_year(year)
    check_day(as_of)
    thresholds = settings.thresholds
    earliest = closing.earliest_close(year, thresholds)
    if as_of < earliest:
        raise UsageError(f"{year} can be closed as of {earliest.isoformat()} at the earliest, not {as_of.isoformat()}")
    end = closing.boundary(year + 1, thresholds)
    with store.reading() as conn:
        known = sources(conn, settings, as_of)
        last_seq = closings_repo.last_seq_before(conn, to_utc_text(end))
        opening, start = _replay_year(conn, settings, year, as_of, known)
    opening.last_seq = last_seq
    blob = closing.dump(opening)
    digest = opening.digest()
    with store.writing() as conn:
        if closings_repo.last_seq_before(conn, to_utc_text(end)) != last_seq:
            raise UsageError(f"events of {year} or before arrived while it was being closed: close it again")
        closings_repo.record_closing(
            conn,
            {
                "year": year,
                "as_of": as_of.isoformat(),
                "boundary": to_utc_text(end),
                "last_seq": last_seq,
                "events": opening.events,
                "state_digest": digest,
                "blob_digest": closing.blob_digest(blob),
                "blob_bytes": len(blob),
                "closed_at": to_utc_text(datetime.now(UTC)),
                "closed_by": actor.principal.username,
            },
            blob,
        )
        note_access(conn, actor, "change", "year close", detail=str(year))
    publish_checkpoint(store, settings)
    return Closed(
        year, as_of, opening.events, _replayed(opening, start), start.year if start else None, digest, len(blob)
    )


@dataclass(frozen=True, slots=True)
class YearCheck:
    year: int
    ok: bool
    problems: tuple[str, ...]
    replayed: int = 0
    started_from: int | None = None


def verify_year(store: Store, settings: Settings, year: int) -> YearCheck:
    """Check a closed year against its events: its stored opening is the one its chained record
    signs, and replaying the year from the opening before it (or from the start) gives the
    state digest that record holds. Says so when later events or answers reopened it."""
    from reetrace.services.audit import check_year

    check_year(year)
    with store.reading() as conn:
        rows = [row for row in closings_repo.latest_closings(conn) if row["year"] == year]
        if not rows:
            raise UsageError(f"{year} has not been closed")
        row = rows[0]
        as_of = date.fromisoformat(row["as_of"])
        problems: list[str] = []
        try:
            stored = _read(conn, row).digest()  # the opening itself is let go before the replay
        except ValueError as error:
            return YearCheck(year, False, (str(error),))
        if stored != row["state_digest"]:
            problems.append(f"the stored opening of {year} does not have the state digest its record signs")
        known = sources(conn, settings, as_of)
        late = closings_repo.recorded_since(conn, row["last_seq"], row["boundary"])
        if late:
            problems.append(f"{year} is reopened: {late} event(s) of it or before were recorded after it was closed")
        again, start = _replay_year(conn, settings, year, as_of, known)
    if not late and again.digest() != row["state_digest"]:
        problems.append(f"replaying {year}'s events does not give the state its record signs")
    return YearCheck(year, not problems, tuple(problems), _replayed(again, start), start.year if start else None)


def _replay_year(
    conn: Connection, settings: Settings, year: int, as_of: date, known: Sources
) -> tuple[Opening, Opening | None]:
    """The opening of the year after `year`, replayed from the latest earlier opening that holds
    (or from the start of the ledger), with that earlier opening."""
    from reetrace.services.audit import recorded_events

    start = opening_for(conn, settings, as_of, known, before=year).opening
    end = closing.boundary(year + 1, settings.thresholds)
    since = to_utc_text(start.boundary) if start is not None else None
    events = recorded_events(conn, end - timedelta(microseconds=1), since=since)
    with scan_cache(conn):
        return close_stream(events, year, as_of, known, start), start


def _replayed(opening: Opening, start: Opening | None) -> int:
    """The events replayed to reach `opening` from `start`."""
    return opening.events - (start.events if start is not None else 0)
