"""Every console list the same way: its query parameters read and bounded here, once (page,
page size, sort, direction, free-text search, a date range and the list's own filters), the
links that keep the filter (sort, pages, export), and the export of the same filtered list as
CSV or XLSX.

A list whose rows live in one table is paged by the store (`ListQuery.limit`/`offset` in its
query); a list computed whole for the page anyway (the findings, the review queue) is cut here
by `in_memory`, with the same parameters and the same answers. A parameter out of bounds is a
`BadListQuery` (400 on the page), never a 500."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response

from reetrace.errors import UsageError
from reetrace.services.lists import Window

T = TypeVar("T")
SIZES = (10, 25, 50, 100, 200)
DEFAULT_SIZE = 50
MAX_PAGE = 100_000
MAX_SEARCH = 100  # characters of a free-text search
MAX_VALUE = 64  # characters of a filter value
MAX_EXPORT = 100_000  # rows in one export
EXPORTS = ("csv", "xlsx")
FIRST_YEAR, LAST_YEAR = 1000, 9998  # a range's days
CHINA = timezone(timedelta(hours=8), "CST")
RESERVED = ("page", "size", "sort", "dir", "q", "from", "to", "export")


class BadListQuery(UsageError):
    """A list's parameter out of bounds: the page says which, with status 400."""


@dataclass(frozen=True)
class ListSpec:
    """What one list accepts: its sort keys (the first is the default), its filters, whether it
    searches free text and filters by a date range, and the default direction."""

    sorts: tuple[str, ...]
    filters: tuple[str, ...] = ()
    search: bool = False
    dates: bool = False
    descending: bool = False


@dataclass(frozen=True)
class ListQuery:
    """One list's parameters, bounded: `page` from 1, `size` one of SIZES, `sort` one of the
    spec's, `q` the search (stripped), `since`/`until` days (inclusive), `chosen` the filters."""

    path: str
    page: int = 1
    size: int = DEFAULT_SIZE
    sort: str = ""
    descending: bool = False
    q: str = ""
    since: date | None = None
    until: date | None = None
    chosen: dict[str, str] = field(default_factory=dict)
    export: str | None = None
    default_sort: str = ""
    default_descending: bool = False

    @property
    def limit(self) -> int:
        return MAX_EXPORT if self.export else self.size

    @property
    def offset(self) -> int:
        return 0 if self.export else (self.page - 1) * self.size

    def value(self, name: str) -> str:
        return self.chosen.get(name, "")

    def params(self, **changes: Any) -> dict[str, str]:
        """The list's parameters as they are (those at their defaults left out), with `changes`."""
        current: dict[str, Any] = {
            **self.chosen,
            "q": self.q,
            "from": self.since.isoformat() if self.since else "",
            "to": self.until.isoformat() if self.until else "",
            "sort": self.sort if self.sort != self.default_sort else "",
            "dir": ("desc" if self.descending else "asc") if self.descending != self.default_descending else "",
            "size": str(self.size) if self.size != DEFAULT_SIZE else "",
            "page": str(self.page) if self.page != 1 else "",
        }
        current.update({k: ("" if v is None else str(v)) for k, v in changes.items()})
        return {k: v for k, v in current.items() if v}

    def href(self, **changes: Any) -> str:
        query = urlencode(self.params(**changes))
        return self.path + ("?" + query if query else "")

    def sort_href(self, key: str) -> str:
        """Sorting by `key`: ascending first, the other way when it is already the sort."""
        descending = not self.descending if key == self.sort else False
        return self.href(
            sort=key if key != self.default_sort else "",
            dir=("desc" if descending else "asc") if descending != self.default_descending else "",
            page="",
        )

    def sorted_as(self, key: str) -> str:
        """The aria-sort value of a column header."""
        if key != self.sort:
            return "none"
        return "descending" if self.descending else "ascending"

    def export_href(self, kind: str) -> str:
        return self.href(export=kind, page="", size="")

    def in_range(self, moment: datetime | date | str | None) -> bool:
        """Whether a time (UTC text or a datetime) falls on a day of the range, in China time."""
        if self.since is None and self.until is None:
            return True
        day = china_day(moment)
        if day is None:
            return False
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)

    def utc_bounds(self) -> tuple[datetime | None, datetime | None]:
        """The range as moments: from the start of `since` to before the start of the day after
        `until`, each in China time."""
        start = datetime.combine(self.since, time(), CHINA) if self.since else None
        end = datetime.combine(self.until + timedelta(days=1), time(), CHINA) if self.until else None
        return start, end


def window(query: ListQuery) -> Window:
    """The part of a list the store is asked for: the range, the search, the sort, the page."""
    start, end = query.utc_bounds()
    return Window(start, end, query.q, query.sort, query.descending, query.limit, query.offset)


def china_day(moment: datetime | date | str | None) -> date | None:
    if moment is None or moment == "":
        return None
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            return None
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(CHINA).date()
    return moment


