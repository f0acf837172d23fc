"""The list mechanism's own rules: bounds, the links that keep the filter, the page numbers,
the export's cells."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from starlette.requests import Request

from reetrace.web import listing

SPEC = listing.ListSpec(sorts=("at", "user"), filters=("user",), search=True, dates=True, descending=True)


def request(query: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/x", "query_string": query.encode(), "headers": []})


def parse(query: str) -> listing.ListQuery:
    return listing.parse(request(query), SPEC, lambda s: s)


def test_defaults_and_links_leave_out_what_is_at_its_default():
    lq = parse("")
    assert (lq.page, lq.size, lq.sort, lq.descending) == (1, 50, "at", True)
    assert lq.href() == "/x"
    assert lq.sort_href("at") == "/x?dir=asc"
    assert lq.sort_href("user") == "/x?sort=user&dir=asc"


def test_links_keep_the_filter_and_drop_the_page_on_sorting():
    lq = parse("user=ann&q=lot+7&from=2026-01-01&page=3&size=25")
    assert lq.href(page=4) == "/x?user=ann&q=lot+7&from=2026-01-01&size=25&page=4"
    assert "page=" not in lq.sort_href("user")
    assert lq.export_href("csv") == "/x?user=ann&q=lot+7&from=2026-01-01&export=csv"
    assert (lq.offset, lq.limit) == (50, 25)


def test_an_export_takes_every_row_from_the_first():
    lq = parse("page=3&export=xlsx")
    assert (lq.offset, lq.limit) == (0, listing.MAX_EXPORT)


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=100001",
        "page=1e3",
        "size=51",
        "sort=id",
        "dir=up",
        "from=2026-13-01",
        "to=20260101",
        "from=2026-02-02&to=2026-02-01",
        "q=" + "a" * 101,
        "from=0999-12-31",
        "to=9999-12-31",
        "user=" + "u" * 65,
        "export=json",
    ],
)
def test_out_of_bounds_is_a_bad_list_query(query):
    with pytest.raises(listing.BadListQuery):
        parse(query)


@pytest.mark.parametrize(
    "query",
    [
        "page=100000",
        "size=200",
        "sort=user",
        "from=1000-01-01&to=9998-12-31",
        "dir=asc",
        "from=2026-02-02&to=2026-02-02",
        "q=" + "a" * 100,
        "user=" + "u" * 64,
        "export=csv",
        "unknown=1",
    ],
)
def test_the_near_misses_are_accepted(query):
    parse(query)


def test_a_list_without_search_or_range_refuses_them():
    plain = listing.ListSpec(sorts=("a",))
    for query in ("q=x", "from=2026-01-01"):
        with pytest.raises(listing.BadListQuery):
            listing.parse(request(query), plain, lambda s: s)


def test_the_range_is_china_days():
    lq = parse("from=2026-03-01&to=2026-03-01")
    assert lq.in_range("2026-02-28T16:00:00.000000+00:00")  # 00:00 on 1 March in China
    assert not lq.in_range("2026-02-28T15:59:59.000000+00:00")
    assert not lq.in_range("2026-03-01T16:00:00.000000+00:00")
    assert not lq.in_range(None)
    start, end = lq.utc_bounds()
    assert start is not None and end is not None and (end - start).days == 1
    assert listing.china_day("2026-02-28T16:00:00+00:00") == date(2026, 3, 1)


def test_page_numbers_show_the_ends_and_the_neighbourhood():
    lq = parse("page=10&size=25")
    pages = listing.Pages([], 1000, lq)
    assert pages.last == 40
    assert pages.numbers() == [1, None, 8, 9, 10, 11, 12, None, 40]
    assert listing.Pages([], 0, parse("")).last == 1


def test_in_memory_sorts_and_cuts():
    items = [{"at": i, "user": f"u{i % 3}"} for i in range(120)]
    keys = {"at": lambda r: r["at"], "user": lambda r: r["user"]}
    pages = listing.in_memory(items, parse("page=2&size=25"), keys)
    assert [r["at"] for r in pages.items] == list(range(94, 69, -1))
    assert pages.total == 120


def test_export_cells_a_spreadsheet_would_run_are_quoted_and_numbers_kept():
    answer = listing.export("x", ["a", "b", "c"], [["=1+1", 3, None], ["-2", "plain", "@x"]], "csv")
    rows = list(csv.reader(io.StringIO(answer.body.decode("utf-8-sig"))))
    assert rows == [["a", "b", "c"], ["'=1+1", "3", ""], ["'-2", "plain", "'@x"]]
    assert answer.headers["content-disposition"] == 'attachment; filename="x.csv"'


def test_an_export_beyond_its_bound_is_refused_not_cut_short():
    lq = parse("export=csv")
    listing.check_export(lq, listing.MAX_EXPORT, lambda s: s)
    with pytest.raises(listing.BadListQuery):
        listing.check_export(lq, listing.MAX_EXPORT + 1, lambda s: s)
    listing.check_export(parse(""), listing.MAX_EXPORT + 1, lambda s: s)  # a page, not an export
