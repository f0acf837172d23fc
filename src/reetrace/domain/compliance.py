"""Reporting compliance: for each enterprise and month of a year, whether its report came on
time, late or not at all (Order No. 71: a month's product-flow by the 10th of the next month).

A month is *late* when any of its events (by event time, UTC+8) was received after the end of
day `deadline_day` of the next month — exactly what LATE_REPORT judges; *on time* when it has
events and none came late; *missing* when an enterprise holding a qualification in that month
reported no event of it once the deadline has passed; *quiet* when an enterprise with no
qualification then reported nothing (nothing was due); *pending* while the deadline is still
ahead and nothing has come in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from reetrace.domain.registry import Qualification

ON_TIME, LATE, MISSING, QUIET, PENDING = "on_time", "late", "missing", "quiet", "pending"
STATES = (ON_TIME, LATE, MISSING, QUIET, PENDING)


@dataclass(frozen=True, slots=True)
class MonthReport:
    """One reported event reduced to what the grid needs."""

    reporter: str
    time: datetime  # event time, aware
    received_at: datetime  # aware


@dataclass(frozen=True, slots=True)
class ComplianceGrid:
    year: int
    months: tuple[int, ...]
    rows: dict[str, tuple[str, ...]] = field(default_factory=dict)  # uscc -> state of each month

    def count(self, state: str) -> int:
        return sum(cells.count(state) for cells in self.rows.values())


def deadline_end(year: int, month: int, deadline_day: int, zone: timezone) -> datetime:
    """The first instant after the reporting deadline for events of this month."""
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    return datetime(next_year, next_month, deadline_day, tzinfo=zone) + timedelta(days=1)


def _month_span(year: int, month: int) -> tuple[date, date]:
    start = date(year, month, 1)
    end = (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - timedelta(days=1)
    return start, end


def obliged(qualifications: Sequence[Qualification], year: int, month: int) -> bool:
    """Whether any qualification is in force on some day of the month."""
    start, end = _month_span(year, month)
    return any(q.valid_from <= end and q.valid_to >= start for q in qualifications)


def reporting_grid(
    reports: Iterable[MonthReport],
    qualifications: Mapping[str, Sequence[Qualification]],
    year: int,
    as_of: datetime,
    deadline_day: int = 10,
    utc_offset_hours: int = 8,
) -> ComplianceGrid:
    """The grid for `year` as it stands at `as_of`: a row for every enterprise that holds a
    qualification during the year or reported an event of it."""
    zone = timezone(timedelta(hours=utc_offset_hours))
    months = tuple(range(1, 13))
    ends = {m: deadline_end(year, m, deadline_day, zone) for m in months}
    seen: dict[tuple[str, int], bool] = {}  # (uscc, month) -> any event late
    for report in reports:
        local = report.time.astimezone(zone)
        if local.year != year:
            continue
        key = (report.reporter, local.month)
        seen[key] = seen.get(key, False) or report.received_at >= ends[local.month]
    usccs = {uscc for uscc, _ in seen} | {
        uscc for uscc, quals in qualifications.items() if any(obliged(quals, year, m) for m in months)
    }
    rows = {}
    for uscc in sorted(usccs):
        cells = []
        for month in months:
            if (uscc, month) in seen:
                cells.append(LATE if seen[(uscc, month)] else ON_TIME)
            elif as_of < ends[month]:
                cells.append(PENDING)
            elif obliged(qualifications.get(uscc, ()), year, month):
                cells.append(MISSING)
            else:
                cells.append(QUIET)
        rows[uscc] = tuple(cells)
    return ComplianceGrid(year, months, rows)
