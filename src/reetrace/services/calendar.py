"""China's official working-day calendar (`chinese-calendar`: public holidays and the weekend
days made working days in exchange). Years the installed package does not know yet are
reported as unknown, and the review clock counts them by weekends alone, marked provisional."""

from __future__ import annotations

from datetime import date

import chinese_calendar

from reetrace.domain.clock import Workdays


def _is_workday(day: date) -> bool | None:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # the State Council has not published that year, or the package predates it
        return None


CHINA = Workdays(_is_workday)
