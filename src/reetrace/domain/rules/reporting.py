"""Reporting deadlines: each month's product-flow is entered by the 10th of the next month
(Order No. 71). Judged on when the report was received.

LATE_REPORT: one finding per (enterprise, month of event time) when any event of that month was
received after the deadline, the end of day `report_deadline_day` of the next month (UTC+8).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from reetrace.domain.rules.base import AuditContext, Step


@dataclass(slots=True)
class _Late:
    deadline: datetime
    events: int = 0
    last_received_at: datetime | None = None


class Reporting:
    def __init__(self, ctx: AuditContext) -> None:
        self.ctx = ctx
        self._ends: dict[tuple[int, int], datetime] = {}
        self._late: dict[tuple[str, int, int], _Late] = {}

    def _end(self, year: int, month: int) -> datetime:
        """The first instant after the deadline for events of this month."""
        end = self._ends.get((year, month))
        if end is None:
            next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
            day = self.ctx.thresholds.report_deadline_day
            end = datetime(next_year, next_month, day, tzinfo=self.ctx.zone) + timedelta(days=1)
            self._ends[(year, month)] = end
        return end

    def on_event(self, step: Step) -> None:
        """Lateness needs no ledger state: a tally per enterprise and month."""
        time = step.time
        end = self._ends.get((time.year, time.month)) or self._end(time.year, time.month)
        received = step.record.received_at
        if received < end:
            return
        key = (step.event.reporter, time.year, time.month)
        late = self._late.get(key)
        if late is None:
            late = self._late[key] = _Late(end - timedelta(days=1))
        late.events += 1
        if late.last_received_at is None or received > late.last_received_at:
            late.last_received_at = received

    def finish(self) -> None:
        for (uscc, year, month), late in self._late.items():
            period = f"{year:04d}-{month:02d}"
            deadline = late.deadline.date().isoformat()
            last = late.last_received_at.astimezone(self.ctx.zone)  # type: ignore[union-attr]
            self.ctx.flag_period(
                "LATE_REPORT", uscc, year,
                f"{uscc} reported {late.events} event(s) of {period} after the deadline of {deadline}, "
                f"the last received on {last.date().isoformat()}.",
                {"month": period, "deadline": deadline, "late_events": late.events,
                 "last_received_at": last.isoformat()},
                order=period,
            )
