"""The review clock: a decision is due within 45 working days of acceptance (Decree 792),
and the clock stops while the applicant is asked for more information.

Working days follow an official calendar given as a function (`Workdays`), so this module stays
free of the calendar package; `reetrace.services.calendar` supplies China's, with its holidays
and adjusted weekend workdays. A year the calendar does not know yet is counted by weekends
alone, and the answer says it is provisional.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

DECISION_WORKING_DAYS = 45


@dataclass(frozen=True, slots=True)
class Workdays:
    """`is_workday(day)` returns True/False, or None when the calendar does not cover the day."""

    is_workday: Callable[[date], bool | None]

    def check(self, day: date) -> tuple[bool, bool]:
        """(working day?, known from the official calendar?)"""
        known = self.is_workday(day)
        if known is None:
            return day.weekday() < 5, False
        return known, True


@dataclass(frozen=True, slots=True)
class Pause:
    """The clock stood still from `start` (the request) until `end` (the answer; None: still)."""

    start: date
    end: date | None


@dataclass(frozen=True, slots=True)
class ClockReading:
    accepted_on: date
    as_of: date
    used: int  # working days counted so far (after acceptance, up to as_of, outside pauses)
    remaining: int  # working days left, as of `as_of` (negative: overdue by that many)
    due: date | None  # the last day of the period (None while the clock stands still)
    stopped: bool  # the clock is stopped on `as_of`
    provisional: bool  # some day counted was judged by weekends alone

    @property
    def overdue(self) -> bool:
        return self.remaining < 0


def _paused(day: date, pauses: Iterable[Pause]) -> bool:
    """A day is not counted from the day information is requested up to the day it arrives; the
    day it arrives counts again."""
    return any(p.start <= day and (p.end is None or day < p.end) for p in pauses)


def read_clock(
    accepted_on: date, pauses: list[Pause], as_of: date, workdays: Workdays, limit: int = DECISION_WORKING_DAYS
) -> ClockReading:
    """Working days are counted from the day after acceptance. The due date is the day the
    `limit`-th working day falls on, counting the pauses known so far; while a pause is open
    there is no due date."""
    used = 0
    provisional = False
    day = accepted_on + timedelta(days=1)
    while day <= as_of:
        if not _paused(day, pauses):
            working, known = workdays.check(day)
            provisional |= not known
            used += working
        day += timedelta(days=1)
    stopped = any(p.start <= as_of and p.end is None for p in pauses)
    due = None
    if not stopped:
        due, counted = max(as_of, accepted_on), used
        if counted >= limit:  # already at or past the limit: find the day it was reached
            due, counted = accepted_on, 0
        while counted < limit:
            due += timedelta(days=1)
            if _paused(due, pauses):
                continue
            working, known = workdays.check(due)
            provisional |= not known
            counted += working
    return ClockReading(accepted_on, as_of, used, limit - used, due, stopped, provisional)
