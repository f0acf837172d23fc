"""The console's lists (one mechanism, web/listing.py): paged, sorted, filtered, searched and
exported as CSV and XLSX with the same filter; hostile parameters answered 400 with a message;
the auditor's view for auditors and regulators only; an enterprise's submissions and rejections,
its own only."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from test_console_access_log import console

from access_checks import entries_after, last_entry
from reetrace.domain.accounts import Actor
from reetrace.services import registry


def rows_of(html: str, table: str) -> list[str]:
    body = html.split(f'class="{table}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr data-(?:key|id)=\"([^\"]+)\"", body)


def total_of(html: str) -> int:
    found = re.search(r'data-total="(\d+)"', html)
    assert found, "the list must say how many rows match"
    return int(found.group(1))


def test_findings_are_paged_with_the_total_and_links_that_keep_the_filter(seeded):
    with console(seeded, "inspector") as client:
        whole = client.get("/findings", params={"size": 200}).text
        everything = rows_of(whole, "findings")
        assert total_of(whole) == len(everything) >= 2
        first = client.get("/findings", params={"size": 25, "sort": "code"}).text
        assert (
            rows_of(first, "findings")
            == rows_of(client.get("/findings", params={"size": 200, "sort": "code"}).text, "findings")[:25]
        )
        descending = rows_of(
            client.get("/findings", params={"size": 200, "sort": "code", "dir": "desc"}).text, "findings"
        )
        assert sorted(descending) == sorted(everything)
        codes = client.get("/findings", params={"severity": "high", "sort": "lot"}).text
        # the sort links keep the filter; the column sorted by says so
        assert 'href="/findings?severity=high&amp;sort=code"' in codes
        assert 'aria-sort="ascending"><a href="/findings?severity=high&amp;sort=lot&amp;dir=desc"' in codes
        beyond = client.get("/findings", params={"page": 999}).text
        assert rows_of(beyond, "findings") == [] and total_of(beyond) == len(everything)


def test_findings_are_searched_by_enterprise_name_and_lot(seeded):
    trader = seeded.world.trader
    with console(seeded, "inspector") as client:
        everything = client.get("/findings", params={"size": 200}).text
        named = client.get("/findings", params={"q": trader.name.lower(), "size": 200}).text
        by_filter = client.get("/findings", params={"enterprise": trader.uscc, "size": 200}).text
        assert rows_of(named, "findings") and set(rows_of(named, "findings")) == set(rows_of(by_filter, "findings"))
        assert total_of(named) < total_of(everything)
        nothing = client.get("/findings", params={"q": "no such name anywhere"}).text
        assert total_of(nothing) == 0


def test_findings_date_range_keeps_those_of_its_days(seeded):
    with console(seeded, "inspector") as client:
        everything = total_of(client.get("/findings").text)
        assert total_of(client.get("/findings", params={"from": "2000-01-01", "to": "2099-12-31"}).text) == everything
        assert total_of(client.get("/findings", params={"from": "2090-01-01"}).text) == 0


@pytest.mark.parametrize(
    "params, words",
    [
        ({"page": "10000000000"}, "page number"),
        ({"page": "0"}, "page number"),
        ({"page": "-1"}, "page number"),
        ({"size": "7"}, "Rows per page"),
        ({"sort": "password"}, "cannot be sorted"),
        ({"dir": "sideways"}, "ascending or descending"),
        ({"from": "2026-02-30"}, "first day"),
        ({"to": "yesterday"}, "last day"),
        ({"from": "2026-05-01", "to": "2026-04-01"}, "comes after"),
        ({"q": "x" * 10_000}, "100 characters"),
        ({"export": "pdf"}, "CSV or XLSX"),
    ],
)
def test_hostile_list_parameters_are_a_clear_400(seeded, params, words):
    with console(seeded, "regulator") as client:
        client.cookies.set("reetrace_lang", "en")
        for path in ("/findings", "/audit/access-log"):
            answer = client.get(path, params=params)
            assert answer.status_code == 400, (path, answer.status_code)
            assert words in answer.text
    with console(seeded, "approver") as client:
        assert client.get("/review", params=params).status_code == 400
    with console(seeded, "trader_user") as client:
        assert client.get("/portal/rejections", params=params).status_code == 400


def test_the_message_is_in_chinese_on_a_chinese_page(seeded):
    with console(seeded, "regulator") as client:
        answer = client.get("/findings", params={"from": "2026-02-30"})
    assert answer.status_code == 400 and "YYYY-MM-DD" in answer.text and "must be" not in answer.text


def test_a_filter_value_too_long_is_a_clear_400(seeded):
    with console(seeded, "regulator") as client:
        for path in ("/findings", "/audit/access-log"):
            answer = client.get(path, params={"enterprise": "y" * 5000})
            assert answer.status_code == 400 and "64" in answer.text
            assert client.get(path, params={"enterprise": "y" * 64}).status_code == 200


def test_a_near_miss_of_each_bound_is_accepted(seeded):
    with console(seeded, "regulator") as client:
        ok = {"page": "100000", "size": "200", "sort": "year", "dir": "desc", "q": "x" * 100, "from": "2026-02-28"}
        assert client.get("/findings", params=ok).status_code == 200


def test_exports_hold_the_same_filtered_rows_and_leave_an_entry_with_the_filter(seeded):
    x = seeded.world.trader.uscc
    with console(seeded, "inspector") as client:
        listed = client.get("/findings", params={"enterprise": x, "size": 200}).text
        last = last_entry(seeded.store)
        answer = client.get("/findings", params={"enterprise": x, "export": "csv"})
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
        assert len(rows) - 1 == total_of(listed) > 0
        entries = entries_after(seeded.store, last)
        assert [(e["action"], e["what"], e["enterprise"], e["detail"]) for e in entries] == [
            ("read", "GET /findings", x, f"enterprise={x}&export=csv")
        ]
        assert len(rows) - 1 < total_of(client.get("/findings").text)  # the filter, not the whole list
        book = client.get("/findings", params={"enterprise": x, "export": "xlsx"})
        sheet = load_workbook(io.BytesIO(book.content), read_only=True).active
        assert sheet is not None
        cells = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert [[str(v) if v is not None else "" for v in r] for r in cells] == rows


def test_review_queue_columns_filters_and_sort(seeded):
    trader = seeded.world.trader
    with console(seeded, "approver") as client:
        client.cookies.set("reetrace_lang", "en")
        page = client.get("/review").text
        header = page.split("<thead>", 1)[1].split("</thead>", 1)[0]
        for column in ("Submitted", "Applicant", "Decision due", "State"):
            assert column in header
        assert "UTC+8" in page
        assert total_of(page) >= 1
        assert total_of(client.get("/review", params={"applicant": trader.uscc}).text) == total_of(page)
        assert total_of(client.get("/review", params={"applicant": seeded.world.mine.uscc}).text) == 0
        assert total_of(client.get("/review", params={"from": "2090-01-01"}).text) == 0
        assert client.get("/review", params={"sort": "deadline", "dir": "desc"}).status_code == 200
        exported = client.get("/review", params={"export": "csv"}).content.decode("utf-8-sig")
        assert len(list(csv.reader(io.StringIO(exported)))) == total_of(page) + 1


def test_the_access_log_is_browsed_by_user_enterprise_and_day(seeded):
    trader = seeded.world.trader
    with console(seeded, "inspector") as client:
        client.get("/findings", params={"enterprise": trader.uscc})
    with console(seeded, "auditor") as client:
        mine = client.get("/audit/access-log", params={"user": "inspector", "size": 200}).text
        assert total_of(mine) >= 1 and "GET /findings" in mine
        theirs = client.get("/audit/access-log", params={"user": "inspector", "enterprise": trader.uscc}).text
        assert 0 < total_of(theirs) <= total_of(mine)
        assert total_of(client.get("/audit/access-log", params={"user": "nobody-at-all"}).text) == 0
        assert total_of(client.get("/audit/access-log", params={"to": "2000-01-01"}).text) == 0
        oldest = rows_of(client.get("/audit/access-log", params={"dir": "asc", "size": 25}).text, "access-log")
        newest = rows_of(client.get("/audit/access-log", params={"size": 25}).text, "access-log")
        assert int(oldest[0]) < int(newest[0])
        assert "UTC+8" in mine


def test_the_audit_page_shows_checkpoints_and_change_history(seeded):
    # the registry loaded again at the command line: a change the access log writes down
    registry.load_registry(seeded.store, seeded.world.registry(), actor=Actor.operator("ops"))
    with console(seeded, "auditor") as client:
        page = client.get("/audit")
        assert page.status_code == 200
        assert "data-log-size=" in page.text and 'class="checkpoints"' in page.text
        changes = page.text.split('class="registry-changes"')[1].split("</table>")[0]
        # said in the reader's language: what was loaded, by kind and count, no log code
        assert "载入登记文件" in changes and re.search(r"企业 \d+ 家", changes) and "registry load" not in changes
        client.get("/language/en?next=/audit")
        english = client.get("/audit").text.split('class="registry-changes"')[1].split("</table>")[0]
        assert "registry document loaded" in english and re.search(r"enterprises: \d+", english)
        client.get("/language/zh-Hans?next=/audit")
        assert '<form method="post" action="/audit' not in page.text  # read-only


@pytest.mark.parametrize("who", ["inspector", "reviewer", "approver", "trader_user"])
@pytest.mark.parametrize("path", ["/audit", "/audit/access-log"])
def test_only_auditors_and_regulators_see_the_audit(seeded, who, path):
    with console(seeded, who) as client:
        assert client.get(path).status_code == 403
    with console(seeded, "regulator") as client:
        assert client.get(path).status_code == 200


def test_an_enterprise_sees_its_own_submissions_and_rejections_only(seeded):
    with console(seeded, "trader_user") as client:
        submissions = client.get("/portal/submissions").text
        rejections = client.get("/portal/rejections").text
        assert total_of(submissions) >= 1 and total_of(rejections) >= 1
        assert "UTC+8" in submissions
        assert total_of(client.get("/portal/rejections", params={"reason": "conflict"}).text) == 0
        exported = client.get("/portal/submissions", params={"export": "xlsx"})
        assert exported.status_code == 200
    with console(seeded, "mine_user") as client:
        assert total_of(client.get("/portal/rejections").text) == 0  # the trader's is not its
        theirs = client.get("/portal/submissions", params={"size": 200}).text
        assert total_of(theirs) >= 1
    with console(seeded, "regulator") as client:
        assert client.get("/portal/submissions").status_code == 403


def test_lots_are_listed_paged_filtered_by_form_and_searched_by_id_prefix(seeded):
    with console(seeded, "inspector") as client:
        everything = client.get("/lots", params={"size": 200}).text
        ids = rows_of(everything, "lots")
        assert total_of(everything) == len(ids) >= 3 and "DYO-1" in ids
        prefixed = rows_of(client.get("/lots", params={"q": "dyo", "size": 200}).text, "lots")
        assert prefixed and all(i.upper().startswith("DYO") for i in prefixed)
        assert rows_of(client.get("/lots", params={"q": "YO-1"}).text, "lots") == []  # the beginning, not a part
        assert rows_of(client.get("/lots", params={"q": "%"}).text, "lots") == []  # text, not a wildcard
        oxides = rows_of(client.get("/lots", params={"form": "oxide", "size": 200}).text, "lots")
        assert "DYO-1" in oxides and len(oxides) < len(ids)
        plant = seeded.world.plant.uscc
        theirs = rows_of(client.get("/lots", params={"enterprise": plant, "size": 200}).text, "lots")
        assert "DYO-1" in theirs and len(theirs) < len(ids)
        by_id = rows_of(client.get("/lots", params={"sort": "lot", "dir": "asc", "size": 200}).text, "lots")
        assert by_id == sorted(by_id) and by_id != sorted(by_id, reverse=True)
        exported = client.get("/lots", params={"form": "oxide", "export": "csv"}).content.decode("utf-8-sig")
        assert len(list(csv.reader(io.StringIO(exported)))) == len(oxides) + 1
        assert client.get("/lots", params={"page": "0"}).status_code == 400
        opened = client.get("/lots", params={"lot": "DYO-1"}, follow_redirects=False)
        assert opened.status_code == 303 and opened.headers["location"] == "/lots/DYO-1"
