"""Use cases: bring the supervised findings up to date with a change to what the audit reads
besides the ledger (docs/supervision.md, "Changes besides the ledger"), inside the transaction
that makes the change, re-evaluating only the subjects it touches:

- a license issued or changed (review's approval, a registry load): the exports under it and its
  `LICENSE_EXCEEDED` subject;
- a quota changed: that quota account (the enterprise's extractions or separations of the year);
- a qualification changed: whether the enterprise's events were authorised;
- a site changed, added or dropped: whether the enterprise's extractions fit their deposits, and
  its sites' capacities in every year;
- an arrival reported: that export's `ARRIVAL_NOT_REPORTED`;
- customs declarations loaded: the declarations, the exports they can be matched to and the
  exports of the period the load covers;
- a control list change: the exports from the day it takes effect.

What one rule judges alone (a quota, an authorisation, an arrival, a receipt window) is judged
again on just the events it reads and replaces only that rule's findings; the rest goes through
the same plan as new events (reetrace.services.supervision.Plan). A change whose update would
replay more than `REPLAY_LIMIT` events marks the findings stale instead: readers then have them
rebuilt in the background (reetrace.services.findings).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Connection, select

from reetrace.config import Settings
from reetrace.domain.audit import audit_keyed
from reetrace.domain.customs import CustomsRecords, Period
from reetrace.domain.event_keys import declaration_key, license_key
from reetrace.domain.events import Export, RecordedEvent
from reetrace.domain.registry import Registry, Site
from reetrace.domain.supervision import capacity_subject, event_subject, quota_subject, shipment_of
from reetrace.services.audit import replay_ledger
from reetrace.services.controls import control_list_in
from reetrace.services.supervision import (
    REPLAY_LIMIT,
    Plan,
    absorb,
    account_events,
    customs_for,
    thresholds_digest,
)
from reetrace.store import tables as t
from reetrace.store.customs_repo import customs_records
from reetrace.store.database import Store
from reetrace.store.lot_history import recorded_at, seqs_keyed, seqs_touching
from reetrace.store.registry_repo import load_registry
from reetrace.store.supervision_repo import (
    SupervisionState,
    event_count,
    load_state,
    mark_stale,
    now_text,
    replace_all,
    replace_code,
    replace_subjects,
    save_state,
)
from reetrace.store.timefmt import to_utc_text

AUTHORISATION = {"mining": "UNAUTHORIZED_MINING", "separation": "UNAUTHORIZED_SEPARATION"}


def holding(conn: Connection, settings: Settings) -> SupervisionState | None:
    """The supervision state when there are kept findings to update (not off, not stale); else
    None. Findings judged by other thresholds than `settings`' cannot be updated with them: they
    are marked stale (and rebuilt by the next reader)."""
    state = load_state(conn)
    if state is None:
        return None
    if state.stale:
        mark_stale(conn)  # noted, so that a rebuild running meanwhile knows it missed this change
        return None
    if state.thresholds != thresholds_digest(settings.thresholds):
        mark_stale(conn)
        return None
    return state


def zone_of(settings: Settings) -> timezone:
    return timezone(timedelta(hours=settings.thresholds.utc_offset_hours))


def rejudge_code(conn: Connection, settings: Settings, as_of: date, seqs: Collection[int], code: str) -> int:
    """Judge again, as of `as_of`, the findings of `code` about the events at `seqs`, from those
    events alone (a rule that reads nothing else: arrival reports); returns the events replayed."""
    if not seqs:
        return 0
    found = recorded_at(conn, seqs)
    records = customs_records(conn)
    customs = CustomsRecords((), records.covered, records.arrivals)
    keyed = audit_keyed(
        found, load_registry(conn), control_list_in(conn, settings), as_of, settings.thresholds, customs
    )
    replace_code(conn, {event_subject(r.event.ref) for r in found}, code, keyed)
    return len(found)


def rejudge_shipments(conn: Connection, settings: Settings, as_of: date, ships: Collection[int]) -> int:
    """Judge again whether the shipments at `ships` were received in time, from both halves of
    each shipment; returns the events replayed."""
    if not ships:
        return 0
    found = recorded_at(conn, ships)
    keys = {key for r in found if (key := shipment_of(r.event))}
    events = recorded_at(conn, set(ships) | seqs_keyed(conn, keys))
    registry, controls = load_registry(conn), control_list_in(conn, settings)
    keyed = audit_keyed(events, registry, controls, as_of, settings.thresholds, CustomsRecords())
    replace_code(conn, {event_subject(r.event.ref) for r in found}, "SHIPMENT_NOT_RECEIVED", keyed)
    return len(events)


def rejudge(
    conn: Connection,
    settings: Settings,
    current: SupervisionState,
    seqs: Collection[int],
    declarations: Iterable[str] = (),
    subjects: Iterable[str] = (),
    as_of: date | None = None,
) -> int | None:
    """Judge again, as of `as_of` (default the findings' date), every subject the events at `seqs`
    touch (as if they had just arrived), the declarations numbered `declarations` and `subjects`;
    returns the events replayed, or None when that was too many and the findings were marked
    stale instead."""
    plan = Plan(conn, zone_of(settings), settings.thresholds.layered_days)
    plan.declarations |= set(declarations)
    plan.take(recorded_at(conn, seqs))
    plan.subjects |= set(subjects)
    if len(plan.replay) > REPLAY_LIMIT:
        mark_stale(conn)
        return None
    events = plan.events(plan.replay)
    customs = customs_for(events, plan) if plan.exports or plan.declarations else CustomsRecords()
    day = as_of or current.as_of
    keyed = audit_keyed(events, load_registry(conn), control_list_in(conn, settings), day, settings.thresholds, customs)
    replace_subjects(conn, plan.subjects, keyed)
    return len(events)


def _exports_between(conn: Connection, low: datetime | None, high: datetime | None) -> set[int]:
    c = t.events.c
    query = select(c.seq).where(c.type == "export")
    if low is not None:
        query = query.where(c.time >= to_utc_text(low))
    if high is not None:
        query = query.where(c.time < to_utc_text(high))
    return set(conn.scalars(query))


def licenses_changed(conn: Connection, settings: Settings, license_nos: Collection[str]) -> int | None:
    """A license issued or changed: the exports under it and what it was exceeded by."""
    current = holding(conn, settings)
    if current is None or not license_nos:
        return 0
    keys = {license_key(no) for no in license_nos}
    return rejudge(conn, settings, current, seqs_keyed(conn, keys), subjects=keys)


def arrival_reported(conn: Connection, settings: Settings, export_seq: int) -> int:
    """An arrival reported for the export at `export_seq`."""
    current = holding(conn, settings)
    if current is None:
        return 0
    return rejudge_code(conn, settings, current.as_of, [export_seq], "ARRIVAL_NOT_REPORTED")


def declarations_loaded(conn: Connection, settings: Settings, numbers: Collection[str], period: Period) -> int | None:
    """Customs declarations loaded, covering `period`: the declarations, the exports naming them
    or their lots, and every export of the period (customs' silence on it now says something)."""
    current = holding(conn, settings)
    if current is None:
        return 0
    zone = zone_of(settings)
    records = customs_records(conn)
    lots = {lot for d in records.declarations if d.declaration_no in numbers for lot in d.lots}
    related = seqs_keyed(conn, {declaration_key(n) for n in numbers}) | seqs_touching(conn, lots)
    exports = {r.seq for r in recorded_at(conn, related) if isinstance(r.event, Export)}
    start = datetime(period.start.year, period.start.month, period.start.day, tzinfo=zone)
    end = datetime(period.end.year, period.end.month, period.end.day, tzinfo=zone) + timedelta(days=1)
    exports |= _exports_between(conn, start, end)
    return rejudge(conn, settings, current, exports, declarations=numbers)


def controls_changed(conn: Connection, settings: Settings, effective: date) -> int | None:
    """A control list change taking effect on `effective`: every export from that day on."""
    current = holding(conn, settings)
    if current is None:
        return 0
    zone = zone_of(settings)
    start = datetime(effective.year, effective.month, effective.day, tzinfo=zone)
    return rejudge(conn, settings, current, _exports_between(conn, start, None))


def registry_changed(conn: Connection, settings: Settings, before: Registry, after: Registry) -> int | None:
    """The registry as it was and as it is now: what changed is judged again (licenses, quotas,
    qualifications, sites; names and keys are not read by the audit)."""
    current = holding(conn, settings)
    if current is None:
        return 0
    replayed = 0
    licenses = {
        no for no in set(before.licenses) | set(after.licenses) if before.licenses.get(no) != after.licenses.get(no)
    }
    if licenses:
        done = licenses_changed(conn, settings, licenses)
        if done is None:
            return None
        replayed += done
    accounts = {
        (uscc, year, kind)
        for key in set(before.quotas) | set(after.quotas)
        if before.quotas.get(key) != after.quotas.get(key)
        for year, uscc, kind, _ in [key]
    }
    zone = zone_of(settings)
    for uscc, year, kind in sorted(accounts):
        seqs = account_events(conn, uscc, year, kind, zone)
        replayed += _rejudge_alone(conn, settings, current.as_of, seqs, {quota_subject(uscc, year, kind)}, None)
    enterprises = {
        uscc
        for uscc in set(before.qualifications) | set(after.qualifications)
        if sorted(before.qualifications.get(uscc, []), key=repr) != sorted(after.qualifications.get(uscc, []), key=repr)
    }
    for uscc in sorted(enterprises):
        c = t.events.c
        seqs = set(conn.scalars(select(c.seq).where(c.reporter == uscc, c.type.in_(("extract", "transform")))))
        if len(seqs) > REPLAY_LIMIT:
            mark_stale(conn)
            return None
        found = recorded_at(conn, seqs)
        subjects = {event_subject(r.event.ref) for r in found}
        for code in AUTHORISATION.values():
            replayed += _rejudge_alone(conn, settings, current.as_of, seqs, subjects, code, found)
    sited = {
        uscc for uscc, _ in set(before.sites) | set(after.sites) if _sites_of(before, uscc) != _sites_of(after, uscc)
    }
    for uscc in sorted(sited):
        done = _sites_changed(conn, settings, current.as_of, uscc)
        if done is None:
            return None
        replayed += done
    return replayed


def _sites_of(registry: Registry, uscc: str) -> list[Site]:
    return sorted((site for (owner, _), site in registry.sites.items() if owner == uscc), key=repr)


def _sites_changed(conn: Connection, settings: Settings, as_of: date, uscc: str) -> int | None:
    """An enterprise's sites changed: whether its extractions fit their deposits
    (`COMPOSITION_IMPLAUSIBLE`, from each extraction alone) and its sites' capacities in every
    year it made something (which site an event counts for may change with any of them)."""
    c = t.events.c
    seqs = set(conn.scalars(select(c.seq).where(c.reporter == uscc, c.type.in_(("extract", "transform")))))
    if len(seqs) > REPLAY_LIMIT:
        mark_stale(conn)
        return None
    found = recorded_at(conn, seqs)
    zone = zone_of(settings)
    extracts = {event_subject(r.event.ref) for r in found if r.event.type == "extract"}
    years = {capacity_subject(uscc, r.event.time.astimezone(zone).year) for r in found}
    keyed = audit_keyed(found, load_registry(conn), control_list_in(conn, settings), as_of, settings.thresholds)
    replace_code(conn, extracts, "COMPOSITION_IMPLAUSIBLE", keyed)
    replace_subjects(conn, years, keyed)
    return len(found)


def _rejudge_alone(
    conn: Connection,
    settings: Settings,
    as_of: date,
    seqs: Collection[int],
    subjects: set[str],
    code: str | None,
    found: list[RecordedEvent] | None = None,
) -> int:
    """Judge again the findings of `subjects` (of `code` only, if given) from the events at
    `seqs` alone: for a rule that reads nothing but them."""
    events = found if found is not None else recorded_at(conn, seqs)
    keyed = audit_keyed(events, load_registry(conn), control_list_in(conn, settings), as_of, settings.thresholds)
    if code is None:
        replace_subjects(conn, subjects, keyed)
    else:
        replace_code(conn, subjects, code, keyed)
    return len(events)


def rebuild(store: Store, settings: Settings, as_of: date, progress: Callable[[int], None] | None = None) -> bool:
    """Rebuild the stored findings as of `as_of` from a full audit, without holding the ledger's
    write lock while it replays (submissions, triage and reviews go on meanwhile): the events that
    arrived during the replay are then absorbed as any others. False, and the findings left stale,
    when a change besides the ledger came in meanwhile (the next reader starts again)."""
    with store.reading() as conn:
        before = load_state(conn)
        size = event_count(conn)
        keyed = replay_ledger(conn, settings, as_of, progress)
    with store.writing() as conn:
        after = load_state(conn)
        if before is not None and (after is None or after.updated_at != before.updated_at):
            return False
        replace_all(conn, keyed)
        stamp = now_text()
        save_state(conn, SupervisionState(as_of, thresholds_digest(settings.thresholds), size, False, stamp, stamp))
        last = event_count(conn)
        if last > size:
            absorb(conn, settings, range(size + 1, last + 1))
    return True