def _day(raw: str, name: str, gettext: Callable[[str], str]) -> date | None:
    if not raw:
        return None
    try:
        if len(raw) != 10:
            raise ValueError
        day = date.fromisoformat(raw)
    except ValueError:
        raise BadListQuery(gettext("%(name)s must be a day written YYYY-MM-DD.") % {"name": name}) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:  # the day after, in UTC, must exist too
        raise BadListQuery(
            gettext("%(name)s must fall in the years %(first)s to %(last)s.")
            % {"name": name, "first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return day


def _number(raw: str, name: str, low: int, high: int, gettext: Callable[[str], str]) -> int:
    if not raw.isdigit() or len(raw) > 9 or not low <= int(raw) <= high:
        raise BadListQuery(
            gettext("%(name)s must be a whole number from %(low)s to %(high)s.")
            % {"name": name, "low": low, "high": high}
        )
    return int(raw)


def parse(request: Request, spec: ListSpec, gettext: Callable[[str], str]) -> ListQuery:
    """The list's parameters from the request, each checked against its bounds."""
    raw = request.query_params
    t = gettext
    page = _number(raw.get("page", "1") or "1", t("The page number"), 1, MAX_PAGE, t)
    size = _number(raw.get("size", str(DEFAULT_SIZE)) or str(DEFAULT_SIZE), t("Rows per page"), 1, max(SIZES), t)
    if size not in SIZES:
        raise BadListQuery(t("Rows per page must be one of %(sizes)s.") % {"sizes": ", ".join(map(str, SIZES))})
    sort = raw.get("sort", "") or spec.sorts[0]
    if sort not in spec.sorts:
        raise BadListQuery(t("This list cannot be sorted that way."))
    direction = raw.get("dir", "")
    if direction not in ("", "asc", "desc"):
        raise BadListQuery(t("The sort order must be ascending or descending."))
    descending = spec.descending if direction == "" else direction == "desc"
    q = raw.get("q", "").strip()
    if q and not spec.search:
        raise BadListQuery(t("This list has no search."))
    if len(q) > MAX_SEARCH:
        raise BadListQuery(t("The search may be at most %(n)s characters long.") % {"n": MAX_SEARCH})
    since = until = None
    if spec.dates:
        since = _day(raw.get("from", "").strip(), t("The first day"), t)
        until = _day(raw.get("to", "").strip(), t("The last day"), t)
        if since and until and since > until:
            raise BadListQuery(t("The range's first day comes after its last."))
    elif raw.get("from") or raw.get("to"):
        raise BadListQuery(t("This list has no date range."))
    chosen = {}
    for name in spec.filters:
        value = raw.get(name, "").strip()
        if len(value) > MAX_VALUE:
            raise BadListQuery(t("A filter's value may be at most %(n)s characters long.") % {"n": MAX_VALUE})
        if value:
            chosen[name] = value
    export = raw.get("export", "") or None
    if export is not None and export not in EXPORTS:
        raise BadListQuery(t("A list is exported as CSV or XLSX only."))
    return ListQuery(
        request.url.path, page, size, sort, descending, q, since, until, chosen, export, spec.sorts[0], spec.descending
    )


@dataclass(frozen=True)
class Pages:
    """One page of a list and what its navigation needs."""

    items: list[Any]
    total: int
    query: ListQuery

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.query.size))

    @property
    def first_shown(self) -> int:
        return 0 if not self.items else self.query.offset + 1

    @property
    def last_shown(self) -> int:
        return self.query.offset + len(self.items)

    def numbers(self) -> list[int | None]:
        """The page numbers to link (None: a gap): the first, the last and two either side."""
        here, last = self.query.page, self.last
        shown = sorted({1, last, *range(max(1, here - 2), min(last, here + 2) + 1)})
        out: list[int | None] = []
        for n in shown:
            if out and n - (out[-1] or 0) > 1:
                out.append(None)
            out.append(n)
        return out


def in_memory(items: Sequence[T], query: ListQuery, keys: dict[str, Callable[[T], Any]]) -> Pages:
    """A list held whole, sorted by the query's key (ties in the list's own order) and cut."""
    ordered = sorted(items, key=keys[query.sort], reverse=query.descending)
    return Pages(ordered[query.offset : query.offset + query.limit], len(ordered), query)


def check_export(query: ListQuery, total: int, gettext: Callable[[str], str]) -> None:
    """An export holds the whole filtered list or is refused: never a list cut short unsaid."""
    if query.export and total > MAX_EXPORT:
        raise BadListQuery(
            gettext("%(n)s rows match; at most %(max)s are exported at once. Narrow the filter.")
            % {"n": total, "max": MAX_EXPORT}
        )


def export(name: str, header: Sequence[str], rows: Iterable[Sequence[Any]], kind: str) -> Response:
    """The rows as a file to download: CSV (UTF-8 with its mark, for spreadsheets) or XLSX."""
    if kind == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows([_cell(v) for v in row] for row in rows)
        body = ("\ufeff" + out.getvalue()).encode()
        media = "text/csv; charset=utf-8"
    else:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(name[:31])
        sheet.append(list(header))
        for row in rows:
            sheet.append([_cell(v) for v in row])
        buffer = io.BytesIO()
        book.save(buffer)
        body = buffer.getvalue()
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'})


def _cell(value: Any) -> Any:
    """A value as a cell: numbers stay numbers; text that a spreadsheet would run as a formula is
    quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text
