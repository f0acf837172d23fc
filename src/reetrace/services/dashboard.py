"""Use cases behind the pages: the national overview (quota use, findings by month, reporting
compliance, the national flow), an enterprise's own overview, and one lot with its lineage.
Each reads in one transaction; the aggregation itself is pure (`domain.compliance`,
`domain.flows`, `domain.lineage`)."""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Connection, func, select

from reetrace.config import Settings
from reetrace.contract.stored import decode_event
from reetrace.domain import trace as tracing
from reetrace.domain.compliance import ComplianceGrid, MonthReport, reporting_grid
from reetrace.domain.elements import reo_per_kg
from reetrace.domain.events import Event, Extract, Transform
from reetrace.domain.findings import Finding
from reetrace.domain.flows import FlowCounter, NationalFlow
from reetrace.domain.lineage import Lineage, lineage
from reetrace.domain.prereview import LotFacts
from reetrace.domain.registry import Enterprise, Registry
from reetrace.domain.submissions import AHEAD_OF_RECEIPT
from reetrace.errors import Computing, NotFound
from reetrace.services import findings as current_findings
from reetrace.services.audit import YEARS, QuotaUse, check_year, end_of_day, recorded_events
from reetrace.services.prereview import lot_facts
from reetrace.store import tables as t
from reetrace.store.database import Store
from reetrace.store.lot_history import events_touching
from reetrace.store.lot_source import SqlLotSource
from reetrace.store.overview_repo import load_snapshot, save_snapshot
from reetrace.store.registry_repo import load_registry
from reetrace.store.risk_repo import event_months
from reetrace.store.supervision_repo import event_count, now_text
from reetrace.store.timefmt import to_utc_text


@dataclass(slots=True)
class NationalOverview:
    year: int
    as_of: date
    enterprises: dict[str, Enterprise]
    quota: list[QuotaUse]
    # "YYYY-MM" -> severity -> code -> number of findings
    findings_by_month: dict[str, dict[str, Counter[str]]]
    compliance: ComplianceGrid
    flow: NationalFlow
    findings: int = 0  # the year's: those counted in findings_by_month


@dataclass(slots=True)
class EnterpriseOverview:
    uscc: str
    enterprise: Enterprise | None
    year: int
    quota: list[QuotaUse]
    submissions: list[Any] = field(default_factory=list)  # rows: id, received_at, created_at, event_count, ...
    rejections: list[Any] = field(default_factory=list)  # rows: id, received_at, source, reason, event, message, params


@dataclass(slots=True)
class LotRecord:
    lot: str
    facts: LotFacts | None
    timeline: list[Event]
    backward: dict[str, Any]
    backward_graph: Lineage
    forward_graph: Lineage
    enterprises: dict[str, Enterprise]


def _zone(settings: Settings) -> timezone:
    return timezone(timedelta(hours=settings.thresholds.utc_offset_hours))


def today(settings: Settings) -> date:
    return datetime.now(UTC).astimezone(_zone(settings)).date()


def latest_year(store: Store, settings: Settings) -> int:
    """The year a view opens on: that of the latest event not dated in the future (beyond what
    the bounds allow today), else of the latest event, within `YEARS`; this year when the ledger
    is empty. An event an older version accepted from the year 9999 does not take the pages there."""
    latest_allowed = to_utc_text(datetime.now(UTC) + AHEAD_OF_RECEIPT)
    with store.reading() as conn:
        latest = conn.scalar(select(func.max(t.events.c.time)).where(t.events.c.time <= latest_allowed))
        if latest is None:
            latest = conn.scalar(select(func.max(t.events.c.time)))
    if latest is None:
        return today(settings).year
    moment = datetime.fromisoformat(latest)
    try:
        year = moment.astimezone(_zone(settings)).year
    except OverflowError:
        year = moment.year
    return min(max(year, YEARS.start), YEARS.stop - 1)


def quota_rows(
    events: list[Event], registry: Registry, year: int, zone: timezone, uscc: str | None = None
) -> list[QuotaUse]:
    """REO extracted (by deposit) and separated in `year`, beside each quota (as `audit.quota_use`)."""
    used: dict[tuple[str, str, str], float] = defaultdict(float)
    for event in events:
        if event.time.astimezone(zone).year != year:
            continue
        if isinstance(event, Extract):
            key = (event.reporter, "mining", event.deposit)
        elif isinstance(event, Transform) and event.process == "separation":
            key = (event.reporter, "separation", "all")
        else:
            continue
        used[key] += sum(o.mass_kg * reo_per_kg(o.composition) for o in event.outputs)
    keys = set(used) | {(q.uscc, q.kind, q.category) for q in registry.quotas.values() if q.year == year}
    rows = []
    for who, kind, category in sorted(keys):
        if uscc is not None and who != uscc:
            continue
        enterprise = registry.enterprises.get(who)
        quota = registry.quotas.get((year, who, kind, category))
        rows.append(
            QuotaUse(
                who,
                enterprise.name_en or enterprise.name if enterprise else who,
                kind,
                category,
                quota.tonnes_reo if quota else 0.0,
                used[(who, kind, category)] / 1000.0,
            )
        )
    return rows


