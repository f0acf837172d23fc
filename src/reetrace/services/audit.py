"""Use cases: audit the ledger (docs/contract.md §5), and quota use per enterprise."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from reetrace.config import Settings
from reetrace.contract.stored import decode_event
from reetrace.domain.audit import audit_stream
from reetrace.domain.elements import element_kg, reo_kg
from reetrace.domain.events import Extract, RecordedEvent, Transform, trusted_constructor
from reetrace.domain.findings import Finding
from reetrace.errors import UsageError
from reetrace.store.database import Store, scan_cache
from reetrace.store.ledger_repo import iter_events
from reetrace.store.registry_repo import load_registry
from reetrace.store.timefmt import to_utc_text

FINDINGS_FORMAT = "reetrace/findings@1"
# The calendar years a year's view can be asked for: each with its next year and its first and
# last moments in UTC writable, whatever the time zone.
YEARS = range(1900, 9999)


def check_year(year: int) -> int:
    if year not in YEARS:
        raise UsageError(f"a year is one from {YEARS.start} to {YEARS.stop - 1}, not {year}")
    return year


def check_day(day: date) -> date:
    """A day to audit as of: in one of `YEARS` (the rules reckon days and months after it)."""
    if day.year not in YEARS:
        raise UsageError(f"a day to audit as of lies in a year from {YEARS.start} to {YEARS.stop - 1}, not {day}")
    return day


def end_of_day(day: date, offset_hours: int) -> datetime:
    zone = timezone(timedelta(hours=offset_hours))
    return datetime.combine(day, time.max, tzinfo=zone)


# Built without the dataclass __init__, as the events themselves (reetrace.contract.stored): once per event.
_recorded = trusted_constructor(RecordedEvent)


def recorded_events(conn, until: datetime, types: tuple[str, ...] | None = None, since: str | None = None):
    """The recorded events up to `until` (of these types; from `since`, UTC text, on), decoded,
    in event-time order."""
    received: dict[str, datetime] = {}  # a submission's events share their time of receipt
    rows = iter_events(conn, until=to_utc_text(until), types=types, since=since)
    for seq, reporter, time_text, received_text, body in rows:
        at = received.get(received_text)
        if at is None:
            if len(received) > 4096:
                received.clear()
            at = received[received_text] = datetime.fromisoformat(received_text)
        yield _recorded(decode_event(reporter, datetime.fromisoformat(time_text), body), at, seq)


def audit_ledger(store: Store, settings: Settings, as_of: date, full: bool = False) -> list[Finding]:
    """Every finding on the ledger as of the end of `as_of` (China Standard Time by default),
    customs reconciliation and arrival reports included, computed in place (the command line's
    way: readers that answer a person go through reetrace.services.findings.current, which does
    not wait); with `full`, a replay of the whole ledger whatever is stored."""
    check_day(as_of)
    if not full:
        from reetrace.services import findings

        return findings.current(store, settings, as_of, wait=True)
    with store.reading() as conn:
        return [finding for _, finding in replay_ledger(conn, settings, as_of)]


def replay_ledger(
    conn,
    settings: Settings,
    as_of: date,
    progress: Callable[[int], None] | None = None,
    from_closed_years: bool = True,
) -> list[tuple[tuple[Any, ...], Finding]]:
    """The full audit inside the caller's transaction, each finding with its sort key: the
    events stream from the ledger's time index, so memory holds lot states, not events. It starts
    from the latest closed year whose opening holds (reetrace.services.closing), unless
    `from_closed_years` is false. `progress`, if given, is told every so many events how many
    were read."""
    from reetrace.services.closing import opening_for, sources

    check_day(as_of)
    thresholds = settings.thresholds
    until = end_of_day(as_of, thresholds.utc_offset_hours)
    known = sources(conn, settings, as_of)
    opening = opening_for(conn, settings, as_of, known).opening if from_closed_years else None
    since = to_utc_text(opening.boundary) if opening is not None else None
    events = recorded_events(conn, until, since=since)
    if progress is not None:
        events = _counted(events, progress)
    with scan_cache(conn):
        return audit_stream(events, *known[:2], as_of, thresholds, known.customs, known.shipments, opening)


def _counted(events: Iterator[RecordedEvent], progress: Callable[[int], None]) -> Iterator[RecordedEvent]:
    for n, record in enumerate(events, 1):
        if n % 50_000 == 0:
            progress(n)
        yield record


def findings_document(findings: list[Finding], as_of: date) -> dict[str, object]:
    return {"format": FINDINGS_FORMAT, "as_of": as_of.isoformat(), "findings": [f.as_contract() for f in findings]}


@dataclass(frozen=True, slots=True)
class QuotaUse:
    uscc: str
    name: str
    kind: str
    category: str
    quota_tonnes: float
    used_tonnes: float

    @property
    def share(self) -> float | None:
        return self.used_tonnes / self.quota_tonnes if self.quota_tonnes else None


def quota_use(store: Store, year: int, utc_offset_hours: int = 8) -> list[QuotaUse]:
    """REO extracted (by category) and separated in `year`, beside each enterprise's quota."""
    check_year(year)
    zone = timezone(timedelta(hours=utc_offset_hours))
    start = datetime(year, 1, 1, tzinfo=zone)
    end = datetime(year + 1, 1, 1, tzinfo=zone) - timedelta(microseconds=1)
    used: dict[tuple[str, str, str], float] = defaultdict(float)
    with store.reading() as conn:
        registry = load_registry(conn)
        for _, reporter, time_text, _, body in iter_events(
            conn, until=to_utc_text(end), types=("extract", "transform"), since=to_utc_text(start)
        ):
            event = decode_event(reporter, datetime.fromisoformat(time_text).astimezone(UTC), body)
            if isinstance(event, Extract):
                key = (event.reporter, "mining", event.deposit)
            elif isinstance(event, Transform) and event.process == "separation":
                key = (event.reporter, "separation", "all")
            else:
                continue
            used[key] += sum(reo_kg(element_kg(o.mass_kg, o.composition)) for o in event.outputs)
    keys = set(used) | {(q.uscc, q.kind, q.category) for q in registry.quotas.values() if q.year == year}
    rows = []
    for uscc, kind, category in sorted(keys):
        enterprise = registry.enterprises.get(uscc)
        quota = registry.quotas.get((year, uscc, kind, category))
        rows.append(
            QuotaUse(
                uscc,
                enterprise.name_en or enterprise.name if enterprise else uscc,
                kind,
                category,
                quota.tonnes_reo if quota else 0.0,
                used[(uscc, kind, category)] / 1000.0,
            )
        )
    return rows
