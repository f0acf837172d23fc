"""Use case: the automated pre-review of a license application (`reetrace.domain.prereview`).

The facts are gathered here: the audit's findings on the whole ledger, each lot's backward trace
and what lies upstream of it, the lots' custody replayed from the events that touched them,
the screening of every party against every loaded list, the applicant's other applications
naming the same lots, and the consignees seen before. The report is recorded with the application, with the
ledger size it was judged on and the versions of the screening lists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Connection

from reetrace.config import Settings
from reetrace.domain import trace as tracing
from reetrace.domain.applications import Application
from reetrace.domain.audit import STAGE
from reetrace.domain.events import Event, Export, Receive, Ship
from reetrace.domain.findings import Finding
from reetrace.domain.lots import Ledger
from reetrace.domain.prereview import Facts, LotFacts, Provenance, name_key, pre_review, searchable_part
from reetrace.domain.provenance import upstream_of
from reetrace.domain.workflow import state_of
from reetrace.errors import NotFound
from reetrace.services import findings as current_findings
from reetrace.services.controls import control_list_in
from reetrace.store import applications_repo as repo
from reetrace.store.database import Store
from reetrace.store.lot_history import consignees, events_touching
from reetrace.store.lot_source import SqlLotSource
from reetrace.store.supervision_repo import event_count

DEAD_STATES = ("denied", "not_accepted", "withdrawn")


def lot_facts(conn: Connection, lots: Iterable[str], thresholds_tolerance: float) -> dict[str, LotFacts | None]:
    """Each lot as the ledger shows it now: its custody replayed, in the audit's order, from the
    events that touched it. A receipt that declares its mass shares it among the lots received
    together, so the lots received with these (and, in turn, with those) are replayed too."""
    wanted = list(dict.fromkeys(lots))
    found_events: dict[str, Event] = {}
    seen = set(wanted)
    frontier = wanted
    while frontier:
        coupled: set[str] = set()
        for event in events_touching(conn, frontier):
            if event.ref not in found_events:
                found_events[event.ref] = event
                if isinstance(event, Receive) and event.mass_kg is not None:
                    coupled.update(event.lots)
        frontier = sorted(coupled - seen)
        seen.update(frontier)
    events = sorted(found_events.values(), key=lambda e: (e.time, STAGE[type(e)], e.reporter, e.event_id))
    ledger = Ledger(thresholds_tolerance)
    exported: dict[str, float] = {}
    for event in events:
        ledger.admit(event)
        if isinstance(event, Export):
            exported.update((lot, ledger.lots[lot].remaining_kg) for lot in event.lots)
        ledger.apply(event)
    found: dict[str, LotFacts | None] = {}
    for lot_id in wanted:
        state = ledger.get(lot_id)
        found[lot_id] = (
            None
            if state is None or state.created_by is None
            else LotFacts(
                lot_id,
                state.form,
                dict(state.composition or {}),
                state.remaining_kg,
                state.custodian,
                state.status,
                exported.get(lot_id),
            )
        )
    return found


def _moves(events: Iterable[Event]) -> set[str]:
    return {e.ref for e in events if isinstance(e, (Ship, Receive))}


def year_in_zone(utc_offset_hours: int) -> Callable[[datetime | str], int]:
    """The calendar year of a moment in the audit's zone, as quota and capacity findings count
    years (the `zone_year` the walks below take)."""
    zone = timezone(timedelta(hours=utc_offset_hours))

    def zone_year(moment: datetime | str) -> int:
        return (datetime.fromisoformat(moment) if isinstance(moment, str) else moment).astimezone(zone).year

    return zone_year


def provenance(conn: Connection, lot: str, zone_year, source: tracing.LotSource | None = None) -> Provenance:
    """The stretch of history the pre-review judges a lot's export on; `source`, to share the
    reads with another walk over the same lineage (default: the store, read afresh)."""
    source = tracing.RememberingSource(source or SqlLotSource(conn))
    creations = tracing.ancestry(lot, source)
    trace = tracing.backward(lot, source)
    upstream, created_by = upstream_of(creations)
    refs = created_by | _moves(events_touching(conn, upstream))
    return Provenance(trace, upstream, refs, producers_of(creations.values(), zone_year))


def producers_of(creations: Iterable[tracing.Creation | None], zone_year) -> frozenset[tuple[str, str, int]]:
    """(kind, enterprise, year) of each extraction and separation among these creations, and of
    each output that counts against a site's capacity ("output": an extraction or a transform
    but a repack)."""
    producers = set()
    for c in creations:
        if c is None:
            continue
        year = zone_year(c.time)
        if c.type == "extract":
            producers.add(("extract", c.reporter, year))
        elif c.type == "transform" and c.process == "separation":
            producers.add(("separation", c.reporter, year))
        if c.type == "extract" or (c.type == "transform" and c.process != "repack"):
            producers.add(("output", c.reporter, year))
    return frozenset(producers)


def descent(
    conn: Connection, lot: str, zone_year
) -> tuple[frozenset[str], frozenset[str], frozenset[tuple[str, str, int]]]:
    """The lots made from a lot (not the lot itself), the events that made or moved them, and
    their producers: its history downstream, in the terms of `Provenance`."""
    source = SqlLotSource(conn)
    lots = frozenset(d.lot for d in tracing.forward(lot, source).descendants)
    creations = source.creations(lots)
    refs = {c.ref for c in creations.values()} | _moves(events_touching(conn, lots))
    return lots, frozenset(refs), producers_of(creations.values(), zone_year)


def _screen(conn: Connection, application: Application) -> list[tuple[str, str, str, dict[str, Any]]]:
    from reetrace.services.screening import DEFAULT_THRESHOLD, screen_parties_in

    parties = list(application.parties)
    try:
        results = [r.as_contract() for r in screen_parties_in(conn, [(p.name, p.country) for p in parties])]
    except NotFound:  # no list loaded: the parties are not screened, and the pre-review says so
        results = [
            {
                "format": "reetrace/screening@1",
                "query": p.name,
                "threshold": DEFAULT_THRESHOLD,
                "matches": [],
                "lists": [],
            }
            for p in parties
        ]
    return [(p.role, p.name, p.country, r) for p, r in zip(parties, results, strict=True)]


def _claimed(
    others: list[repo.StoredApplication], states: dict[str, str], lots: set[str], exporter: str
) -> dict[str, list[tuple[str, str]]]:
    """The exporter's live applications (neither denied, declined nor withdrawn) naming each of
    `lots`. Another enterprise's application never counts: only the holder of a lot may file
    for it, and an application whose exporter no longer holds its lot is refused at approval by
    its own pre-review, so a former holder cannot block the lot's new holder (nor is the new
    holder told of its application)."""
    found: dict[str, list[tuple[str, str]]] = {}
    for other in others:
        if other.exporter != exporter or states[other.number] in DEAD_STATES:
            continue
        for item in other.body.get("items", []):
            if item.get("lot") in lots:
                found.setdefault(item["lot"], []).append((other.number, states[other.number]))
    return found


def run_pre_review(
    store: Store,
    settings: Settings,
    application: Application,
    number: str | None,
    day: date,
    findings: list[Finding] | None = None,
) -> tuple[int, dict[str, Any]]:
    """The pre-review report of `application` (`number` once it has one) as of `day`, and the
    ledger size it was judged on. Reads only."""
    thresholds = settings.thresholds
    if findings is None:
        findings = current_findings.current(store, settings, day)
    zone_year = year_in_zone(thresholds.utc_offset_hours)

    with store.reading() as conn:
        ledger_size = event_count(conn)  # the last position, read from the key, not a count of rows
        lots = application.lots
        others = [a for a in repo.list_applications(conn) if a.number != number]
        states = {n: state_of(steps) for n, steps in repo.steps_of(conn, [a.number for a in others]).items()}
        claimed = _claimed(others, states, set(lots), application.exporter)
        # the exports that may name the consignee, narrowed in the store, then compared here
        part = searchable_part(application.consignee.name)
        known = {name_key(c) for c in consignees(conn, part or None)}
        known |= {name_key(a.body["consignee"]["name"]) for a in others if states[a.number] == "approved"}
        facts = Facts(
            application=application,
            day=day,
            controls=control_list_in(conn, settings),
            lots=lot_facts(conn, lots, thresholds.overdraw_tolerance_kg),
            provenance={lot: provenance(conn, lot, zone_year) for lot in dict.fromkeys(lots)},
            findings=findings,
            screening=_screen(conn, application),
            claimed=claimed,
            known_consignees=frozenset(known),
        )
        report = pre_review(facts)
    return ledger_size, report