def finding_month(finding: Finding, months_of_events: dict[str, str]) -> str | None:
    """The month a finding belongs to: its event's month, the month it names, else the end of its year."""
    if finding.event and finding.event in months_of_events:
        return months_of_events[finding.event]
    month = finding.evidence.get("month") if isinstance(finding.evidence, dict) else None
    if isinstance(month, str) and len(month) == 7:
        return month
    return f"{finding.year:04d}-12" if finding.year else None


_passes: dict[tuple[str, int, date], threading.Thread] = {}
_passes_lock = threading.Lock()


def _pass_in_background(store: Store, settings: Settings, year: int, as_of: date, kept_as: date) -> None:
    """Start the year's pass, unless it is running, and keep its snapshot when done."""

    def run() -> None:
        with store.reading() as conn:
            size = event_count(conn)
            snapshot = _year_pass(conn, settings, load_registry(conn), year, as_of)
        with store.writing() as conn:
            save_snapshot(conn, year, kept_as, size, now_text(), {**snapshot, "saved": True})

    key = (str(store.engine.url), year, kept_as)
    with _passes_lock:
        running = _passes.get(key)
        if running is None or not running.is_alive():
            _passes[key] = threading.Thread(target=run, daemon=True)
            _passes[key].start()


def _settled(settings: Settings, year: int, as_of: date) -> date:
    """The date a year's snapshot is kept under: once the deadline of its last month has passed
    (on `as_of` and today), later dates draw the same flows, quota use and grid, so the snapshot
    is not computed again as days pass."""
    settled = date(year + 1, 1, settings.thresholds.report_deadline_day) + timedelta(days=1)
    return settled if as_of > settled and today(settings) > settled else as_of


def national_overview(store: Store, settings: Settings, year: int, as_of: date | None = None) -> NationalOverview:
    """Everything the dashboard draws for `year`, the audit as of `as_of` (default today): the
    findings are the current ones (reetrace.services.findings). Flow, quota use and reporting
    grid come from one pass over the year's ledger, kept as a snapshot and served again until the
    ledger grows; on a large ledger the pass runs in the background, the last snapshot drawn
    meanwhile (`Computing` when there is none yet)."""
    check_year(year)
    as_of = as_of or today(settings)
    zone = _zone(settings)
    findings = current_findings.current(store, settings, as_of)
    with store.reading() as conn:
        registry = load_registry(conn)
        months = event_months(conn, {f.event for f in findings if f.event}, zone)
        size = event_count(conn)
        kept_as = _settled(settings, year, as_of)
        snapshot = load_snapshot(conn, year, kept_as, size)
        if snapshot is None and size > current_findings.INLINE_EVENTS:
            # a large ledger's pass runs in the background; meanwhile the last one is drawn
            _pass_in_background(store, settings, year, as_of, kept_as)
            snapshot = load_snapshot(conn, year, kept_as, None)
            if snapshot is None:
                raise Computing(as_of, 0, size)
            snapshot = {**snapshot, "saved": True}
        if snapshot is None:
            snapshot = _year_pass(conn, settings, registry, year, as_of)
    if size and not snapshot.get("saved"):
        with store.writing() as conn:
            save_snapshot(conn, year, kept_as, size, now_text(), {**snapshot, "saved": True})
    by_month: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for finding in findings:
        month = finding_month(finding, months)
        if month and month.startswith(f"{year:04d}-"):
            by_month[month][finding.severity][finding.code] += 1
    return NationalOverview(
        year,
        as_of,
        dict(registry.enterprises),
        [QuotaUse(**q) for q in snapshot["quota"]],
        {m: dict(s) for m, s in sorted(by_month.items())},
        ComplianceGrid(
            year, tuple(snapshot["grid"]["months"]), {k: tuple(v) for k, v in snapshot["grid"]["rows"].items()}
        ),
        NationalFlow(year, {(a, b): kg for a, b, kg in snapshot["flow"]["links"]}, snapshot["flow"]["produced"]),
        sum(n for by_severity in by_month.values() for codes in by_severity.values() for n in codes.values()),
    )


