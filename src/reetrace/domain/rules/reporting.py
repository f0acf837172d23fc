"""Reporting deadlines: each month's product-flow is entered by the 10th of the next month
(Order No. 71). Judged on when the report was received.

LATE_REPORT: one finding per (enterprise, month of event time) when any event of that month was
received after the deadline, the end of day `report_deadline_day` of the next month (UTC+8).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from reetrace.domain.rules.base import AuditContext, Step


@dataclass(slots=True)
class _Late:
    deadline: datetime
    last_received_at: datetime
    events: int = 0


class Reporting:
    STATE: tuple[str, ...] = ("_late",)  # what it carries from one event to the next

    def __init__(self, ctx: AuditContext) -> None:
        self.ctx = ctx
        self._late: dict[tuple[str, int, int], _Late] = {}
        # Every event is checked, so what its month needs is kept for the next ones (they come in
        # time order: the month changes rarely): the month, [start, next) in the audit's zone;
        # its deadline (the day); the first instant after it, in UTC, like the times of receipt
        # as stored (aware times compare fastest when they share their tzinfo).
        self._month: tuple[datetime, datetime] | None = None
        self._deadline = datetime.min
        self._deadline_end = datetime.min.replace(tzinfo=UTC)

    def _enter_month(self, time: datetime) -> None:
        zone = self.ctx.zone
        next_year, next_month = (time.year + 1, 1) if time.month == 12 else (time.year, time.month + 1)
        self._month = (datetime(time.year, time.month, 1, tzinfo=zone), datetime(next_year, next_month, 1, tzinfo=zone))
        self._deadline = datetime(next_year, next_month, self.ctx.thresholds.report_deadline_day, tzinfo=zone)
        self._deadline_end = (self._deadline + timedelta(days=1)).astimezone(UTC)

    def on_event(self, step: Step) -> None:
        """Lateness needs no ledger state: a tally per enterprise and month."""
        time = step.time
        month = self._month
        if month is None or not month[0] <= time < month[1]:
            self._enter_month(time)
        received = step.record.received_at
        if received < self._deadline_end:
            return
        key = (step.event.reporter, time.year, time.month)
        late = self._late.get(key)
        if late is None:
            late = self._late[key] = _Late(self._deadline, received)
        late.events += 1
        if received > late.last_received_at:
            late.last_received_at = received

    def finish(self) -> None:
        for (uscc, year, month), late in self._late.items():
            period = f"{year:04d}-{month:02d}"
            deadline = late.deadline.date().isoformat()
            last = late.last_received_at.astimezone(self.ctx.zone)
            self.ctx.flag_period(
                "LATE_REPORT",
                uscc,
                year,
                f"{uscc} reported {late.events} event(s) of {period} after the deadline of {deadline}, "
                f"the last received on {last.date().isoformat()}.",
                {
                    "month": period,
                    "deadline": deadline,
                    "late_events": late.events,
                    "last_received_at": last.isoformat(),
                },
                order=period,
                params={
                    "enterprise": uscc,
                    "count": late.events,
                    "month": period,
                    "deadline": deadline,
                    "received_day": last.date().isoformat(),
                },
            )
