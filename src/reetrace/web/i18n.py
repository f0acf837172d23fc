"""The pages' languages: Simplified Chinese (the default) and English.

Every string a page shows is marked — `_()` in Python, `{% trans %}` or `_()` in templates — and
translated through the gettext catalogues in `locale/`, built with Babel:

    cd src/reetrace/web
    pybabel extract -F babel.cfg -k t -o locale/messages.pot --no-location --sort-output -w 100 \
        . ../certificates/printable.py
    pybabel update -i locale/messages.pot -d locale --no-fuzzy-matching -w 100
    pybabel compile -d locale

Dates, numbers and tonnages are formatted for the language by `babel.dates` / `babel.numbers`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import cache
from gettext import NullTranslations
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton
from babel.numbers import format_decimal, format_percent, format_scientific
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("zh-Hans", "en")  # as the cookie and the html lang attribute name them
DEFAULT_LANGUAGE = "zh-Hans"
LANGUAGE_COOKIE = "reetrace_lang"
_CATALOGUE = {"zh-Hans": "zh_Hans", "en": "en"}
_BABEL = {"zh-Hans": "zh_Hans_CN", "en": "en_GB"}
CHINA_STANDARD_TIME = timezone(timedelta(hours=8))  # the times pages show
# Beyond this magnitude a number is written in scientific notation: the decimal arithmetic of
# Babel's patterns works to 28 digits, and no real tonnage comes near (the ledger may still hold
# such a number, recorded before masses were bounded).
SCIENTIFIC_FROM = 1e15


def language_of(value: str | None) -> str:
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def _(message: str) -> str:
    """Marks a string for extraction where it is defined; it is translated where it is shown."""
    return message


@cache
def translations(language: str) -> NullTranslations:
    """The language's catalogue (typed as Babel's `load` is: without a catalogue it would give
    the untranslated messages; the compiled catalogues ship with the package)."""
    return Translations.load(str(LOCALE_DIR), [_CATALOGUE[language]], domain="messages")


@dataclass(frozen=True)
class Formats:
    """Formatting in one language."""

    language: str

    @property
    def locale(self) -> Locale:
        return Locale.parse(_BABEL[self.language])

    @property
    def gettext(self) -> Callable[[str], str]:
        return translations(self.language).gettext

    def number(self, value: float | int | None, digits: int = 0) -> str:
        if value is None or not math.isfinite(value):
            return "—"
        if abs(value) >= SCIENTIFIC_FROM:
            return format_scientific(value, format="0.###E0", locale=self.locale)
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def tonnes(self, value: float | None, digits: int = 1) -> str:
        return "—" if value is None else f"{self.number(value, digits)} t"

    def kg(self, value: float | None, digits: int = 1) -> str:
        return "—" if value is None else f"{self.number(value, digits)} kg"

    def percent(self, share: float | None) -> str:
        if share is None or not math.isfinite(share):
            return "—"
        if abs(share) >= SCIENTIFIC_FROM:
            return f"{self.number(share * 100)}%"
        return format_percent(share, format="#,##0.0%", locale=self.locale)

    def date(self, value: date | datetime | str | None) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if isinstance(value, datetime):
            value = value.date()
        return format_date(value, format="medium", locale=self.locale)

    def moment(self, value: datetime | str | None) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=CHINA_STANDARD_TIME)
        try:
            shown = value.astimezone(CHINA_STANDARD_TIME)
        except OverflowError:  # the last hours of the year 9999 in UTC have no China time
            return value.isoformat(timespec="seconds")
        return format_datetime(shown, format="medium", locale=self.locale, tzinfo=CHINA_STANDARD_TIME)

    def month(self, year: int, month: int) -> str:
        return format_date(date(year, month, 1), format="MMM", locale=self.locale)

    def year_month(self, text: str) -> str:
        year, month = (int(p) for p in text.split("-"))
        return format_skeleton("yMMM", date(year, month, 1), locale=self.locale)