def _year_pass(conn: Connection, settings: Settings, registry: Registry, year: int, as_of: date) -> dict[str, Any]:
    """Flow, quota use and reporting grid of the year, from one pass over its events (and the
    earlier ones that made its lots), as JSON."""
    thresholds = settings.thresholds
    zone = _zone(settings)
    end = min(
        end_of_day(as_of, thresholds.utc_offset_hours),
        datetime(year + 1, 1, 1, tzinfo=zone) - timedelta(microseconds=1),
    )
    flows = FlowCounter(year, thresholds.utc_offset_hours)
    counted: list[Event] = []
    for r in recorded_events(conn, end, types=FLOW_TYPES):  # ships and receipts move no REO
        event = r.event
        flows.add(event)
        if isinstance(event, (Extract, Transform)):
            counted.append(event)
    moment = min(end_of_day(as_of, thresholds.utc_offset_hours), datetime.now(UTC))
    grid = reporting_grid(
        _last_receipts(conn, end, zone),
        registry.qualifications,
        year,
        moment,
        thresholds.report_deadline_day,
        thresholds.utc_offset_hours,
    )
    flow = flows.result()
    return {
        "quota": [asdict(q) for q in quota_rows(counted, registry, year, zone)],
        "grid": {"months": list(grid.months), "rows": {k: list(v) for k, v in grid.rows.items()}},
        "flow": {"links": [[a, b, kg] for (a, b), kg in flow.links.items()], "produced": flow.produced},
    }


FLOW_TYPES = ("extract", "import", "transform", "export", "consume", "adjust")


def _last_receipts(conn: Connection, end: datetime, zone: timezone) -> list[MonthReport]:
    """Per enterprise and month of events, the latest receipt of any of them: all the reporting
    grid needs, from one grouped query (a submission's events share their time of receipt)."""
    e = t.events.c
    rows = conn.execute(
        select(e.reporter, e.submission_id, func.min(e.time), func.max(e.time), e.received_at)
        .where(e.time <= to_utc_text(end))
        .group_by(e.reporter, e.submission_id, e.received_at)
    )
    latest: dict[tuple[str, str], MonthReport] = {}
    for reporter, submission, first, last, received in rows:
        times = [datetime.fromisoformat(first), datetime.fromisoformat(last)]
        received_at = datetime.fromisoformat(received)
        if times[0].astimezone(zone).strftime("%Y-%m") != times[1].astimezone(zone).strftime("%Y-%m"):
            times = [
                datetime.fromisoformat(time)
                for time in conn.scalars(  # a submission over several months
                    select(e.time).where(e.submission_id == submission, e.time <= to_utc_text(end))
                )
            ]
        for time in times:
            key = (reporter, time.astimezone(zone).strftime("%Y-%m"))
            known = latest.get(key)
            if known is None or received_at > known.received_at:
                latest[key] = MonthReport(reporter, time, received_at)
    return list(latest.values())


def enterprise_overview(store: Store, settings: Settings, uscc: str, year: int) -> EnterpriseOverview:
    """An enterprise's own submissions (accepted and rejected) and its quota use in `year`."""
    check_year(year)
    zone = _zone(settings)
    start = to_utc_text(datetime(year, 1, 1, tzinfo=zone))
    end = to_utc_text(datetime(year + 1, 1, 1, tzinfo=zone))
    s, r, e = t.submissions.c, t.rejections.c, t.events.c
    with store.reading() as conn:
        registry = load_registry(conn)
        submissions = list(
            conn.execute(
                select(s.id, s.received_at, s.created_at, s.event_count, s.source, s.digest, s.key_id)
                .where(s.reporter == uscc)
                .order_by(s.received_at.desc(), s.id.desc())
                .limit(200)
            )
        )
        rejections = list(
            conn.execute(
                select(r.id, r.received_at, r.source, r.reason, r.reason_class, r.event, r.message, r.params)
                .where(r.reporter == uscc)
                .order_by(r.id.desc())
                .limit(200)
            )
        )
        events = [
            decode_event(row.reporter, datetime.fromisoformat(row.time), row.body)
            for row in conn.execute(
                select(e.reporter, e.time, e.body).where(
                    e.reporter == uscc, e.type.in_(("extract", "transform")), e.time >= start, e.time < end
                )
            )
        ]
    return EnterpriseOverview(
        uscc,
        registry.enterprises.get(uscc),
        year,
        quota_rows(events, registry, year, zone, uscc),
        submissions,
        rejections,
    )


def lot_record(store: Store, settings: Settings, lot: str, limit: int = 60) -> LotRecord:
    """A lot's facts, every event that touched it, its backward trace and its lineage both ways."""
    with store.reading() as conn:
        timeline = sorted(events_touching(conn, [lot]), key=lambda ev: (ev.time, ev.reporter, ev.event_id))
        if not timeline:
            raise NotFound(f"lot {lot!r} is not in the ledger")
        facts = lot_facts(conn, [lot], settings.thresholds.overdraw_tolerance_kg).get(lot)
        source = SqlLotSource(conn)
        backward = tracing.backward(lot, source).as_contract()
        back_graph = lineage(lot, source, "backward", limit)
        forward_graph = lineage(lot, source, "forward", limit)
        registry = load_registry(conn)
    return LotRecord(lot, facts, timeline, backward, back_graph, forward_graph, dict(registry.enterprises))
