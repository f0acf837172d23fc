"""The 45-working-day clock: holidays, adjusted workdays, pauses, unknown years."""

from __future__ import annotations

from datetime import date

from reetrace.domain.clock import Pause, Workdays, read_clock
from reetrace.services.calendar import CHINA

HOLIDAYS = {date(2026, 10, 1), date(2026, 10, 2)}
SWAPPED_SATURDAY = date(2026, 10, 10)


def _office(day: date) -> bool:
    if day in HOLIDAYS:
        return False
    return day == SWAPPED_SATURDAY or day.weekday() < 5


OFFICE = Workdays(_office)


def test_the_clock_starts_the_day_after_acceptance_and_skips_holidays():
    # accepted Wed 30 Sep: Thu 1 and Fri 2 Oct are holidays, Mon 5 .. Wed 7 count
    reading = read_clock(date(2026, 9, 30), [], date(2026, 9, 30), OFFICE, limit=3)
    assert reading.used == 0 and reading.due == date(2026, 10, 7) and not reading.provisional


def test_an_adjusted_saturday_counts():
    reading = read_clock(date(2026, 10, 8), [], date(2026, 10, 8), OFFICE, limit=2)
    assert reading.due == date(2026, 10, 10)  # Fri 9, then the working Saturday


def test_a_request_for_information_stops_the_clock_until_the_answer():
    pauses = [Pause(date(2026, 10, 6), date(2026, 10, 13))]
    reading = read_clock(date(2026, 10, 2), pauses, date(2026, 10, 20), OFFICE, limit=45)
    # counted: Mon 5 Oct only before the pause; the answer day Tue 13 counts again
    counted = [date(2026, 10, 5)] + [date(2026, 10, d) for d in range(13, 21) if date(2026, 10, d).weekday() < 5]
    assert reading.used == len(counted)
    open_pause = read_clock(date(2026, 10, 2), [Pause(date(2026, 10, 6), None)], date(2026, 10, 20), OFFICE)
    assert open_pause.stopped and open_pause.due is None and open_pause.used == 1


def test_overdue_after_the_limit():
    reading = read_clock(date(2026, 1, 5), [], date(2026, 1, 9), OFFICE, limit=3)
    assert reading.used == 4 and reading.remaining == -1 and reading.overdue
    assert reading.due == date(2026, 1, 8)


def test_china_calendar_counts_national_day_as_holiday_and_the_swapped_weekend_as_work():
    assert CHINA.check(date(2026, 10, 2)) == (False, True)
    assert CHINA.check(date(2026, 10, 10)) == (True, True)
    weekends_only = Workdays(lambda d: None)
    official = read_clock(date(2026, 9, 25), [], date(2026, 10, 31), CHINA)
    naive = read_clock(date(2026, 9, 25), [], date(2026, 10, 31), weekends_only)
    assert official.used < naive.used and naive.provisional and not official.provisional


def test_a_year_the_calendar_does_not_know_is_counted_by_weekends_and_marked_provisional():
    reading = read_clock(date(2026, 12, 1), [], date(2026, 12, 1), CHINA)
    assert reading.due is not None and reading.due.year == 2027 and reading.provisional
    assert CHINA.check(date(2030, 1, 7)) == (True, False)
