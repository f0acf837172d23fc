"""The console's lists in a real browser (Chromium), in both languages: the findings paged,
sorted by a column header, filtered and searched, with the filter kept across pages and in the
export; the review queue's columns; the auditor's view (the access log browsed by user and day,
the checkpoints and change history); an enterprise's own submissions and rejections."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.browser


def total(page) -> int:
    return int(page.get_attribute(".list-summary", "data-total") or "-1")


def keys(page) -> list[str]:
    return page.eval_on_selector_all("table.findings tbody tr[data-key]", "rows => rows.map(r => r.dataset.key)")


def to_english(page) -> None:
    page.click("a[lang=en]")
    page.wait_for_load_state()


def test_findings_are_paged_sorted_filtered_and_exported(site, login, screenshot):
    page = login("inspector")
    page.goto(site.url + "/findings?size=10")
    everything = total(page)
    assert everything > 10, "the demo year must hold more findings than a page"
    first = keys(page)
    assert len(first) == 10
    page.click("nav.pager a[rel=next]")
    page.wait_for_load_state()
    assert "page=2" in page.url and not set(keys(page)) & set(first)
    assert page.get_attribute("nav.pager a[aria-current=page]", "href").endswith("page=2")
    # filter by severity: the count drops, the pages and the sort links keep the filter
    page.select_option("select[name=severity]", "high")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    high = total(page)
    assert 0 < high < everything
    page.click("th a[data-sort=code]")
    page.wait_for_load_state()
    assert "severity=high" in page.url and "sort=code" in page.url
    assert page.get_attribute("th:has(a[data-sort=code])", "aria-sort") == "ascending"
    codes = page.eval_on_selector_all("table.findings tbody tr td:nth-child(2) a", "a => a.map(x => x.textContent)")
    assert codes == sorted(codes)
    screenshot(page, "findings-zh")
    with page.expect_download() as download:
        page.click("a[data-export=csv]")
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert len(rows) == high + 1 and rows[0][0] == "严重程度"
    to_english(page)
    assert "severity=high" in page.url and total(page) == high
    with page.expect_download() as download:
        page.click("a[data-export=xlsx]")
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True).active
    assert sheet is not None
    header, *body = list(sheet.iter_rows(values_only=True))
    assert header[0] == "Severity" and len(body) == high and {r[0] for r in body} == {"high"}
    screenshot(page, "findings-en")


def test_a_hostile_parameter_is_a_message_not_a_crash(site, login):
    page = login("regulator")
    answer = page.goto(site.url + "/findings?page=99999999999&q=" + "x" * 10_000)
    assert answer is not None and answer.status == 400
    assert "页码" in page.inner_text("main")
    to_english(page)
    assert "page number" in page.inner_text("main")


def test_the_review_queue_has_its_columns_and_filters(site, login, screenshot):
    page = login("reviewer")
    page.goto(site.url + "/review")
    headers = page.eval_on_selector_all("table.queue thead th", "h => h.map(x => x.textContent.trim())")
    for column in ("提交时间", "申请人", "状态"):
        assert any(column in h for h in headers), headers
    assert total(page) >= 1
    assert "UTC+8" in page.inner_text("table.queue tbody")
    to_english(page)
    headers = page.eval_on_selector_all("table.queue thead th", "h => h.map(x => x.textContent.trim())")
    for column in ("Submitted", "Applicant", "Decision due", "State"):
        assert any(column in h for h in headers), headers
    page.fill("input[name=from]", "2090-01-01")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert total(page) == 0 and "from=2090-01-01" in page.url
    screenshot(page, "review-en")


def test_the_auditor_browses_the_access_log_and_the_checkpoints(site, login, screenshot):
    inspector = login("inspector")
    inspector.goto(site.url + "/findings?severity=critical")
    page = login("auditor")
    assert "审计" in page.inner_text("header nav")
    page.click("header nav a[href='/audit']")
    page.wait_for_load_state()
    assert page.locator("table.checkpoints").count() == 1
    assert page.locator("form[method=post][action^='/audit']").count() == 0
    screenshot(page, "audit-zh")
    page.click("main a[href='/audit/access-log']")
    page.wait_for_load_state()
    page.fill("input[name=user]", "inspector")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert total(page) >= 1
    assert "severity=critical" in page.inner_text("table.access-log tbody")
    users = page.eval_on_selector_all("table.access-log tbody td:nth-child(2)", "c => c.map(x => x.textContent)")
    assert users and all(u.startswith("inspector") for u in users)
    to_english(page)
    assert "user=inspector" in page.url and page.inner_text("h1") == "Access log"
    with page.expect_download() as download:
        page.click("a[data-export=csv]")
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert rows[0][0] == "Time (UTC+8)" and len(rows) == total(page) + 1
    assert {r[1] for r in rows[1:]} == {"inspector"}
    screenshot(page, "access-log-en")


def test_an_enterprise_lists_its_submissions_and_rejections(site, login, screenshot):
    page = login("firm")
    page.click("header nav a[href='/portal/submissions']")
    page.wait_for_load_state()
    assert total(page) >= 1
    months = page.eval_on_selector_all("table.submissions tbody td:first-child", "c => c.map(x => x.textContent)")
    assert all(re.search(r"\d{4}", m) for m in months)
    screenshot(page, "submissions-zh")
    to_english(page)
    page.click("header nav a[href='/portal/rejections']")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "Our rejected files"
    assert total(page) >= 0
    assert page.goto(site.url + "/audit").status == 403


def test_lots_are_listed_below_the_search_and_searched_by_prefix(site, login, screenshot):
    page = login("inspector")
    page.click("header nav a[href='/lots']")
    page.wait_for_load_state()
    everything = total(page)
    assert everything > 10
    first = page.get_attribute("table.lots tbody tr[data-id]", "data-id") or ""
    prefix = first.split("-")[0]
    page.fill("input[name=q]", prefix.lower())
    page.click("section form.filters button[type=submit]")
    page.wait_for_load_state()
    found = page.eval_on_selector_all("table.lots tbody tr[data-id]", "rows => rows.map(r => r.dataset.id)")
    assert found and all(f.upper().startswith(prefix.upper()) for f in found)
    assert total(page) <= everything
    assert "UTC+8" in page.inner_text("table.lots tbody")
    screenshot(page, "lots-zh")
    to_english(page)
    assert page.inner_text("section h2") == "All lots" and f"q={prefix.lower()}" in page.url
    page.click("table.lots tbody a >> nth=0")
    page.wait_for_load_state()
    assert "/lots/" in page.url
