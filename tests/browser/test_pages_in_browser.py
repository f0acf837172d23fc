"""The pages in a real browser (Chromium through Playwright) against a real server: log in,
switch the language, see the dashboard's charts drawn, open a lot and follow its trace, upload a
submission as an enterprise, triage a finding, take a review step, and fail to see another
enterprise's data."""

import re

import pytest

from reetrace.services.dashboard import today
from reetrace.services.triage import triaged_findings

pytestmark = pytest.mark.browser

CHARTS = ("quota", "findings", "compliance", "sankey")


def heading(page) -> str:
    return page.inner_text("h1").strip()


def test_log_in_and_switch_the_language(site, login, screenshot):
    page = login("regulator")
    assert page.get_attribute("html", "lang") == "zh-Hans"
    assert "全国总览" in heading(page)
    page.click("a[lang=en]")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en"
    assert heading(page).startswith("National overview")
    assert page.inner_text("header nav").split() == ["Dashboard", "Findings", "Risk", "Lots", "Audit"]
    screenshot(page, "dashboard-en")
    page.click("a[lang=zh-Hans]")
    page.wait_for_load_state()
    assert "全国总览" in heading(page)
    page.click("header button:has-text('退出')")
    page.wait_for_load_state()
    assert page.url.endswith("/login") and heading(page) == "登录"


def test_the_dashboard_draws_its_charts(site, login, screenshot):
    page = login("regulator")
    for chart in CHARTS:
        svg = page.locator(f"svg.chart-{chart}")
        assert svg.count() == 1, chart
        box = svg.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, (chart, box)
    bars = page.locator("svg.chart-quota rect.bar")
    assert bars.count() > 0 and all(bars.nth(i).bounding_box()["width"] > 0 for i in range(bars.count()))
    assert page.locator("svg.chart-findings rect.bar").count() > 0
    assert page.locator("svg.chart-compliance rect.cell").count() >= 12
    flows = page.locator("svg.chart-sankey path.flow")
    assert flows.count() > 3 and flows.first.bounding_box()["height"] > 0
    assert page.locator("svg.chart-sankey text", has_text="冶炼分离").count() >= 1
    screenshot(page, "dashboard-zh")


def test_open_a_lot_and_follow_its_trace(site, login, screenshot):
    page = login("regulator")
    page.click("header nav a[href='/lots']")
    page.fill("input[name=lot]", site.lot)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert site.lot in heading(page)
    backward, forward = page.locator("#backward svg.chart-lineage"), page.locator("#forward svg.chart-lineage")
    assert backward.bounding_box()["width"] > 0 and forward.bounding_box()["height"] > 0
    assert backward.locator("rect.lot").count() >= 2 and backward.locator("path.edge").count() >= 1
    assert page.locator("ol.timeline li").count() >= 2
    screenshot(page, "lot")
    upstream = backward.locator("a").first
    target = upstream.locator("rect.lot").get_attribute("data-lot")
    upstream.click()
    page.wait_for_load_state()
    assert target in heading(page)
    with page.expect_download() as download:
        page.click("a[href$='/certificate']")
    assert download.value.suggested_filename.startswith("certificate-")


def test_an_enterprise_uploads_a_submission(site, login, screenshot):
    page = login("firm")
    assert page.url.endswith("/portal") and heading(page) == "企业门户"
    before = page.locator("#submissions table").first.locator("tbody tr").count()
    page.set_input_files("input[name=submission]", str(site.held_back))
    page.click("form.upload button[type=submit]")
    page.wait_for_load_state()
    assert "已接收" in page.inner_text("div.result")
    assert page.locator("#submissions table").first.locator("tbody tr").count() == before + 1
    page.set_input_files(
        "input[name=submission]", {"name": "broken.json", "mimeType": "application/json", "buffer": b"{not json"}
    )
    page.click("form.upload button[type=submit]")
    page.wait_for_load_state()
    assert "无法读取" in page.inner_text("div.result")
    deep = b"[" * 1000 + b"]" * 1000  # once an error page, and nothing recorded
    page.set_input_files(
        "input[name=submission]", {"name": "deep.json", "mimeType": "application/json", "buffer": deep}
    )
    page.click("form.upload button[type=submit]")
    page.wait_for_load_state()
    said = page.inner_text("div.result")
    assert "嵌套超过 32 层" in said and "nests" not in said  # the reason in the reader's language
    assert "deep.json" in page.inner_text("#rejections") and "嵌套超过 32 层" in page.inner_text("#rejections")
    page.click("header nav a[href='/portal/rejections']")
    page.wait_for_load_state()
    listed = page.inner_text("table.rejections")
    assert "嵌套超过 32 层" in listed and "不是 JSON（第 1 行第 2 列）" in listed and "nests" not in listed
    page.goto(site.url + "/portal")
    screenshot(page, "portal")


def test_an_enterprise_cannot_see_another_enterprises_data(site, login, screenshot):
    page = login("firm")
    for path in ("/", f"/lots/{site.lot}", "/review"):
        response = page.goto(site.url + path)
        assert response.status == 403 and heading(page) == "无权访问", path
    page.goto(site.url + "/portal")
    own_name = page.inner_text("p.lead").replace(site.mine, "").strip()
    page.goto(f"{site.url}/findings?enterprise={site.other}")  # the filter is ignored: only its own
    listed = page.locator("table.findings tbody tr[data-key]")
    assert listed.count() >= 1
    assert set(listed.locator("td:nth-child(3)").all_inner_texts()) == {own_name}
    assert site.other not in page.inner_text("main")
    screenshot(page, "own-findings-only")
    others = [
        f.key
        for f in triaged_findings(site.store, site.settings, today(site.settings))
        if f.finding.enterprise != site.mine
    ]
    answers = []
    for key in (others[0], "0" * len(others[0])):  # another enterprise's finding, and one that does not exist
        response = page.goto(f"{site.url}/findings/{key}")
        answers.append((response.status, heading(page), page.inner_text("main")))
    assert answers[0] == answers[1] and answers[0][:2] == (404, "未找到")
    screenshot(page, "another-enterprises-finding-not-found")


def test_an_inspector_triages_a_finding(site, login, screenshot):
    page = login("inspector")
    assert heading(page)  # the dashboard
    page.goto(site.url + "/findings?status=open")
    first = page.locator("table.findings tbody tr").first
    key = first.get_attribute("data-key")
    first.locator("td:nth-child(2) a").click()
    page.wait_for_load_state()
    page.select_option("#triage-form select[name=action]", "confirm")
    page.fill("#triage-form textarea[name=note]", "confirmed on inspection")
    page.click("#triage-form button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(f"/findings/{key}?done=confirm#triage")
    assert "confirmed on inspection" in page.inner_text("ol.history")
    assert "已确认" in page.inner_text("dl.facts")
    screenshot(page, "triaged")


def test_a_reviewer_accepts_an_application(site, login, screenshot):
    page = login("reviewer")
    assert page.url.endswith("/review")
    page.click(f"a:has-text('{site.application}')")
    page.wait_for_load_state()
    assert site.application in heading(page)
    page.select_option("select[name=action]", "accept")
    page.click("form.decision button[type=submit]")
    page.wait_for_load_state()
    assert re.search("受理", page.inner_text("ol.history"))
    screenshot(page, "review")
